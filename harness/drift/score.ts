/**
 * Run and audit scores: every metric and artifact judged, then summarised into
 * one number and one verdict per run, and one number per audit.
 */
import { compareArtifacts } from "./artifacts.js";
import { plural, replayLabel } from "./format.js";
import { compareHistories } from "./history.js";
import { type AcceptLevel, DEFAULT_ACCEPT } from "./schema.js";
import type {
  AuditScore, ExecutionRecord, HistoryPoint, MetricScore, ReplayRecord, RunScore, RunVerdict,
  TolerancePolicy, Verdict, VerdictCounts,
} from "./schema.js";
import { toleranceFor } from "./tolerance.js";
import { judgeMetric, verdictRank } from "./verdict.js";

export const VERDICT_WEIGHTS: Readonly<Record<Verdict, number>> = Object.freeze({
  identical: 1,
  equivalent: 1,
  varies: 0.5,
  not_reproduced: 0,
  failed: 0,
});

export const SCORE_FORMULA =
  "metric weight: identical 1, equivalent 1, varies 0.5, not_reproduced 0, failed 0; " +
  "artifact weight: 1 if every finished replay produced the original's sha256, else 0; " +
  "run score = mean of the weights of the run's metrics and artifacts (0 when it has none); " +
  "run verdict = failed if no replay finished or nothing could be compared (no metrics and no artifacts, or every metric failed), " +
  "not_reproduced if any replay did not finish, or any metric is not_reproduced or failed, or weaker than the policy's accept level (identical > equivalent > varies; " +
  "default varies, so varies counts as reproduced within run-to-run variance), else reproduced; " +
  "audit score = mean of run scores (0 when there are no runs).";

export interface ScoreRunInput {
  runId: string;
  original: ExecutionRecord;
  replays: readonly ReplayRecord[];
  policy: TolerancePolicy;
}

function emptyCounts(): VerdictCounts {
  return { identical: 0, equivalent: 0, varies: 0, not_reproduced: 0, failed: 0 };
}

export function scoreRun(input: ScoreRunInput): RunScore {
  const { runId, original, replays, policy } = input;
  const finished = replays.map((r) => r.ok);
  const findings: string[] = [];
  replays.forEach((r, i) => { if (!r.ok) findings.push(`${replayLabel(i)} did not finish`); });
  if (replays.length === 0) findings.push("no replays were run");

  const names = new Set<string>(Object.keys(original.metrics));
  for (const r of replays) if (r.ok) for (const k of Object.keys(r.metrics)) names.add(k);

  const metrics: MetricScore[] = [];
  for (const name of [...names].sort()) {
    const tol = toleranceFor(policy, name);
    const o = Object.hasOwn(original.metrics, name) ? (original.metrics[name] as number) : null;
    const score = judgeMetric(
      name,
      o,
      replays.map((r) => ({ ok: r.ok, value: Object.hasOwn(r.metrics, name) ? (r.metrics[name] as number) : null })),
      tol,
    );
    const hist = compareHistories(
      historyOf(original, name),
      replays.map((r) => (r.ok ? historyOf(r, name) ?? null : undefined)),
      tol,
    );
    if (hist !== undefined) {
      score.history = hist.comparison;
      score.findings.push(...hist.findings);
    }
    metrics.push(score);
  }

  const artifacts = compareArtifacts(original.artifacts, replays.map((r) => r.artifacts), finished);
  for (const a of artifacts) {
    if (a.originalSha256 === undefined) findings.push(`artifact ${a.path} only in replays`);
    else if (!a.identical) findings.push(`artifact ${a.path} differs from the original in ${describeDiffering(a.originalSha256, a.replaySha256, finished)}`);
  }

  const counts = emptyCounts();
  for (const m of metrics) counts[m.verdict]++;
  const weights = [
    ...metrics.map((m) => VERDICT_WEIGHTS[m.verdict]),
    ...artifacts.map((a) => (a.identical ? 1 : 0)),
  ];
  const score = weights.length === 0 ? 0 : weights.reduce((a, b) => a + b, 0) / weights.length;

  const anyFinished = finished.some(Boolean);
  const nothing = metrics.length === 0 && artifacts.length === 0;
  const allFailed = metrics.length > 0 && counts.failed === metrics.length;
  let verdict: RunVerdict;
  let reason: string;
  if (!anyFinished) {
    verdict = "failed";
    reason = replays.length === 0 ? "No replays were run." : `None of the ${plural(replays.length, "replay")} finished.`;
  } else if (nothing) {
    verdict = "failed";
    reason = "Neither the original nor any replay recorded a metric or an artifact, so nothing could be compared.";
  } else if (allFailed) {
    verdict = "failed";
    reason = `Every metric (${metrics.length}) failed: no value could be compared with the original.`;
  } else {
    const accept = policy.accept ?? DEFAULT_ACCEPT;
    const unaccepted = metrics.filter((m) => !isAccepted(m.verdict, accept)).length;
    // A replay that crashed, timed out or ran out of memory did not reproduce the run,
    // whatever the others measured.
    const unfinished = replays.filter((r) => !r.ok && r.skipped !== true).length;
    verdict = unaccepted > 0 || unfinished > 0 ? "not_reproduced" : "reproduced";
    reason = summarise(counts, metrics.length, artifacts.filter((a) => a.identical).length, artifacts.length, accept, unaccepted);
    if (unfinished > 0) {
      reason = `Not reproduced: ${unfinished} of ${plural(replays.length, "replay")} did not finish; ${reason.charAt(0).toLowerCase()}${reason.slice(1)}`;
    }
  }
  return { runId, metrics, artifacts, score, counts, verdict, reason, findings };
}

