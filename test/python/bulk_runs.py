"""Create many runs quickly with the real MLflow client, for the "every page is read" tests.

Usage: MLFLOW_TRACKING_URI=... python bulk_runs.py --experiment NAME --runs 1100
Each run gets tags bulk=yes and idx=<i> and start_time base+i: one request per run, sent
from a few threads, which keeps 1100 runs well under a minute on a 2-core machine.
Prints {"experiment_id": ..., "run_ids": [...], "seconds": ...}.
"""
import argparse
import json
import time
from concurrent.futures import ThreadPoolExecutor

from mlflow import MlflowClient


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--experiment", required=True)
    ap.add_argument("--runs", type=int, default=1100)
    ap.add_argument("--threads", type=int, default=4)
    args = ap.parse_args()
    started = time.perf_counter()
    client = MlflowClient()
    exp = client.get_experiment_by_name(args.experiment)
    exp_id = exp.experiment_id if exp else client.create_experiment(args.experiment)
    now = int(time.time() * 1000)

    def create(i: int) -> str:
        # start_time spaced by 1 ms so ordering by start_time is total and predictable.
        run = client.create_run(exp_id, start_time=now + i, tags={"bulk": "yes", "idx": str(i)}, run_name=f"bulk-{i}")
        return run.info.run_id

    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        run_ids = list(pool.map(create, range(args.runs)))
    print(json.dumps({"experiment_id": exp_id, "run_ids": run_ids, "seconds": time.perf_counter() - started}))


if __name__ == "__main__":
    main()
