"""ElasticNet on scikit-learn's bundled diabetes data: the harness's basic scenario.

An ordinary MLflow training script: when MLflow tracking is configured
(MLFLOW_TRACKING_URI and/or MLFLOW_RUN_ID in the environment) it logs params and
metrics into the active run, which is how replays land in the run the harness
created for them. It always writes its metrics as JSON too (to --output or
$REPRO_OUTPUT_DIR, and as the last line of stdout) so that the same workload can
be measured without any tracking.

--seed -1 makes the run deliberately unseeded: the split and the coordinate
order are drawn from os.urandom, so repeated executions give different metrics.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pickle
import sys
import tempfile
from pathlib import Path

from sklearn.datasets import load_diabetes
from sklearn.linear_model import ElasticNet
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--alpha", type=float, default=0.5)
    p.add_argument("--l1-ratio", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=42, help="-1 = unseeded (varies per run)")
    p.add_argument("--test-size", type=float, default=0.25)
    p.add_argument("--output", default=os.environ.get("REPRO_OUTPUT_DIR"),
                   help="directory for metrics.json (default: $REPRO_OUTPUT_DIR)")
    p.add_argument("--no-tracking", action="store_true",
                   help="never import mlflow, even when MLFLOW_* variables are set")
    return p.parse_args(argv)


def effective_seed(seed: int) -> int:
    if seed >= 0:
        return seed
    return int.from_bytes(os.urandom(4), "little")


def train(alpha: float, l1_ratio: float, seed: int, test_size: float) -> tuple[dict[str, float], bytes]:
    x, y = load_diabetes(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_size, random_state=seed
    )
    # selection="random" ties the coordinate-descent order to the seed, so an
    # unseeded run varies through the optimiser as well as through the split.
    # Standardised features keep alpha on a sensible scale (the bundled
    # diabetes features are pre-scaled to unit norm, which makes alpha=0.5 fit
    # almost nothing).
    model = make_pipeline(
        StandardScaler(),
        ElasticNet(alpha=alpha, l1_ratio=l1_ratio, selection="random",
                   random_state=seed, max_iter=10_000),
    )
    model.fit(x_train, y_train)
    pred = model.predict(x_test)
    metrics = {
        "rmse": float(math.sqrt(mean_squared_error(y_test, pred))),
        "mae": float(mean_absolute_error(y_test, pred)),
        "r2": float(r2_score(y_test, pred)),
    }
    # A fixed pickle protocol: the same fitted model gives the same bytes, so the
    # audit can compare model files by hash across executions.
    return metrics, pickle.dumps(model, protocol=4)


def tracking_configured() -> bool:
    return bool(os.environ.get("MLFLOW_TRACKING_URI") or os.environ.get("MLFLOW_RUN_ID"))


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    seed = effective_seed(args.seed)
    metrics, model_bytes = train(args.alpha, args.l1_ratio, seed, args.test_size)

    if args.output:
        out = Path(args.output)
        out.mkdir(parents=True, exist_ok=True)
        (out / "metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n")
        (out / "model.pkl").write_bytes(model_bytes)

    if tracking_configured() and not args.no_tracking:
        import mlflow  # imported late: the untracked variant must not need it

        # start_run() attaches to MLFLOW_RUN_ID when the harness set it.
        with mlflow.start_run():
            mlflow.log_params({"alpha": args.alpha, "l1_ratio": args.l1_ratio,
                               "seed": args.seed})
            if args.seed < 0:
                mlflow.set_tag("scenario.effective_seed", str(seed))
            mlflow.log_metrics(metrics)
            with tempfile.TemporaryDirectory() as tmp:
                model_file = Path(tmp) / "model.pkl"
                model_file.write_bytes(model_bytes)
                mlflow.log_artifact(str(model_file), artifact_path="model")

    # Last stdout line: the metrics as one JSON object (for stdout-json capture).
    print(json.dumps(metrics, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
