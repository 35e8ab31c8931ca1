"""An unmodified autologging script: sklearn's autolog starts the run, the script never
calls start_run. Prints the run's ID as its last line."""

import json

import mlflow
import mlflow.sklearn
from sklearn.datasets import load_diabetes
from sklearn.linear_model import ElasticNet

mlflow.sklearn.autolog(log_models=False, log_datasets=False)
x, y = load_diabetes(return_X_y=True)
ElasticNet(alpha=0.5, random_state=0).fit(x, y)
print(json.dumps({"run_id": mlflow.last_active_run().info.run_id}))
