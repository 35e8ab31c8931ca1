import { Command, CommanderError } from "commander";
import { harnessVersion } from "../version.js";
import { registerAuditCommand } from "./commands/audit.js";
import { registerCompareCommand } from "./commands/compare.js";
import { registerReplayCommand } from "./commands/replay.js";
import { registerScanCommand } from "./commands/scan.js";
import { registerServerCommand } from "./commands/server.js";
import { registerTraceCommand } from "./commands/trace.js";
import { ExitCode } from "./exit-codes.js";
import { failureKindOf } from "../errors.js";
import { terminalText } from "./terminal-text.js";

/** Builds the CLI; separate from main.ts so tests can drive it in-process. */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name("repro-audit")
    .description(
      "Reproducibility audits for ML runs recorded in MLflow: check what a run recorded (trace), " +
        "re-execute it in pinned containers (replay), score metric drift into a report (audit), run one workload with and " +
        "without tracking side by side (compare), and count tracking calls and reproducibility hazards in code (scan).\n\n" +
        "Tracking server: MLFLOW_TRACKING_URI (with MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/PASSWORD), " +
        "or, when unset, an embedded MLflow server started on demand (see `repro-audit server --help`).\n\n" +
        "Exit codes: 0 done/reproduced, 1 not reproduced (scan: hazards found), 2 bad input or infrastructure failure.",
    )
    .version(harnessVersion())
    // `trace --model M --version V` must reach the subcommand, not print our version.
    .enablePositionalOptions()
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  registerServerCommand(program);
  registerTraceCommand(program);
  registerReplayCommand(program);
  registerAuditCommand(program);
  registerCompareCommand(program);
  registerScanCommand(program);
  return program;
}

/** Runs the CLI and returns the exit code instead of exiting, so it can be tested. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  process.exitCode = undefined;
  try {
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : ExitCode.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors were already printed.
      return err.exitCode === 0 ? ExitCode.ok : ExitCode.usageOrInfra;
    }
    const message = err instanceof Error ? err.message : String(err);
    // Option parsers throw before any command runs (--replays 1e9): same one line
    // as a command's own failures, `repro-audit <command>: <kind>: <message>`.
    const kind = failureKindOf(err);
    const first = argv.find((a) => !a.startsWith("-"));
    const command = program.commands.find((c) => c.name() === first)?.name();
    console.error(
      `repro-audit${command !== undefined ? ` ${command}` : ""}: ${kind !== undefined ? `${kind}: ` : ""}${terminalText(message)}`,
    );
    if (process.env["REPRO_AUDIT_DEBUG"] && err instanceof Error && err.stack) console.error(err.stack);
    return ExitCode.usageOrInfra;
  }
}
