#!/usr/bin/env bash
# Installs node modules when missing or when package-lock.json changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.repro-audit-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi
echo "[setup] installing node modules (npm ci)"
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
