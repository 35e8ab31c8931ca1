import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { z } from "zod";
import { venvPython } from "../../../harness/tracking/server/venv.js";

// Seeds the trace test runs with the REAL MLflow Python client (test/python/seed_trace_runs.py).

const SeededSchema = z.object({
  experimentId: z.string(),
  experimentName: z.string(),
  runs: z.object({ full: z.string(), raw: z.string(), registered: z.string() }),
  model: z.object({ name: z.string(), version: z.string(), alias: z.string() }),
});
export type SeededRuns = z.infer<typeof SeededSchema>;

const script = fileURLToPath(new URL("../../python/seed_trace_runs.py", import.meta.url));

export async function seedTraceRuns(trackingUri: string, experiment: string, modelName: string): Promise<SeededRuns> {
  const env: NodeJS.ProcessEnv = { ...process.env, MLFLOW_TRACKING_URI: trackingUri };
  for (const k of ["MLFLOW_RUN_ID", "MLFLOW_EXPERIMENT_NAME", "MLFLOW_EXPERIMENT_ID", "MLFLOW_TRACKING_TOKEN"])
    delete env[k];
  const { stdout } = await promisify(execFile)(
    venvPython(),
    [script, "--experiment", experiment, "--model-name", modelName, "--alias", "champion"],
    { env, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 },
  );
  return SeededSchema.parse(JSON.parse(stdout.trim().split("\n").at(-1) ?? ""));
}
