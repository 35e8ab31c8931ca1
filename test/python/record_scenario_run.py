"""Records a run of a bundled scenario with the real MLflow client, as a user would.

  .venv/bin/python test/python/record_scenario_run.py --tracking-uri URI [--experiment NAME]
      [--alpha A] [--l1-ratio R] [--seed S] [--tag KEY=VALUE ...] [--train PATH]
      [--param NAME=VALUE ...]

Opens a run with mlflow.start_run(), then runs train.py (host venv) with
MLFLOW_RUN_ID set so the script logs into that run, exactly as a replay will.
Prints {"run_id": ..., "experiment_id": ...} as the last stdout line.

--train defaults to scenarios/basic/train.py; any other scenario's train.py works
too (e.g. --train scenarios/mlp/train.py --param epochs=30). --seed is always
passed on (every bundled train.py takes it); --alpha and --l1-ratio (basic's) only
when given, so train.py's own defaults apply otherwise; --param NAME=VALUE is
passed on as --NAME VALUE, with _ in NAME written as - (l1_ratio -> --l1-ratio).
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
    p.add_argument("--alpha", help="basic's alpha (default: train.py's, 0.5)")
    p.add_argument("--l1-ratio", help="basic's l1_ratio (default: train.py's, 0.1)")
    p.add_argument("--seed", default="42")
    p.add_argument("--train", default=str(ROOT / "scenarios" / "basic" / "train.py"))
    p.add_argument("--tag", action="append", default=[], help="KEY=VALUE, repeatable")
    p.add_argument("--param", action="append", default=[], help="NAME=VALUE for train.py, repeatable")
    args = p.parse_args()

    script_args = ["--seed", args.seed]
    if args.alpha is not None:
        script_args += ["--alpha", args.alpha]
    if args.l1_ratio is not None:
        script_args += ["--l1-ratio", args.l1_ratio]
    for kv in args.param:
        name, sep, value = kv.partition("=")
        if not sep or not name:
            p.error(f"--param {kv!r}: expected NAME=VALUE")
        script_args += ["--" + name.replace("_", "-"), value]

    mlflow.set_tracking_uri(args.tracking_uri)
    mlflow.set_experiment(args.experiment)
    with mlflow.start_run() as run:
        for kv in args.tag:
            key, _, value = kv.partition("=")
            mlflow.set_tag(key, value)
        env = {**os.environ, "MLFLOW_TRACKING_URI": args.tracking_uri, "MLFLOW_RUN_ID": run.info.run_id}
        train = Path(args.train).resolve()
        subprocess.run(
            [sys.executable, str(train), *script_args],
            cwd=train.parent, env=env, check=True,
        )
    print(json.dumps({"run_id": run.info.run_id, "experiment_id": run.info.experiment_id}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
