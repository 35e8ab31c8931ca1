#!/usr/bin/env bash
# Regenerates the bundled compare study in results/reference/: scenarios/basic
# (seeded) and scenarios/mlp unseeded (--param seed=-1: split, initialisation and
# shuffling drawn from os.urandom), each in the three arms (untracked, MLflow,
# MLflow + capture), 5 executions per arm, interleaved; the report files and a
# full-page screenshot of the HTML in headless Chromium. The unseeded study exits 2
# by design (its arms are not reproducible); anything above 2 stops the script.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/ensure-chromium.sh
cli="node dist/harness/cli/main.js"
uri=$(bash scripts/tracking-uri.sh)

study() { # name, compare args...
  local name=$1; shift
  local id="reference-$name-$(date -u +%Y%m%d-%H%M%S)"
  local status=0
  MLFLOW_TRACKING_URI=$uri $cli compare "$@" --replays "${REPLAYS:-5}" --compare-id "$id" || status=$?
  [ "$status" -le 2 ] || exit "$status"
  local out="results/reference/$name"
  rm -rf "$out" && mkdir -p "$out"
  cp "results/$id"/{report.json,report.md,report.html} "$out/"
  node --input-type=module -e '
    import { chromium } from "playwright-core";
    const [html, png] = process.argv.slice(1);
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_BIN ?? "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`file://${html}`);
    await page.screenshot({ path: png, fullPage: true });
    await browser.close();
  ' "$PWD/$out/report.html" "$PWD/$out/report-html.png"
  echo "[reference] $out (compare $id, exit $status)"
}

study compare-basic --scenario scenarios/basic
study compare-mlp-unseeded --scenario scenarios/mlp --param seed=-1
