import type { Command } from "commander";
import { REPORT_SCHEMA_ID, REPORT_VERSION } from "../../report/report-version.js";
import { ACCEPT_LEVELS, type AcceptLevel, DEFAULT_ACCEPT } from "../../drift/accept-levels.js";
import { acceptLevelsText } from "../../drift/policy-text.js";
import { DEFAULT_TOLERANCE } from "../../drift/tolerance.js";
import { BadInputError } from "../../errors.js";
import { type ReplayCliOptions, addReplayOptions, collect } from "../replay-options.js";
import type { SelectionOptions } from "../../selection/selection.js";
import { addSelectionOptions } from "../selection-options.js";

// `repro-audit audit`: its options and help. Kept apart from what it does
// (audit-action.ts) so that `--help` and option errors load none of the work's
// modules: see test/e2e/start-modules.test.ts.

export interface AuditCliOptions extends SelectionOptions, ReplayCliOptions {
  tolerance: string[];
  accept: AcceptLevel;
  auditId?: string;
  resume?: string;
  publish: boolean;
  json?: boolean;
  dataDir?: string;
}

// Generated from the constants, so the help cannot drift from what the audit applies.
const DEFAULT_TOLERANCE_TEXT = Object.entries(DEFAULT_TOLERANCE)
  .map(([kind, value]) => `${kind}:${value}`)
  .join(", ");

export function registerAuditCommand(program: Command): void {
  const cmd = program
    .command("audit")
    .description(
      "The main job: select runs (as `trace` does), replay each N times in a pinned container (as `replay` does), " +
        "score every metric's drift against the original, and write results/<audit-id>/ with report.json (the " +
        "source of truth), report.md, report.html and junit.xml. The report is then attached to each audited run " +
        "(artifacts under repro-audit/<audit-id>/, tags repro.verdict, repro.score, repro.report, repro.audit, metric repro.score) and to every " +
        "registered model version made from those runs (the same tags, and a summary appended to its description).\n\n" +
        "Verdicts per metric: identical, equivalent (within --tolerance), varies (the original lies inside the " +
        `replays' spread), not reproduced, failed. Default tolerance: ${DEFAULT_TOLERANCE_TEXT} (any one suffices).\n\n` +
        `A run is reproduced when no metric is weaker than --accept (default ${DEFAULT_ACCEPT}; CI that demands bitwise ` +
        "replays uses --accept identical).\n\n" +
        "Replays per run: --replays auto (the default) runs 3, then more at the looks 5, 8, 12, 20 while a metric's " +
        "verdict rests on a wide interval, up to --max-replays (default 20), and scores the run at the level the " +
        "stopping rule spent on its last look (harness/drift/README.md); --replays N runs exactly N.\n\n" +
        "Before any image is prepared or any folder written, every run is planned and checked: a run with nothing to " +
        "compare (no metrics recorded) or no way to run is refused there, and when no run can be replayed the audit " +
        "exits 2 having written nothing. --dry-run stops after that check and prints it: per run, the plan (command " +
        "and its source, entry point, params), the environment file, the image it would use or build, what would be " +
        "compared, limits and notes; exit 0 when every run can be replayed, 2 when any cannot.\n\n" +
        "Exit codes: 0 every run reproduced, 1 some run not reproduced (or its replays failed), " +
        "2 bad input, unreachable server or engine, a run that could not be replayed at all, an original run that " +
        "changed during the audit (it is then not scored), or an incomplete audit " +
        "(interrupted, or a replay stopped by an infrastructure fault: the report says incomplete; finish it with --resume <audit-id>).",
    );
  addSelectionOptions(cmd);
  addReplayOptions(cmd, { auto: true })
    .option(
      "--tolerance <spec>",
      "NAME=KIND:VALUE[,KIND:VALUE], kinds abs, rel, ulps; NAME * = default; repeatable, e.g. rmse=rel:1e-6",
      collect,
      [],
    )
    .option(
      "--accept <level>",
      `the weakest metric verdict that still counts as reproduced: ${acceptLevelsText()}`,
      (v) => {
        if (!(ACCEPT_LEVELS as readonly string[]).includes(v))
          throw new BadInputError(`--accept must be one of ${ACCEPT_LEVELS.join(", ")}, got "${v}"`);
        return v as AcceptLevel;
      },
      DEFAULT_ACCEPT,
    )
    .option("--audit-id <id>", "name the audit (default: <timestamp>-audit-<random>)")
    .option(
      "--resume <audit-id>",
      "continue an interrupted audit (its selection is remembered); finished replays are not redone",
    )
    .option("--no-publish", "do not attach the report to the runs and their model versions")
    .option(
      "--json",
      `print the report document (schema ${REPORT_SCHEMA_ID}, version ${REPORT_VERSION}) on stdout; with --dry-run, the preview`,
    )
    .option("--data-dir <dir>", "data folder of the embedded server, when it is used")
    .action(async (opts: AuditCliOptions) => {
      // The work's modules (engine client, scoring, reports) load only when the command runs.
      const { auditAction } = await import("./audit-action.js");
      process.exitCode = await auditAction(opts);
    });
}
