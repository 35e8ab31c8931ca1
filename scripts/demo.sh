#!/usr/bin/env bash
# The main job: record a run of scenarios/basic with the real MLflow client on the
# embedded tracking server, check its traceability, and replay it 3 times in a pinned
# container, printing each metric's original vs replay values.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cli="node dist/harness/cli/main.js"
uri=${MLFLOW_TRACKING_URI:-}
if [ -z "$uri" ]; then
  $cli server start
  uri=$($cli server status --json | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["state"]["url"])')
fi
echo "[demo] recording a run of scenarios/basic on $uri"
run_id=$(.venv/bin/python test/python/record_basic_run.py --tracking-uri "$uri" --experiment basic-demo \
  --tag repro.scenario=basic | tail -n 1 | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["run_id"])')
echo "[demo] traceability of run $run_id"
MLFLOW_TRACKING_URI=$uri $cli trace --run "$run_id" || true
echo "[demo] replaying run $run_id 3 times in a pinned container"
MLFLOW_TRACKING_URI=$uri exec $cli replay --run "$run_id" --scenario scenarios/basic --replays 3 "$@"
