#!/usr/bin/env bash
# Creates the project virtualenv (.venv) for the embedded MLflow server and the test
# scripts, from the hash-locked requirements; quick when the lock has not changed.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${REPRO_AUDIT_VENV:-.venv}
lock=scripts/python/server-requirements.lock
stamp="$venv/.repro-audit-lock.sha256"
want=$(sha256sum "$lock" | cut -d' ' -f1)
if [ -x "$venv/bin/mlflow" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi
py=${PYTHON:-python3}
if ! command -v "$py" >/dev/null 2>&1; then
  echo "[setup] error: $py not found. Install CPython 3.11 with venv and pip (Debian: apt-get install -y python3 python3-venv python3-pip), or set PYTHON=/path/to/python3." >&2
  exit 2
fi
echo "[setup] creating Python virtualenv $venv from $lock"
rm -rf "$venv"
"$py" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes --no-deps -r "$lock"
echo "$want" > "$stamp"
