import { EngineUnavailableError } from "../exec/engine.js";
import { LimitsError } from "../plan/limits.js";
import { PlanError } from "../plan/plan.js";
import { MlflowConfigError, MlflowError, MlflowSchemaError, MlflowUnreachableError, UnsafePathError } from "../tracking/errors.js";
import { resolveTrackingUri, type ResolvedTracking } from "../tracking/server/resolve.js";
import { ExitCode, UserFacingError } from "./exit-codes.js";
import { terminalText } from "./terminal-text.js";

// How commands turn expected failures into one line on stderr and exit code 2:
// the kind of failure first (bad input, unreachable server, ...), then what the
// underlying error already says about what was wrong and how to fix it.

export class EmbeddedServerError extends Error {}

/** The tracking server for a command, with a message that says how to fix a missing one. */
export async function resolveTrackingForCli(opts: { trackingUri?: string | undefined; dataDir?: string | undefined }): Promise<ResolvedTracking> {
  try {
    return await resolveTrackingUri({ trackingUri: opts.trackingUri, dataDir: opts.dataDir });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new EmbeddedServerError(
      `MLFLOW_TRACKING_URI is not set and the embedded tracking server could not be started: ${why} ` +
        `(set MLFLOW_TRACKING_URI, or run the project set-up so the Python environment exists)`,
    );
  }
}

/** The failure kind for an expected error; undefined for a bug (which is rethrown). */
export function failureKind(err: unknown): string | undefined {
  if (err instanceof MlflowUnreachableError || err instanceof EmbeddedServerError) return "unreachable server";
  if (err instanceof UserFacingError || err instanceof MlflowConfigError || err instanceof UnsafePathError || err instanceof PlanError || err instanceof LimitsError) {
    return "bad input";
  }
  if (err instanceof MlflowError) return err.status === 401 || err.status === 403 ? "access refused by the server" : "tracking server error";
  if (err instanceof MlflowSchemaError) return "unexpected server answer";
  if (err instanceof EngineUnavailableError) return "container engine unavailable";
  return undefined;
}

/** Prints `repro-audit <command>: <kind>: <message>` and returns exit code 2; rethrows bugs. */
export function reportFailure(command: string, err: unknown): number {
  const kind = failureKind(err);
  if (kind === undefined) throw err;
  // Messages quote server answers and run IDs: controls made visible (a file's
  // list of problems keeps its line breaks).
  console.error(`repro-audit ${command}: ${kind}: ${terminalText((err as Error).message)}`);
  return ExitCode.usageOrInfra;
}
