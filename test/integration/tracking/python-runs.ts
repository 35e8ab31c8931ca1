import { execa } from "execa";
import { fileURLToPath } from "node:url";
import { venvPython } from "../../../harness/tracking/server/venv.js";

// Runs the test/python scripts that create runs with the real MLflow client.

const pythonDir = fileURLToPath(new URL("../../python/", import.meta.url));

export async function runPythonScript<T>(script: string, trackingUri: string, args: string[] = []): Promise<T> {
  const { stdout } = await execa(venvPython(), [pythonDir + script, ...args], {
    env: { MLFLOW_TRACKING_URI: trackingUri, GIT_PYTHON_REFRESH: "quiet" },
    timeout: 150_000,
  });
  const last = stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(last) as T;
}

export interface FixtureIds {
  experiment_id: string;
  run_id: string;
  raw_run_id: string;
  model_id: string;
  model_name: string;
  model_version: string;
}
