import { existsSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../../project-root.js";
import { ReproAuditError } from "../../errors.js";

export class PythonEnvMissingError extends ReproAuditError {
  readonly kind = "unreachable server";
  constructor(detail: string) {
    super(
      `${detail}\nThe embedded MLflow server runs from the project's own virtualenv. ` +
        `Create it with \`npm run setup\` (needs python3 with venv and pip), ` +
        `or set MLFLOW_TRACKING_URI to an existing tracking server.`,
    );
    this.name = "PythonEnvMissingError";
  }
}

/** Where the project virtualenv lives: REPRO_AUDIT_VENV overrides the default <root>/.venv. */
export function venvDir(env: NodeJS.ProcessEnv = process.env): string {
  return env["REPRO_AUDIT_VENV"] ?? join(projectRoot(), ".venv");
}

export function mlflowExecutable(env: NodeJS.ProcessEnv = process.env): string {
  const dir = venvDir(env);
  const python = join(dir, "bin", "python");
  if (!existsSync(python)) throw new PythonEnvMissingError(`No Python virtualenv at ${dir}.`);
  const mlflow = join(dir, "bin", "mlflow");
  if (!existsSync(mlflow)) throw new PythonEnvMissingError(`The virtualenv at ${dir} has no mlflow.`);
  return mlflow;
}

export function venvPython(env: NodeJS.ProcessEnv = process.env): string {
  const python = join(venvDir(env), "bin", "python");
  if (!existsSync(python)) throw new PythonEnvMissingError(`No Python virtualenv at ${venvDir(env)}.`);
  return python;
}
