import { ReproAuditError } from "../errors.js";
import { resolveTrackingUri, type ResolvedTracking } from "../tracking/server/resolve.js";
import { EXIT_CODE_BY_KIND } from "./exit-codes.js";
import { terminalText } from "./terminal-text.js";

// How commands turn expected failures into one line on stderr and an exit code:
// the kind of failure first (bad input, unreachable server, ...), then what the
// underlying error already says about what was wrong and how to fix it.

export class EmbeddedServerError extends ReproAuditError {
  readonly kind = "unreachable server";
}

/** The tracking server for a command, with a message that says how to fix a missing one. */
export async function resolveTrackingForCli(opts: {
  trackingUri?: string | undefined;
  dataDir?: string | undefined;
}): Promise<ResolvedTracking> {
  try {
    return await resolveTrackingUri({ trackingUri: opts.trackingUri, dataDir: opts.dataDir });
  } catch (err) {
    // A tracking URI that names no store, or one not supported, is the user's to fix as said.
    if (err instanceof ReproAuditError) throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw new EmbeddedServerError(
      `the embedded tracking server could not be started: ${why} ` +
        `(set MLFLOW_TRACKING_URI, or run the project set-up so the Python environment exists)`,
    );
  }
}

/** Prints `repro-audit <command>: <kind>: <message>` and returns the kind's exit code; rethrows bugs. */
export function reportFailure(command: string, err: unknown): number {
  if (!(err instanceof ReproAuditError)) throw err;
  // Messages quote server answers and run IDs: controls made visible (a file's
  // list of problems keeps its line breaks).
  console.error(`repro-audit ${command}: ${err.kind}: ${terminalText(err.message)}`);
  return EXIT_CODE_BY_KIND[err.kind];
}
