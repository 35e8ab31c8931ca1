#!/usr/bin/env bash
# The whole test suite, after bringing up everything it needs (see setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -f scripts/ensure-chromium.sh ]; then
  bash scripts/ensure-chromium.sh || echo "[test] warning: no Chromium; the HTML report test is skipped" >&2
fi
# Tests are not part of the build; type-check them with the sources (strict, like everything else).
echo "[test] type-checking sources, benchmarks and tests"
npx tsc -p tsconfig.test.json
# Format and lint (Biome, biome.json: recommended rules, 120 columns; useLiteralKeys is
# off because tsconfig's index-signature access wants obj["key"], and
# noControlCharactersInRegex because the terminal and HTML escaping match control
# characters on purpose), then dead files, exports and dependencies (knip, knip.json).
echo "[test] format, lint and dead-export checks (biome check, knip)"
npx biome check .
npx knip
exec npx vitest run --config test/vitest.config.ts "$@"