export function scoreAudit(runs: readonly RunScore[]): AuditScore {
  const tally = { total: runs.length, reproduced: 0, not_reproduced: 0, failed: 0 };
  let sum = 0;
  for (const r of runs) {
    tally[r.verdict]++;
    sum += r.score;
  }
  return { score: runs.length === 0 ? 0 : sum / runs.length, runs: tally, formula: SCORE_FORMULA };
}

function historyOf(rec: ExecutionRecord, name: string): readonly HistoryPoint[] | undefined {
  const h = rec.histories;
  return h !== undefined && Object.hasOwn(h, name) ? h[name] : undefined;
}

function describeDiffering(orig: string, hashes: readonly (string | null)[], finished: readonly boolean[]): string {
  const which = hashes.flatMap((h, i) => (finished[i] === true && h !== orig ? [h === null ? `${replayLabel(i)} (missing)` : replayLabel(i)] : []));
  return which.length === 0 ? "no finished replay" : which.join(", ");
}

/** Whether a metric verdict counts as reproduced under the policy's accept level. */
export function isAccepted(v: Verdict, accept: AcceptLevel): boolean {
  return v !== "not_reproduced" && v !== "failed" && verdictRank(v) >= verdictRank(accept);
}

function summarise(c: VerdictCounts, nMetrics: number, nArtSame: number, nArt: number, accept: AcceptLevel, unaccepted: number): string {
  const parts: string[] = [];
  if (nMetrics > 0) {
    const order: Verdict[] = ["identical", "equivalent", "varies", "not_reproduced", "failed"];
    const label: Record<Verdict, string> = {
      identical: "identical", equivalent: "equivalent within tolerance", varies: "vary within run-to-run spread",
      not_reproduced: "not reproduced", failed: "failed",
    };
    const listed = order.filter((v) => c[v] > 0).map((v) => `${c[v]} ${label[v]}`);
    parts.push(`of ${plural(nMetrics, "metric")}: ${listed.join(", ")}`);
  }
  if (nArt > 0) parts.push(`${nArtSame} of ${plural(nArt, "artifact")} identical`);
  const bad = c.not_reproduced + c.failed;
  const head = unaccepted > 0 ? "Not reproduced" : c.varies > 0 ? "Reproduced within run-to-run variance" : "Reproduced";
  const strict = unaccepted > bad ? ` (the policy accepts only ${accept === "identical" ? "identical" : "identical or equivalent"} metrics)` : "";
  return `${head}: ${parts.join("; ")}${strict}.`;
}
