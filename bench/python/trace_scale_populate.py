"""Populate an MLflow server with N runs for bench/trace-scale.ts, through MLflow's own APIs.

    python trace_scale_populate.py SERVER_URL BACKEND_URI EXPERIMENT N

The experiment is created through the server (so its runs get mlflow-artifacts:/ URIs,
as any client's would). The bulk of the runs go through MLflow's Python client on the
server's own backend URI (MLflow's SQLAlchemy store, in this process: one transaction per
call instead of one HTTP request), the way `mlflow.MlflowClient("sqlite:///...")` writes
it; nothing is written to the database behind MLflow's back. The few runs with
artifacts, logged models and registered versions go through the server, as a training
script would log them:

- every 100th run logs requirements.txt (the run's environment);
- every 500th run also gets an MLflow 3 logged model (source_run_id = the run) with a
  requirements.txt, and every 2000th a registered version of that model.
"""

import os
import sys
import tempfile
import time

from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag

url, backend, name, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
remote = MlflowClient(tracking_uri=url, registry_uri=url)
local = MlflowClient(tracking_uri=backend)

exp = remote.get_experiment_by_name(name)
if exp is not None:
    raise SystemExit(f"experiment {name} exists already")
exp_id = remote.create_experiment(name)

t0 = time.time()
now = int(time.time() * 1000)
ids = []
for i in range(n):
    run = local.create_run(
        exp_id,
        run_name=f"sweep-{i:05d}",
        tags={
            "mlflow.source.name": "train.py",
            "mlflow.source.type": "LOCAL",
            "mlflow.user": "bench",
            "mlflow.source.git.commit": f"{i:040x}"[-40:],
        },
        start_time=now + i,
    )
    rid = run.info.run_id
    params = [Param(k, v) for k, v in {
        "alpha": str(0.1 * (i % 10)),
        "l1_ratio": str(0.05 * (i % 20)),
        "max_iter": "1000",
        "random_state": str(i),
        "n_estimators": str(10 + i % 90),
        "learning_rate": "0.01",
        "batch_size": "64",
        "optimizer": "adam",
    }.items()]
    metrics = [Metric(k, (i % 97) / 97 + j, now + i, 0) for j, k in enumerate(["rmse", "mae", "r2", "loss", "val_loss"])]
    local.log_batch(rid, metrics=metrics, params=params, tags=[RunTag("sweep", "bench")])
    local.set_terminated(rid, "FINISHED", end_time=now + i + 1000)
    ids.append(rid)
    if (i + 1) % 2000 == 0:
        print(f"  {i + 1}/{n} runs ({time.time() - t0:.0f} s)", flush=True)

with tempfile.TemporaryDirectory() as tmp:
    req = os.path.join(tmp, "requirements.txt")
    with open(req, "w") as f:
        f.write("scikit-learn==1.7.2\nnumpy==2.3.3\n")
    for i in range(0, n, 100):
        remote.log_artifact(ids[i], req)
        if i % 500 == 0:
            model = remote.create_logged_model(exp_id, name=f"model-{i}", source_run_id=ids[i])
            remote.log_model_artifact(model.model_id, req)
            if i % 2000 == 0:
                reg = f"TraceScale{i}"
                remote.create_registered_model(reg)
                remote.create_model_version(reg, f"models:/{model.model_id}", run_id=ids[i], model_id=model.model_id)
print(f"populated {n} runs in experiment {name} ({exp_id}) in {time.time() - t0:.0f} s", flush=True)
