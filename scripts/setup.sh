#!/usr/bin/env bash
# Brings a fresh machine to where the harness and its tests run: node modules, the
# Python virtualenv, the Docker engine, and the build. Each step is quick when done.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-node.sh
bash scripts/ensure-python.sh
if [ -f scripts/ensure-docker.sh ] && [ -z "${REPRO_AUDIT_NO_DOCKER:-}" ]; then
  bash scripts/ensure-docker.sh || echo "[setup] warning: no Docker engine; replays fall back to --executor local and docker tests are skipped" >&2
  # The swarm executor's tests push images to a registry of their own on loopback.
  bash scripts/ensure-registry.sh || echo "[setup] warning: no docker-registry; the swarm executor's tests are skipped" >&2
fi
echo "[setup] building TypeScript"
npx tsc -p tsconfig.json
