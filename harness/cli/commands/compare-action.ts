// What `repro-audit compare` does, loaded when it runs (its options: compare.ts).
import { join } from "node:path";
import Table from "cli-table3";
import { type CompareJobResult, compareJob } from "../../audit/compare-job.js";
import { ARMS } from "../../compare/arms.js";
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
import { limitsFrom } from "../replay-options.js";
import { terminalJson, terminalLine } from "../terminal-text.js";

import type { CompareCliOptions } from "./compare.js";

function parseParams(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of list) {
    const eq = p.indexOf("=");
    if (eq <= 0) throw new BadInputError(`--param ${JSON.stringify(p)}: give key=value, e.g. --param seed=-1`);
    out[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return out;
}

export async function compareAction(opts: CompareCliOptions): Promise<number> {
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
      ...(opts.attachExperiment !== undefined ? { attachExperiment: opts.attachExperiment } : {}),
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
  if (result.attached !== undefined)
    // On stderr with --json, so that stdout stays the one document.
    (opts.json ? console.error : console.log)(
      "problem" in result.attached
        ? `- ${terminalLine(result.attached.problem)}`
        : `attached: run ${result.attached.attachment.runId} in experiment ${terminalLine(opts.attachExperiment ?? "")} (artifacts ${result.attached.attachment.artifactDir}/)`,
    );
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
