import { join } from "node:path";
import { execa } from "execa";
import { projectDir } from "./cli.js";

/** The project venv's python, which records runs with the real MLflow client. */
export const venvPython = join(projectDir, ".venv/bin/python");

/**
 * Records a run of a bundled scenario with the real MLflow client
 * (test/python/record_scenario_run.py; `args` are its options, e.g. --experiment,
 * --seed, --train, --param, --tag) and returns the new run's ID.
 */
export async function recordScenarioRun(trackingUri: string, args: readonly string[] = []): Promise<string> {
  const out = await execa(venvPython, [
    join(projectDir, "test/python/record_scenario_run.py"),
    "--tracking-uri",
    trackingUri,
    ...args,
  ]);
  const last = out.stdout.trim().split("\n").at(-1) ?? "";
  return (JSON.parse(last) as { run_id: string }).run_id;
}
