import { z } from "zod";
import { SCORE_FORMULA, scoreRun } from "../drift/score.js";
import type { TolerancePolicy } from "../drift/schema.js";
import { describePolicy, toleranceFor } from "../drift/tolerance.js";
import type { TraceItem } from "../trace/item.js";
import { FORMULA_TEXT } from "../trace/formula-text.js";
import { scoreTrace } from "../trace/score.js";
import { ARMS, type ArmId } from "./arms.js";
import {
  type ArmReport,
  type CompareReport,
  CompareReportSchema,
  COMPARE_SCHEMA_ID,
  COMPARE_VERSION,
  type EquivalenceRow,
  type Execution,
  OVERHEAD_MEASURES,
  type OverheadMeasure,
} from "./schema.js";
import { EQUIVALENCE_RULE_TEXT, RATIO_METHOD_TEXT, compareArms, ratioWithInterval, summarize } from "./stats.js";

// From what each arm's executions gave to the compare report. PURE: the job reads
// journals and sandbox stores; this only scores, tests and tabulates.

export interface ArmInput {
  id: ArmId;
  command: string;
  imageId?: string;
  /** the arm could not run; why */
  refusal?: string;
  executions: Execution[];
  /** per execution, the traceability checklist of the run it recorded (null: none recorded) */
  traced: (TraceItem[] | null)[];
}

export interface CompareInput {
  compareId: string;
  createdAt: string;
  harness: { version: string; node: string };
  workload: CompareReport["workload"];
  replays: number;
  arms: ArmInput[];
  policy: TolerancePolicy;
  /** measurement texts: how each overhead figure was taken (the job knows its executor) */
  measurement: Record<OverheadMeasure, string>;
  findings?: string[];
}

const PASSING = new Set(["reproduced", "consistent_with_variance"]);

export const ARM_VERDICT_TEXT =
  "each arm is scored as an audit scores a run: its execution 1 as the original, executions 2..N as the replays, " +
  "with the same tolerance and rules (harness/drift/README.md); a reproducible arm is reproduced or consistent with run-to-run variance.";

export const TRACEABILITY_TEXT =
  "the trace checklist (harness/trace/) over the run each execution recorded in its sandbox store, as MLflow holds " +
  "it there (params, metrics, tags, artifacts; no dataset inputs or registry read), averaged over the arm's " +
  `executions; an arm that records no run scores 0. Formula: ${FORMULA_TEXT}`;

export function assembleCompare(input: CompareInput): CompareReport {
  const ran = input.arms.filter((a) => a.refusal === undefined);
  const baseline = ran[0] ?? input.arms[0];
  if (baseline === undefined) throw new Error("compare: no arms");
  const names = metricNames(ran);
  const baseUsage = usageValues(baseline.executions);

  const arms: ArmReport[] = input.arms.map((a) => {
    const entry = ARMS[a.id];
    const usage = usageValues(a.executions);
    const report: ArmReport = {
      id: a.id,
      label: entry.label,
      description: entry.description,
      command: a.command,
      ...(a.imageId !== undefined ? { imageId: a.imageId } : {}),
      ...(a.refusal !== undefined ? { refusal: a.refusal } : {}),
      executions: a.executions,
      verdict: a.refusal === undefined ? armVerdict(a, input.policy) : null,
      metrics: names.map((name) => {
        const values = a.executions.map((e) => (Object.hasOwn(e.metrics, name) ? (e.metrics[name] as number) : null));
        return { name, values, summary: summarize(values.filter((v): v is number => v !== null)) };
      }),
      traceability: traceability(a),
      usage: Object.fromEntries(OVERHEAD_MEASURES.map((m) => [m, summarize(usage[m])])) as ArmReport["usage"],
    };
    if (a !== baseline && a.refusal === undefined)
      report.overhead = Object.fromEntries(
        OVERHEAD_MEASURES.map((m) => [m, ratioWithInterval(baseUsage[m], usage[m])]),
      ) as NonNullable<ArmReport["overhead"]>;
    return report;
  });

  const equivalence: EquivalenceRow[] = [];
  for (const a of ran) {
    if (a === baseline) continue;
    for (const metric of names) {
      // A failed execution's numbers are not results (it may have written them before it broke).
      const of = (x: ArmInput) =>
        x.executions.map((e) =>
          e.status === "finished" && Object.hasOwn(e.metrics, metric) ? (e.metrics[metric] as number) : null,
        );
      const r = compareArms(of(baseline), of(a), toleranceFor(input.policy, metric));
      equivalence.push({ arm: a.id, metric, ...r });
    }
  }

  const reasons: string[] = [];
  for (const a of input.arms)
    if (a.refusal !== undefined) reasons.push(`${ARMS[a.id].label} did not run: ${a.refusal}`);
  // The audit's rule calls a run that fails the same way every time reproduced; here an arm
  // whose workload does not finish cannot say what tracking costs or changes.
  const failing = ran.filter((a) => a.executions.some((e) => e.status !== "finished"));
  for (const a of failing) {
    const failed = a.executions.filter((e) => e.status !== "finished");
    reasons.push(
      `${ARMS[a.id].label}: ${failed.length} of ${a.executions.length} executions failed (first: ${failed[0]?.failure ?? `exit code ${failed[0]?.exitCode}`})`,
    );
  }
  for (const a of arms) {
    if (a.verdict !== null && !PASSING.has(a.verdict.verdict))
      reasons.push(`${a.label} is not reproducible: ${a.verdict.verdict.replaceAll("_", " ")} (${a.verdict.reason})`);
  }
  const disagree = equivalence.filter((r) => r.verdict !== "identical" && r.verdict !== "equivalent");
  for (const r of disagree)
    reasons.push(`${ARMS[r.arm].label} vs ${ARMS[baseline.id].label}: ${r.metric} ${r.verdict}`);
  if (names.length === 0) reasons.push("no metric was read from any arm");
  if (ran.length < 2) reasons.push("fewer than two arms ran: nothing to compare");
  const agree = ran.length >= 2 && names.length > 0 && disagree.length === 0;
  const reproducible = arms.every((a) => a.verdict === null || PASSING.has(a.verdict.verdict));
  const allRan = input.arms.every((a) => a.refusal === undefined);
  const ok = agree && reproducible && allRan && failing.length === 0;
  // The CLI's contract (cli/exit-codes.ts): 1 the check found a problem (an arm not
  // reproducible, a metric not shown the same across arms), 2 it could not be checked
  // (an arm that did not run or whose executions failed, fewer than two arms, no metric read).
  const couldCheck = allRan && ran.length >= 2 && names.length > 0 && failing.length === 0;
  const exitCode = ok ? 0 : couldCheck ? 1 : 2;

  const doc: CompareReport = {
    schema: COMPARE_SCHEMA_ID,
    version: COMPARE_VERSION,
    compareId: input.compareId,
    createdAt: input.createdAt,
    harness: input.harness,
    workload: input.workload,
    replays: input.replays,
    baseline: baseline.id,
    order: interleaved(input.arms, input.replays),
    arms,
    equivalence,
    outcome: { agree, reproducible, exitCode, reasons },
    methods: {
      tolerance: describePolicy(input.policy),
      equivalence: EQUIVALENCE_RULE_TEXT,
      verdict: `${ARM_VERDICT_TEXT} ${SCORE_FORMULA}`,
      ratio: RATIO_METHOD_TEXT,
      measurement: input.measurement,
      traceability: TRACEABILITY_TEXT,
    },
    findings: input.findings ?? [],
  };
  // Checked as it will be written (encode: NaN/±Infinity are numbers in memory, tokens in JSON).
  z.encode(CompareReportSchema, doc);
  return doc;
}

