#!/usr/bin/env bash
# The whole test suite, after bringing up everything it needs (see setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -f scripts/ensure-chromium.sh ]; then
  bash scripts/ensure-chromium.sh || echo "[test] warning: no Chromium; the HTML report test is skipped" >&2
fi
exec npx vitest run --config test/vitest.config.ts "$@"
