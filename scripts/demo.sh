#!/usr/bin/env bash
# The main job: on the embedded MLflow server (or $MLFLOW_TRACKING_URI), record two
# runs of scenarios/basic with the real MLflow client, one seeded and one
# deliberately unseeded (--seed -1), register the seeded one as a model version,
# then audit both: 3 replays each in a pinned container, drift scored, and the
# report written to results/<audit-id>/ and attached to the runs and the version.
# Extra arguments go to `repro-audit audit` (e.g. --replays 5, --tolerance ...).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cli="node dist/harness/cli/main.js"
# MLflow 3 reports usage to a remote endpoint; the demo stays on loopback.
export MLFLOW_DISABLE_TELEMETRY=${MLFLOW_DISABLE_TELEMETRY:-true}
py=.venv/bin/python
uri=$(bash scripts/tracking-uri.sh)
run_id_of() { tail -n 1 | $py -c 'import json,sys; print(json.load(sys.stdin)["run_id"])'; }
echo "[demo] recording a seeded and an unseeded run of scenarios/basic on $uri"
seeded=$($py test/python/record_scenario_run.py --tracking-uri "$uri" --experiment basic-demo --seed 42 --tag repro.scenario=basic | run_id_of)
unseeded=$($py test/python/record_scenario_run.py --tracking-uri "$uri" --experiment basic-demo --seed -1 --tag repro.scenario=basic | run_id_of)
$py test/python/register_model_version.py --tracking-uri "$uri" --run-id "$seeded" --name basic-demo-model 2>/dev/null | tail -n 1
echo "[demo] auditing runs $seeded (seed 42) and $unseeded (unseeded)"
status=0
MLFLOW_TRACKING_URI=$uri $cli audit --run "$seeded" "$unseeded" --scenario scenarios/basic --replays 3 "$@" || status=$?
if [ "$status" -eq 1 ]; then
  # Exit 1 is a finding, not a failure of the demo: the unseeded run may land outside its replays' spread.
  echo "[demo] the audit found a run that did not reproduce (exit 1); see the report above"
  status=0
fi
latest=$(ls -td results/*/report.md 2>/dev/null | head -n 1 || true)
[ -n "$latest" ] && echo "[demo] Markdown report: $latest (HTML beside it)"
exit "$status"
