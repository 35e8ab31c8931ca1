#!/usr/bin/env bash
# Prints the tracking server the scripts use: $MLFLOW_TRACKING_URI when set, else
# the embedded server (started when it is not running). Messages go to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${MLFLOW_TRACKING_URI:-}" ]; then
  echo "$MLFLOW_TRACKING_URI"
  exit 0
fi
node dist/harness/cli/main.js server start >&2
node dist/harness/cli/main.js server status --json | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["state"]["url"])'
