import { InvalidArgumentError, type Command } from "commander";
import type { SelectionOptions } from "../../selection/selection.js";
import { FORMULA_TEXT } from "../../trace/formula-text.js";
import { TRACE_SCHEMA_ID, TRACE_SCHEMA_VERSION } from "../../trace/trace-version.js";
import { addSelectionOptions } from "../selection-options.js";

// `repro-audit trace`: its options and help; what it does is trace-action.ts,
// loaded when it runs, so that `--help` loads none of it.

export interface TraceOptions extends SelectionOptions {
  json?: boolean;
  trackingUri?: string;
  dataDir?: string;
  concurrency?: number;
  details?: boolean;
  progress?: boolean;
}

export function registerTraceCommand(program: Command): void {
  const cmd = program
    .command("trace")
    .description(
      "Check what each selected run recorded that a re-execution needs (params, metrics, source, git commit, " +
        "dirty state, repository, command, environments, dataset digests, seed, hardware, image) and score " +
        "its completeness. Nothing is re-executed.\n\n" +
        `Score: ${FORMULA_TEXT}\n\n` +
        "Exit codes: 0 done, 2 bad input (unknown experiment/run/model, invalid filter) or unreachable server.",
    );
  addSelectionOptions(cmd)
    .option(
      "--json",
      `print the versioned JSON document (schema ${TRACE_SCHEMA_ID}, version ${TRACE_SCHEMA_VERSION}) instead of the table`,
    )
    .option("--details", "list every run's gaps under the table (default: only for up to 10 runs)")
    .option("--tracking-uri <uri>", "tracking server (default: $MLFLOW_TRACKING_URI, else the embedded server)")
    .option("--data-dir <dir>", "data folder of the embedded server, when it is used")
    .option("--concurrency <n>", "requests in flight at once (default 8)", parseConcurrency)
    .option(
      "--progress",
      "show the selection's progress on stderr even when it is not a terminal (on a terminal it is always shown)",
    )
    .action(async (opts: TraceOptions) => {
      // The readers and the checklist load only when the command runs.
      const { traceAction } = await import("./trace-action.js");
      process.exitCode = await traceAction(opts);
    });
}

function parseConcurrency(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError("must be a whole number from 1 to 64");
  return n;
}
