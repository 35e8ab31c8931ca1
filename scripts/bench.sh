#!/usr/bin/env bash
# Every benchmark, each printing ratios against a baseline measured in the same run
# (see bench/README.md). `npm run bench -- drift` or `-- replay` runs one.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
which=${1:-all}
if [ "$which" = all ] || [ "$which" = drift ]; then
  echo "[bench] drift scoring"
  node dist/bench/drift-scoring.js
fi
if [ "$which" = all ] || [ "$which" = replay ]; then
  echo "[bench] replay overhead (needs the Docker engine)"
  node dist/bench/replay-overhead.js
fi
