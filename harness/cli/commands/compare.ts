import { join } from "node:path";
import Table from "cli-table3";
import type { Command } from "commander";
import { type CompareJobResult, compareJob } from "../../audit/compare-job.js";
import { ARM_IDS, ARMS, type ArmId, parseArms } from "../../compare/arms.js";
import { type CompareReport, OVERHEAD_MEASURES, serializeCompareReport } from "../../compare/schema.js";
import {
  MEASURE_LABEL,
  meanSd,
  measureValue,
  outcomeText,
  percent,
  ratioText,
  verdictWord,
} from "../../compare/text.js";
import { DEFAULT_POLICY, ToleranceSpecError, parseTolerancePolicy } from "../../drift/tolerance.js";
import { BadInputError } from "../../errors.js";
import { captureWheel } from "../../exec/capture-wheel.js";
import { projectRoot } from "../../project-root.js";
import { ExitCode } from "../exit-codes.js";
import { reportFailure, resolveTrackingForCli } from "../failure.js";
import { catchInterrupts } from "../interrupt.js";
import { preflight } from "../preflight.js";
import { createProgress } from "../progress.js";
import { collect, decimalNumber, limitsFrom, wholeNumber } from "../replay-options.js";
import { LIMIT_BOUNDS } from "../../plan/limits.js";
import { terminalJson, terminalLine } from "../terminal-text.js";

interface CompareCliOptions {
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
}

export function registerCompareCommand(program: Command): void {
  program
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
        "Exit codes: 0 the arms agree and each is reproducible; 2 otherwise (an arm not reproducible, a metric not " +
        "shown equivalent, an arm that could not run, bad input, engine or server unavailable, interrupted).",
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
    .option("--data-dir <dir>", "data folder of the embedded server, when it is used")
    .option(
      "--timeout <seconds>",
      "wall-clock limit per execution",
      decimalNumber("--timeout", LIMIT_BOUNDS.timeoutSeconds, "600"),
    )
    .option("--memory <MiB>", "memory limit per execution", wholeNumber("--memory", LIMIT_BOUNDS.memoryMb, "2048"))
    .option("--cpus <n>", "CPUs per execution (may be fractional)", decimalNumber("--cpus", LIMIT_BOUNDS.cpus, "1.5"))
    .option("--pids <n>", "process/thread limit per execution", wholeNumber("--pids", LIMIT_BOUNDS.pids, "256"))
    .option("--json", "print report.json on stdout instead of the table")
    .action(async (opts: CompareCliOptions) => {
      process.exitCode = await compareAction(opts);
    });
}

function parseParams(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of list) {
    const eq = p.indexOf("=");
    if (eq <= 0) throw new BadInputError(`--param ${JSON.stringify(p)}: give key=value, e.g. --param seed=-1`);
    out[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return out;
}

async function compareAction(opts: CompareCliOptions): Promise<number> {
  const progress = createProgress();
  const interrupt = catchInterrupts((again) =>
    progress.stage(
      again
        ? "still stopping: removing the running container"
        : "interrupted: stopping; the report covers what finished",
    ),
  );
  let result: CompareJobResult;
  try {
    if ((opts.scenario === undefined) === (opts.code === undefined) && opts.run === undefined)
      throw new BadInputError("say what to compare: --scenario DIR or --code CHECKOUT (one of them)");
    let policy: typeof DEFAULT_POLICY;
    try {
      policy = parseTolerancePolicy(opts.tolerance, DEFAULT_POLICY);
    } catch (err) {
      if (err instanceof ToleranceSpecError) throw new BadInputError(`--tolerance: ${err.message}`);
      throw err;
    }
    const resultsDir = opts.resultsDir ?? join(projectRoot(), "results");
    await preflight({ resultsDir, executor: "docker" });
    const tracking = await resolveTrackingForCli(opts);
    result = await compareJob({
      ...(opts.scenario !== undefined ? { scenarioDir: opts.scenario } : {}),
      ...(opts.code !== undefined ? { codePath: opts.code } : {}),
      ...(opts.run !== undefined ? { runId: opts.run } : {}),
      params: parseParams(opts.param),
      arms: opts.arms,
      replays: opts.replays,
      policy,
      limits: limitsFrom(opts),
      resultsDir,
      trackingUri: tracking.uri,
      ...(opts.compareId !== undefined ? { compareId: opts.compareId } : {}),
      captureWheel: () => captureWheel(),
      signal: interrupt.signal,
      onStage: (m) => progress.stage(m),
      onBuildProgress: (e) => progress.stage(`image: ${e.message}`),
      onExecution: (arm, e) => {
        if (e.type === "start") progress.stage(`${ARMS[arm].label}: execution ${e.index + 1} started`);
        if (e.type === "done")
          progress.stage(
            `${ARMS[arm].label}: execution ${e.record.index + 1} ${e.record.status}${e.record.failure ? ` (${e.record.failure.message})` : ""} in ${(e.record.durationMs / 1000).toFixed(2)} s`,
          );
      },
    });
  } catch (err) {
    return reportFailure("compare", err);
  } finally {
    progress.stop();
    interrupt.dispose();
  }
  if (opts.json) process.stdout.write(terminalJson(serializeCompareReport(result.report)));
  else console.log(renderCompareSummary(result.report, result.files));
  if (result.aborted) return ExitCode.usageOrInfra;
  return result.report.outcome.exitCode;
}

/** The side-by-side table on the terminal, then where the report files are. */
export function renderCompareSummary(
  doc: CompareReport,
  files?: { json: string; markdown: string; html: string },
): string {
  const arms = doc.arms;
  const t = new Table({ head: ["", ...arms.map((a) => terminalLine(a.label))] });
  t.push(["reproducibility", ...arms.map((a) => verdictWord(a))]);
  for (const m of arms.find((a) => a.refusal === undefined)?.metrics ?? [])
    t.push([
      terminalLine(m.name),
      ...arms.map((a) => meanSd(a.metrics.find((x) => x.name === m.name)?.summary ?? { mean: null, sd: null, n: 0 })),
    ]);
  t.push(["traceability", ...arms.map((a) => (a.refusal ? "—" : percent(a.traceability.score)))]);
  for (const m of OVERHEAD_MEASURES)
    t.push([
      `${MEASURE_LABEL[m]} (median)`,
      ...arms.map((a) =>
        a.refusal ? "—" : `${measureValue(m, a.usage[m].median)}${a.overhead ? `\n${ratioText(a.overhead[m])}` : ""}`,
      ),
    ]);
  const eq = doc.equivalence.map(
    (r) =>
      `${terminalLine(ARMS[r.arm].label)} vs ${terminalLine(ARMS[doc.baseline].label)}: ${terminalLine(r.metric)} ${r.verdict}`,
  );
  return [
    `compare ${doc.compareId}: ${outcomeText(doc)} (exit ${doc.outcome.exitCode})`,
    t.toString(),
    ...eq,
    ...doc.outcome.reasons.map((r) => `- ${terminalLine(r)}`),
    ...(files ? [`report: ${files.json}`, `        ${files.markdown}`, `        ${files.html}`] : []),
  ].join("\n");
}
