"""Records a run of scenarios/basic with the real MLflow client, as a user would.

  .venv/bin/python test/python/record_basic_run.py --tracking-uri URI [--experiment NAME]
      [--alpha A] [--l1-ratio R] [--seed S] [--tag KEY=VALUE ...] [--train PATH]

Opens a run with mlflow.start_run(), then runs train.py (host venv) with
MLFLOW_RUN_ID set so the script logs into that run, exactly as a replay will.
Prints {"run_id": ..., "experiment_id": ...} as the last stdout line.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import mlflow

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--tracking-uri", required=True)
    p.add_argument("--experiment", default="basic")
    p.add_argument("--alpha", default="0.5")
    p.add_argument("--l1-ratio", default="0.1")
    p.add_argument("--seed", default="42")
    p.add_argument("--train", default=str(ROOT / "scenarios" / "basic" / "train.py"))
    p.add_argument("--tag", action="append", default=[], help="KEY=VALUE, repeatable")
    args = p.parse_args()

    mlflow.set_tracking_uri(args.tracking_uri)
    mlflow.set_experiment(args.experiment)
    with mlflow.start_run() as run:
        for kv in args.tag:
            key, _, value = kv.partition("=")
            mlflow.set_tag(key, value)
        env = {**os.environ, "MLFLOW_TRACKING_URI": args.tracking_uri, "MLFLOW_RUN_ID": run.info.run_id}
        train = Path(args.train)
        subprocess.run(
            [sys.executable, str(train), "--alpha", args.alpha, "--l1-ratio", args.l1_ratio, "--seed", args.seed],
            cwd=train.parent, env=env, check=True,
        )
    print(json.dumps({"run_id": run.info.run_id, "experiment_id": run.info.experiment_id}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
