"""An unmodified MLflow script, as small as one gets: the capture plugin's tests run it
with MLflow 2 and with a broken probe. Prints the run's ID as its last line."""

import json

import mlflow

with mlflow.start_run() as run:
    mlflow.log_param("alpha", "0.5")
    mlflow.log_metric("rmse", 1.25)
print(json.dumps({"run_id": run.info.run_id}))
