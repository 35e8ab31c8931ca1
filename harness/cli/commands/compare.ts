import type { Command } from "commander";
import { ARM_IDS, type ArmId, parseArms } from "../../compare/arms.js";
import { addLimitOptions, collect, wholeNumber } from "../replay-options.js";

// `repro-audit compare`: its options and help; what it does is compare-action.ts,
// loaded when it runs, so that `--help` loads none of it.

export interface CompareCliOptions {
  scenario?: string;
  code?: string;
  run?: string;
  replays: number;
  arms: ArmId[];
  param: string[];
  tolerance: string[];
  compareId?: string;
  resultsDir?: string;
  trackingUri?: string;
  dataDir?: string;
  timeout?: number;
  memory?: number;
  cpus?: number;
  pids?: number;
  json?: boolean;
  attachExperiment?: string;
}

export function registerCompareCommand(program: Command): void {
  const cmd = program
    .command("compare")
    .description(
      "Run one workload in the same pinned image in arms that differ only in tracking: untracked (no MLflow at all: " +
        "no MLFLOW_* variable, the scenario's `untracked:` form of the command, metrics from its JSON output), mlflow " +
        "(tracking into each execution's own sealed sandbox store, metrics read from MLflow as audit does) and " +
        "mlflow+capture (the same with the capture plugin installed in the image). N executions per arm, interleaved " +
        "(A B C A B C ...) so drift of the machine hits every arm alike.\n\n" +
        "Per arm: metric distributions and its reproducibility verdict (execution 1 scored as the original, 2..N as replays, " +
        "the audit's rules), whether tracking changed the results (identical, else TOST equivalence at the audit's " +
        "--tolerance), the traceability of the run each execution recorded, and overhead (wall time, CPU time, peak " +
        "memory, bytes written) as median ratios to the first arm with bootstrap 95% intervals.\n\n" +
        "Writes results/<compare-id>/ with report.json (schema repro-audit/compare v1), report.md and report.html.\n\n" +
        "Exit codes: 0 the arms agree and each is reproducible; 1 an arm not reproducible, or a metric not shown the " +
        "same across arms (different, or inconclusive); 2 it could not be checked (an arm that could not run or " +
        "whose executions failed, no metric read), bad input, engine or server unavailable, interrupted.",
    )
    .option("--scenario <dir>", "a scenario folder (scenario.yaml), e.g. scenarios/basic")
    .option(
      "--code <checkout>",
      "a code folder (scenario.yaml or MLproject); with --run, a git checkout replayed at the run's commit",
    )
    .option("--run <id>", "take the command and params from this recorded run (needs --code or --scenario)")
    .option("--replays <n>", "executions per arm (>= 2)", wholeNumber("--replays", { min: 2, max: 1000 }, "5"), 3)
    .option(
      "--arms <list>",
      `comma-separated, the first is the baseline of the ratios: ${ARM_IDS.join(", ")}`,
      (v) => parseArms(v),
      [...ARM_IDS],
    )
    .option(
      "--param <key=value>",
      "a parameter of the scenario's command (repeatable), e.g. --param seed=-1",
      collect,
      [],
    )
    .option(
      "--tolerance <spec>",
      "NAME=KIND:VALUE[,KIND:VALUE] as for audit; the equivalence margin and the arms' verdicts use it",
      collect,
      [],
    )
    .option("--compare-id <id>", "name the results folder (default: <timestamp>-compare-<random>)")
    .option("--results-dir <dir>", "where compare folders go (default: results/ in the project)")
    .option(
      "--tracking-uri <uri>",
      "tracking server the executions' runs are imported into (default: MLFLOW_TRACKING_URI, else the embedded server)",
    )
    .option("--data-dir <dir>", "data folder of the embedded server, when it is used");
  addLimitOptions(cmd, "execution")
    .option(
      "--attach-experiment <name>",
      "also keep the study in MLflow: a run in this experiment (created when missing) gets the report files as artifacts, the study's tags and each arm's overhead ratios and traceability as metrics",
    )
    .option("--json", "print report.json on stdout instead of the table")
    .action(async (opts: CompareCliOptions) => {
      // The engine client, the job and the renderers load only when the command runs.
      const { compareAction } = await import("./compare-action.js");
      process.exitCode = await compareAction(opts);
    });
}
