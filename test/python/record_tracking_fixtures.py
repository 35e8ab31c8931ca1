"""Record real MLflow REST answers as JSON fixtures for the tracking client's unit tests.

Usage (against a fresh server that serves artifacts):
  MLFLOW_TRACKING_URI=http://127.0.0.1:PORT python record_tracking_fixtures.py OUT_DIR

Creates its runs with the real MLflow client (tracking_fixture_runs.py), then stores the
server's raw answers, each as {"request": ..., "status": ..., "body": ...}.
"""
import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import mlflow
from mlflow import MlflowClient

BASE = os.environ["MLFLOW_TRACKING_URI"].rstrip("/")
OUT = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))


def call(method, path, query=None, body=None):
    url = BASE + path + ("?" + urllib.parse.urlencode(query, doseq=True) if query else "")
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req) as res:
            return res.status, json.loads(res.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def record(name, method, path, query=None, body=None):
    status, answer = call(method, path, query, body)
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump({"request": {"method": method, "path": path, "query": query, "body": body},
                   "status": status, "body": answer}, f, indent=2, sort_keys=True)
        f.write("\n")
    return answer


def main():
    os.makedirs(OUT, exist_ok=True)
    ids = json.loads(subprocess.run(
        [sys.executable, os.path.join(HERE, "tracking_fixture_runs.py")],
        check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
    client = MlflowClient()
    for i in range(3):  # enough runs for three pages of two
        r = client.create_run(ids["experiment_id"], run_name=f"extra-{i}")
        client.set_terminated(r.info.run_id)
    api = "/api/2.0/mlflow"
    exp, run, model = ids["experiment_id"], ids["run_id"], ids["model_id"]
    name, version = ids["model_name"], ids["model_version"]

    record("experiment_get_by_name", "GET", f"{api}/experiments/get-by-name", {"experiment_name": "tracking-fixtures"})
    record("experiment_get_missing", "GET", f"{api}/experiments/get-by-name", {"experiment_name": "no-such-experiment"})
    record("experiments_search", "POST", f"{api}/experiments/search", body={"max_results": 1000})
    record("run_get_full", "GET", f"{api}/runs/get", {"run_id": run})
    record("run_get_raw", "GET", f"{api}/runs/get", {"run_id": ids["raw_run_id"]})
    record("run_get_missing", "GET", f"{api}/runs/get", {"run_id": "0" * 32})
    token, page = None, 1
    while True:
        body = {"experiment_ids": [exp], "max_results": 2, "order_by": ["attributes.start_time ASC"]}
        if token:
            body["page_token"] = token
        answer = record(f"runs_search_page{page}", "POST", f"{api}/runs/search", body=body)
        token = answer.get("next_page_token")
        if not token:
            break
        page += 1
    record("runs_search_bad_filter", "POST", f"{api}/runs/search",
           body={"experiment_ids": [exp], "filter": "params.alpha >>> 1"})
    token, page = None, 1
    while True:
        q = {"run_id": run, "metric_key": "loss", "max_results": 2}
        if token:
            q["page_token"] = token
        answer = record(f"metric_history_page{page}", "GET", f"{api}/metrics/get-history", q)
        token = answer.get("next_page_token")
        if not token:
            break
        page += 1
    record("artifacts_list_run_root", "GET", "/api/2.0/mlflow-artifacts/artifacts", {"path": f"{exp}/{run}/artifacts"})
    record("artifacts_list_model", "GET", "/api/2.0/mlflow-artifacts/artifacts",
           {"path": f"{exp}/models/{model}/artifacts"})
    record("logged_model_get", "GET", f"{api}/logged-models/{model}")
    record("logged_models_search", "POST", f"{api}/logged-models/search", body={"experiment_ids": [exp]})
    record("registered_model_get", "GET", f"{api}/registered-models/get", {"name": name})
    record("registered_models_search", "GET", f"{api}/registered-models/search", {"max_results": 1000})
    record("model_versions_search", "GET", f"{api}/model-versions/search", {"filter": f"name='{name}'"})
    record("model_version_get", "GET", f"{api}/model-versions/get", {"name": name, "version": version})
    record("model_version_by_alias", "GET", f"{api}/registered-models/alias", {"name": name, "alias": "champion"})
    record("model_version_by_alias_missing", "GET", f"{api}/registered-models/alias", {"name": name, "alias": "nope"})
    record("log_batch_too_many_params", "POST", f"{api}/runs/log-batch", body={
        "run_id": ids["raw_run_id"], "params": [{"key": f"p{i}", "value": "x"} for i in range(101)]})
    with open(os.path.join(OUT, "ids.json"), "w") as f:
        json.dump({**ids, "mlflow_version": mlflow.__version__}, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
