"""A small neural network (MLP) on scikit-learn's bundled digits data: the harness's mlp scenario.

Trained epoch by epoch with partial_fit so that every epoch's train loss and
validation accuracy land in MLflow as step histories (step = epoch, 1-based);
an audit then compares those histories point by point and plots them. Logged
once at the end: val_log_loss and train_accuracy. The last epoch's
val_accuracy is the final validation accuracy.

Like the basic scenario: when MLflow tracking is configured (MLFLOW_TRACKING_URI
and/or MLFLOW_RUN_ID in the environment) it logs params, metrics and the pickled
model into the active run; it always writes its final metrics as JSON too (to
--output or $REPRO_OUTPUT_DIR, and as the last line of stdout).

--seed -1 makes the run deliberately unseeded: the split, the weight
initialisation and the per-epoch shuffling are drawn from os.urandom.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--hidden", type=int, default=64, help="units in the one hidden layer")
    p.add_argument("--lr", type=float, default=0.001, help="adam's learning_rate_init")
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


# Called after every epoch with (epoch, {"train_loss": ..., "val_accuracy": ...}).
EpochHook = Callable[[int, dict[str, float]], None]


def train(epochs: int, hidden: int, lr: float, seed: int, test_size: float,
          on_epoch: EpochHook | None = None) -> tuple[dict[str, float], bytes]:
    x, y = load_digits(return_X_y=True)
    x_train, x_val, y_train, y_val = train_test_split(
        x, y, test_size=test_size, random_state=seed, stratify=y
    )
    scaler = StandardScaler().fit(x_train)
    xs_train, xs_val = scaler.transform(x_train), scaler.transform(x_val)
    classes = np.unique(y)
    # random_state seeds both the weight initialisation and the shuffling that
    # every partial_fit call (one epoch) does before cutting mini-batches.
    mlp = MLPClassifier(hidden_layer_sizes=(hidden,), solver="adam", learning_rate_init=lr,
                        batch_size=64, random_state=seed)
    last: dict[str, float] = {}
    for epoch in range(1, epochs + 1):
        mlp.partial_fit(xs_train, y_train, classes=classes)
        last = {"train_loss": float(mlp.loss_),
                "val_accuracy": float(accuracy_score(y_val, mlp.predict(xs_val)))}
        if on_epoch is not None:
            on_epoch(epoch, last)

    metrics = {
        **last,
        "train_accuracy": float(accuracy_score(y_train, mlp.predict(xs_train))),
        "val_log_loss": float(log_loss(y_val, mlp.predict_proba(xs_val), labels=classes)),
    }
    model = Pipeline([("scale", scaler), ("mlp", mlp)])
    # A fixed pickle protocol: the same fitted model gives the same bytes, so the
    # audit can compare model files by hash across executions.
    return metrics, pickle.dumps(model, protocol=4)


def tracking_configured() -> bool:
    return bool(os.environ.get("MLFLOW_TRACKING_URI") or os.environ.get("MLFLOW_RUN_ID"))


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    seed = effective_seed(args.seed)
    tracking = tracking_configured() and not args.no_tracking
    with ExitStack() as stack:
        if tracking:
            import mlflow  # imported late: the untracked variant must not need it

            # start_run() attaches to MLFLOW_RUN_ID when the harness set it; as a
            # context it marks the run FAILED if training raises.
            stack.enter_context(mlflow.start_run())
            mlflow.log_params({"epochs": args.epochs, "hidden": args.hidden, "lr": args.lr,
                               "seed": args.seed})
            if args.seed < 0:
                mlflow.set_tag("scenario.effective_seed", str(seed))

        def log_epoch(epoch: int, values: dict[str, float]) -> None:
            # Logged as training goes, as a real script does: the tracking cost is
            # part of the tracked variant's run time.
            for key, value in values.items():
                mlflow.log_metric(key, value, step=epoch)

        # One BLAS/OpenMP thread: how a multi-threaded GEMM splits its sums can
        # depend on the thread count, which differs between the recording host and
        # a CPU-limited replay container; one thread keeps the bits the same.
        with threadpool_limits(limits=1):
            metrics, model_bytes = train(args.epochs, args.hidden, args.lr, seed, args.test_size,
                                         log_epoch if tracking else None)

        if args.output:
            out = Path(args.output)
            out.mkdir(parents=True, exist_ok=True)
            (out / "metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n")
            (out / "model.pkl").write_bytes(model_bytes)

        if tracking:
            mlflow.log_metrics({"train_accuracy": metrics["train_accuracy"],
                                "val_log_loss": metrics["val_log_loss"]})
            with tempfile.TemporaryDirectory() as tmp:
                model_file = Path(tmp) / "model.pkl"
                model_file.write_bytes(model_bytes)
                mlflow.log_artifact(str(model_file), artifact_path="model")

    # Last stdout line: the final metrics as one JSON object (for stdout-json capture).
    print(json.dumps(metrics, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
