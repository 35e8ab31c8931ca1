"""Logs a scikit-learn model saved by MLflow (MLmodel, environment files, model file)
as run artifacts under model/, the way MLflow 2 laid models out in runs, with the
real MLflow client. Same data and fit each time, so two runs hold the same model.

  .venv/bin/python test/python/log_model_files.py --tracking-uri URI [--features N]

Prints {"run_id": ..., "python": ..., "sklearn": ...} (the versions it ran with) as the last stdout line.
"""

import argparse
import json
import platform
import sys
import tempfile
from pathlib import Path

import mlflow
import mlflow.sklearn
import numpy as np
import sklearn
from mlflow.models import infer_signature
from sklearn.linear_model import LinearRegression


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--tracking-uri", required=True)
    p.add_argument("--features", type=int, default=3)
    args = p.parse_args()

    mlflow.set_tracking_uri(args.tracking_uri)
    mlflow.set_experiment("model-files")
    x = np.arange(30 * args.features, dtype=np.float64).reshape(30, args.features) % 7
    y = x.sum(axis=1)
    model = LinearRegression().fit(x, y)
    with mlflow.start_run() as run, tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model"
        mlflow.sklearn.save_model(model, str(path), signature=infer_signature(x, y))
        mlflow.log_artifacts(str(path), artifact_path="model")
    print(json.dumps({"run_id": run.info.run_id, "python": platform.python_version(), "sklearn": sklearn.__version__}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
