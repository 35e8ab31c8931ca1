import { join, resolve } from "node:path";
import { projectRoot } from "../../project-root.js";

// Where the embedded server keeps its data unless told otherwise: a leaf, so that
// `server --help` can name it without loading the server's state schema.

/** Default data folder: REPRO_AUDIT_DATA_DIR, else results/mlflow-data in the project. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env["REPRO_AUDIT_DATA_DIR"] ?? join(projectRoot(), "results", "mlflow-data"));
}
