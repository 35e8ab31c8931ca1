import type { Command } from "commander";
import { type ReplayCliOptions, addReplayOptions } from "../replay-options.js";

// `repro-audit replay`: its options and help; what it does is replay-action.ts,
// loaded when it runs, so that `--help` loads none of it.

export interface ReplayCommandOptions extends ReplayCliOptions {
  run: string;
  resume?: string;
  json?: boolean;
}

export function registerReplayCommand(program: Command): void {
  const cmd = program
    .command("replay")
    .description(
      "Re-execute one recorded run N times in a pinned container and print each metric: original vs every replay. " +
        "Each replay is its own MLflow run (tags repro.replay_of, repro.audit_id, repro.replay_index); results are " +
        "journaled under results/<audit-id>/ so an interrupted replay resumes with --resume <audit-id>. " +
        "Before the image is prepared the run is planned and checked: one with nothing to compare (no metrics " +
        "recorded) or no way to run is refused, exit 2. --dry-run prints that plan and check and stops: nothing built, " +
        "run or written; exit 0 when the run can be replayed, 2 when it cannot.",
    )
    .requiredOption("--run <id>", "the run to replay")
    .option("--resume <audit-id>", "continue an interrupted replay; finished replays are not redone");
  addReplayOptions(cmd)
    .option("--json", "print the result as JSON instead of a table (with --dry-run, the preview)")
    .action(async (opts: ReplayCommandOptions) => {
      // The work's modules (engine client, plans, replays) load only when the command runs.
      const { replayCommand } = await import("./replay-action.js");
      process.exitCode = await replayCommand(opts);
    });
}