function interleaved(arms: readonly ArmInput[], replays: number): CompareReport["order"] {
  const out: CompareReport["order"] = [];
  for (let index = 0; index < replays; index++)
    for (const a of arms) if (a.refusal === undefined) out.push({ arm: a.id, index });
  return out;
}

function metricNames(arms: readonly ArmInput[]): string[] {
  const names = new Set<string>();
  for (const a of arms) for (const e of a.executions) for (const k of Object.keys(e.metrics)) names.add(k);
  return [...names].sort();
}

function usageValues(executions: readonly Execution[]): Record<OverheadMeasure, number[]> {
  const ok = executions.filter((e) => e.status === "finished");
  const pick = (f: (e: Execution) => number | null) => ok.map(f).filter((v): v is number => v !== null);
  return {
    wallSeconds: pick((e) => e.wallSeconds),
    cpuSeconds: pick((e) => e.cpuSeconds),
    peakRssBytes: pick((e) => e.peakRssBytes),
    writtenBytes: pick((e) => e.writtenBytes),
  };
}

function armVerdict(a: ArmInput, policy: TolerancePolicy): ArmReport["verdict"] {
  const [first, ...rest] = a.executions;
  if (first === undefined) return null;
  return scoreRun({
    runId: a.id,
    original: { metrics: first.metrics },
    replays: rest.map((e) => ({
      ok: e.status === "finished",
      metrics: e.metrics,
      ...(e.status === "failed" ? { exit: { code: e.exitCode, lastError: e.failure ?? "" } } : {}),
    })),
    policy,
    ...(first.status === "failed" ? { originalStatus: "FAILED" } : {}),
  });
}

function traceability(a: ArmInput): ArmReport["traceability"] {
  if (a.refusal !== undefined) return { score: 0, items: [], note: "the arm did not run" };
  const recorded = a.traced.filter((t): t is TraceItem[] => t !== null);
  if (recorded.length === 0) return { score: 0, items: [], note: "records nothing: no tracked run, score 0" };
  const scores = recorded.map((items) => scoreTrace(items).value ?? 0);
  const score = Math.round((scores.reduce((x, y) => x + y, 0) / scores.length) * 10_000) / 10_000;
  const missing = a.traced.length - recorded.length;
  return {
    score,
    items: recorded[0] as TraceItem[],
    note: `mean over ${recorded.length} recorded run(s)${missing > 0 ? `; ${missing} execution(s) recorded none` : ""}`,
  };
}
