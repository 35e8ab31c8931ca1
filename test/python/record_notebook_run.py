"""Records a notebook run with the real MLflow client, the papermill way.

  PYTHON test/python/record_notebook_run.py --tracking-uri URI --experiment NAME
      --notebook notebooks/basic/basic.ipynb [--inject SOURCE] [--no-log-notebook]

PYTHON is a venv with the notebook's lock, nbclient and ipykernel (the tests make one:
test/support/notebook-venv.ts). The notebook runs headless in a real Jupyter kernel
(harness/exec/notebook_runner.py, the same runner a replay uses) with SOURCE injected
after its `parameters` cell; the notebook itself calls mlflow.start_run(), so MLflow
tags the run as it tags any kernel's run. Then, as a papermill pipeline does, the
executed notebook is logged to that run as notebook/<name>.ipynb (unless
--no-log-notebook). Prints {"run_id": ...} as the last stdout line.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from mlflow.tracking import MlflowClient

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--tracking-uri", required=True)
    p.add_argument("--experiment", required=True)
    p.add_argument("--notebook", required=True)
    p.add_argument("--inject", default=None)
    p.add_argument("--no-log-notebook", action="store_true")
    args = p.parse_args()

    client = MlflowClient(tracking_uri=args.tracking_uri)
    exp = client.get_experiment_by_name(args.experiment)
    exp_id = exp.experiment_id if exp is not None else client.create_experiment(args.experiment)
    notebook = Path(args.notebook).resolve()
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": args.tracking_uri,
        "MLFLOW_EXPERIMENT_ID": exp_id,
        "MLFLOW_DISABLE_TELEMETRY": "true",
    }
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, str(ROOT / "harness" / "exec" / "notebook_runner.py"), notebook.name,
               "--output", tmp, "--cell-timeout", "120"]
        if args.inject is not None:
            cmd += ["--inject", args.inject]
        subprocess.run(cmd, cwd=notebook.parent, env=env, check=True)
        runs = client.search_runs([exp_id], order_by=["attributes.start_time DESC"], max_results=1)
        if not runs:
            print("the notebook started no MLflow run", file=sys.stderr)
            return 1
        run_id = runs[0].info.run_id
        if not args.no_log_notebook:
            executed = Path(tmp) / notebook.name
            (Path(tmp) / "notebook.ipynb").rename(executed)
            client.log_artifact(run_id, str(executed), artifact_path="notebook")
    print(json.dumps({"run_id": run_id, "experiment_id": exp_id}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
