#!/usr/bin/env bash
# Regenerates results/reference/: one audit per bundled scenario on the embedded
# server (or $MLFLOW_TRACKING_URI), its four report files, and a full-page
# screenshot of the HTML in headless Chromium. basic: a seeded and an unseeded
# run; mlp: a seeded run (step histories). Run it after changing the report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/ensure-chromium.sh
cli="node dist/harness/cli/main.js"
py=.venv/bin/python
uri=$(bash scripts/tracking-uri.sh)
run_id_of() { tail -n 1 | $py -c 'import json,sys; print(json.load(sys.stdin)["run_id"])'; }
record() { $py test/python/record_scenario_run.py --tracking-uri "$uri" --experiment "reference-$1" --train "scenarios/$1/train.py" "${@:2}" | run_id_of; }

reference() { # scenario, run ids...
  local scenario=$1; shift
  local id="reference-$scenario-$(date -u +%Y%m%d-%H%M%S)"
  local status=0
  MLFLOW_TRACKING_URI=$uri $cli audit --run "$@" --scenario "scenarios/$scenario" --replays 3 --audit-id "$id" --no-publish || status=$?
  [ "$status" -le 1 ] || exit "$status"
  local out="results/reference/$scenario"
  rm -rf "$out" && mkdir -p "$out"
  cp "results/$id"/{report.json,report.md,report.html,junit.xml} "$out/"
  node --input-type=module -e '
    import { chromium } from "playwright-core";
    const [html, png] = process.argv.slice(1);
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_BIN ?? "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`file://${html}`);
    await page.screenshot({ path: png, fullPage: true });
    await browser.close();
  ' "$PWD/$out/report.html" "$PWD/$out/report-html.png"
  echo "[reference] $out (audit $id)"
}

# Assigned first: a failing recorder then stops the script (set -e does not see into arguments).
basic_seeded=$(record basic --seed 42)
basic_unseeded=$(record basic --seed -1)
mlp_seeded=$(record mlp --seed 42)
reference basic "$basic_seeded" "$basic_unseeded"
reference mlp "$mlp_seeded"
