"""Create, with the real MLflow client, the runs that the REST client's tests read back.

Prints one JSON object with the ids it made. Needs MLFLOW_TRACKING_URI to point at a
server that serves artifacts. Everything is created under experiment --experiment.
"""
import argparse
import json
import os
import tempfile

import mlflow
import numpy as np
import pandas as pd
from mlflow import MlflowClient
from sklearn.linear_model import ElasticNet


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--experiment", default="tracking-fixtures")
    ap.add_argument("--model-name", default="TrackingFixtureModel")
    args = ap.parse_args()

    mlflow.set_experiment(args.experiment)
    exp = mlflow.get_experiment_by_name(args.experiment)
    rng = np.random.default_rng(7)
    X = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "c"])
    y = X["a"] * 2.0 + rng.normal(scale=0.1, size=40)

    with mlflow.start_run(run_name="full") as run:
        mlflow.log_params({"alpha": "0.5", "l1_ratio": "0.1", "seed": "7"})
        mlflow.set_tags({"mlflow.source.git.commit": "0123456789abcdef0123456789abcdef01234567", "team": "repro"})
        for step in range(5):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.log_metric("nan_metric", float("nan"))
        dataset = mlflow.data.from_pandas(X.assign(y=y), source="/data/wine.csv", name="wine-train", targets="y")
        mlflow.log_input(dataset, context="training")
        model = ElasticNet(alpha=0.5, l1_ratio=0.1).fit(X, y)
        info = mlflow.sklearn.log_model(model, name="model", input_example=X.head(2))
        mlflow.log_metric("rmse", 0.123, model_id=info.model_id)
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "notes.txt")
            with open(p, "w") as f:
                f.write("hello artifacts\n")
            mlflow.log_artifact(p, artifact_path="docs")

    client = MlflowClient()
    mv = mlflow.register_model(info.model_uri, args.model_name)
    client.set_registered_model_alias(args.model_name, "champion", mv.version)
    client.set_model_version_tag(args.model_name, mv.version, "stage", "candidate")

    raw = client.create_run(exp.experiment_id, run_name="raw")
    client.set_terminated(raw.info.run_id)

    print(json.dumps({
        "experiment_id": exp.experiment_id,
        "run_id": run.info.run_id,
        "raw_run_id": raw.info.run_id,
        "model_id": info.model_id,
        "model_name": args.model_name,
        "model_version": mv.version,
    }))


if __name__ == "__main__":
    main()
