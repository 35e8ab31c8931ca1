"""The baseline of bench/trace-scale.ts: every run of one experiment, read with the MLflow
Python client's paged search_runs (max_results 1000, following page tokens).

    python trace_scale_search.py SERVER_URL EXPERIMENT
"""

import sys

from mlflow import MlflowClient

client = MlflowClient(tracking_uri=sys.argv[1])
exp = client.get_experiment_by_name(sys.argv[2])
runs = []
token = None
while True:
    page = client.search_runs([exp.experiment_id], max_results=1000, page_token=token)
    runs.extend(page)
    token = page.token
    if not token:
        break
print(len(runs))
