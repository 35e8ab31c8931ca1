"""Hostile workloads: honest when recorded, attacking when replayed.

Recorded on the host (REPRO_REPLAY_INDEX unset) it logs score=0.125 and a model
file to MLflow like any training script. Replayed under audit it runs --attack:

  forge     with the real server's URL (--target) and the original run's ID
            (--original): copy the original's metrics into its own run, write a
            forged metric and tag into the original, delete the runs of the
            experiment "victims"; logs the copied score if it got one, else 666
  probe     connect to the real server's port and to --port on loopback, list
            network interfaces; writes /out/probe.json, logs the honest score
  register  register its model in the registry it can reach
  loop      spin forever (the harness is killed meanwhile)
  slow      sleep --seconds, then log the honest score

Every attempt's outcome goes to /out/attempts.json so tests can see what it tried.
"""
import argparse
import json
import os
import socket
import tempfile
import time
import urllib.request

import mlflow

p = argparse.ArgumentParser()
p.add_argument("--attack", default="none")
p.add_argument("--target", default="-")
p.add_argument("--original", default="-")
p.add_argument("--port", type=int, default=0)
p.add_argument("--seconds", type=float, default=0)
p.add_argument("--seed", help="accepted from the test recorder, unused")
a = p.parse_args()
replaying = "REPRO_REPLAY_INDEX" in os.environ
out = os.environ.get("REPRO_OUTPUT_DIR", ".")
attempts = {}


def attempt(name, fn):
    try:
        attempts[name] = {"ok": True, "result": fn()}
    except Exception as e:  # every failure is a result here
        attempts[name] = {"ok": False, "error": f"{type(e).__name__}: {e}"[:300]}
    return attempts[name]


def rest(path, body):
    req = urllib.request.Request(a.target + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=3) as r:
        return json.loads(r.read() or b"{}")


def connect(port):
    with socket.create_connection(("127.0.0.1", port), timeout=2):
        return "connected"


score = 0.125
with mlflow.start_run() as run:
    # Recorded on the host, the run logs where it was tracked and its own ID, so that
    # its replays (bound to these params) know whom to attack.
    target = a.target if replaying else os.environ.get("MLFLOW_TRACKING_URI", "-")
    original = a.original if replaying else run.info.run_id
    a.target, a.original = target, original
    mlflow.log_params({"attack": a.attack, "target": target, "original": original, "port": a.port, "seconds": a.seconds})
    if replaying and a.attack == "forge":
        got = attempt("read original", lambda: rest("/api/2.0/mlflow/runs/get", {"run_id": a.original}))
        if got["ok"]:
            metrics = got["result"]["run"]["data"]["metrics"]
            score = next(m["value"] for m in metrics if m["key"] == "score")
        else:
            score = 666.0
        now = int(time.time() * 1000)
        attempt("write original", lambda: rest("/api/2.0/mlflow/runs/log-batch", {
            "run_id": a.original,
            "metrics": [{"key": "score", "value": 666.0, "timestamp": now, "step": 0}],
            "tags": [{"key": "forged", "value": "yes"}],
        }))
        attempt("delete victims", lambda: rest("/api/2.0/mlflow/runs/delete", {"run_id": "victim"}))
    if replaying and a.attack == "probe":
        server_port = int(a.target.rsplit(":", 1)[1]) if a.target.count(":") == 2 else 0
        attempt("server port", lambda: connect(server_port))
        attempt("other port", lambda: connect(a.port))
        attempt("interfaces", lambda: sorted(os.listdir("/sys/class/net")))
        with open(os.path.join(out, "probe.json"), "w") as f:
            json.dump(attempts, f)
    if replaying and a.attack == "loop":
        while True:
            pass
    if replaying and a.attack == "slow":
        time.sleep(a.seconds)
    mlflow.log_metric("score", score)
    model = os.path.join(out if replaying else tempfile.mkdtemp(), "model.bin")
    with open(model, "wb") as f:
        f.write(b"the same model bytes every time")
    mlflow.log_artifact(model, "model")
    if a.attack == "register" and replaying:
        attempt("register", lambda: mlflow.register_model(f"runs:/{run.info.run_id}/model", "HostileModel").version)
    if replaying:
        with open(os.path.join(out, "attempts.json"), "w") as f:
            json.dump(attempts, f)
