#!/usr/bin/env bash
# Every benchmark, each printing ratios against a baseline measured in the same run
# (see bench/README.md). `npm run bench -- drift`, `-- report`, `-- start`, `-- trace`, `-- audit`, `-- parallel`, `-- sealed` or `-- swarm` runs one.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
which=${1:-all}
if [ "$which" = all ] || [ "$which" = drift ]; then
  echo "[bench] drift scoring"
  node dist/bench/drift-scoring.js
fi
if [ "$which" = all ] || [ "$which" = report ]; then
  echo "[bench] report scale (100 runs with histories; 1,000 runs without)"
  node dist/bench/report-scale.js
fi
if [ "$which" = all ] || [ "$which" = start ]; then
  echo "[bench] CLI start (--help vs node -e 0)"
  node dist/bench/cli-start.js
fi
if [ "$which" = all ] || [ "$which" = trace ]; then
  echo "[bench] trace of 10,000 runs vs the MLflow Python client's paged search_runs"
  node dist/bench/trace-scale.js --dry-run-audit
fi
if [ "$which" = all ] || [ "$which" = audit ]; then
  echo "[bench] audit 1 run x 1 replay vs a bare docker run, whole processes (needs the Docker engine)"
  node dist/bench/audit-overhead.js
fi
if [ "$which" = all ] || [ "$which" = parallel ]; then
  echo "[bench] 2 CPU-bound replays, --parallel 1 vs 2 (needs the Docker engine)"
  node dist/bench/parallel.js
fi
if [ "$which" = all ] || [ "$which" = sealed ]; then
  # The baseline is the last commit before sealed replays, built in a scratch worktree.
  base_rev=${REPRO_BENCH_BASELINE_REV:-c70c4e1}
  base_dir=.cache/bench-baseline-$base_rev
  if [ ! -f "$base_dir/dist/harness/cli/main.js" ]; then
    rm -rf "$base_dir"; git worktree prune
    git worktree add --detach "$base_dir" "$base_rev" >/dev/null
    ln -s "$PWD/node_modules" "$base_dir/node_modules"
    ln -s "$PWD/.venv" "$base_dir/.venv"
    (cd "$base_dir" && npx tsc -p tsconfig.json)
  fi
  echo "[bench] sealed replay vs the unsealed design of $base_rev (needs the Docker engine)"
  node dist/bench/sealed-overhead.js --baseline-cli "$base_dir/dist/harness/cli/main.js"
fi
if [ "$which" = all ] || [ "$which" = swarm ]; then
  echo "[bench] a replay as a swarm job vs as a container, same engine (needs root: a second dockerd, and docker-registry)"
  node dist/bench/swarm-overhead.js
fi
