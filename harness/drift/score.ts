/**
 * Run and audit scores: every metric and artifact judged, then summarised into
 * one number and one verdict per run, and one number per audit.
 */
import { compareArtifacts } from "./artifacts.js";
import { plural, replayLabel } from "./format.js";
import { acceptOrderText } from "./policy-text.js";
import { compareHistories } from "./history.js";
import { type AcceptLevel, DEFAULT_ACCEPT } from "./accept-levels.js";
import type {
  ArtifactComparison,
  AuditScore,
  ExecutionRecord,
  HistoryPoint,
  MetricScore,
  ReplayRecord,
  RunScore,
  RunVerdict,
  TolerancePolicy,
  Verdict,
  VerdictCounts,
} from "./schema.js";
import { DEFAULT_ALPHA, holmAdjust } from "./evidence.js";
import { betterDirection, smallestRankP } from "./rank.js";
import { toleranceFor } from "./tolerance.js";
import { judgeMetric, settleMetric, verdictRank } from "./verdict.js";

export const VERDICT_WEIGHTS: Readonly<Record<Verdict, number>> = Object.freeze({
  identical: 1,
  equivalent: 1,
  varies: 0.5,
  inconclusive: 0.25,
  not_reproduced: 0,
  failed: 0,
});

export const SCORE_FORMULA =
  `metric weight: ${Object.entries(VERDICT_WEIGHTS)
    .map(([verdict, weight]) => `${verdict} ${weight}`)
    .join(", ")}; ` +
  "artifact weight: 1 if every finished replay produced the original's sha256 (a model's MLmodel, requirements.txt, conda.yaml, python_env.yaml: the same content, fields that change with every logging left out), else 0; " +
  "run score = mean of the weights of the run's metrics and artifacts (0 when it has none); " +
  "run verdict = incomplete if any replay did not run or was stopped by an infrastructure fault (metrics and score then cover the replays that ran); " +
  "a replay that exited non-zero after running is compared on what it logged before (it still did not finish); " +
  "original and replays failed the same way when the original's recorded status is FAILED and every replay exited with the same code and the same last error line: those replays then count as finished; " +
  "else failed if no replay finished or logged anything before failing, or nothing could be compared (no metrics and no artifacts, or every metric failed), " +
  `not_reproduced if any replay did not finish (unless failing the same way), or the original's recorded status is FAILED and every replay finished, or any metric is not_reproduced or failed, or weaker than the policy's accept level (${acceptOrderText()}; ` +
  `default ${DEFAULT_ACCEPT}; an inconclusive metric is weaker than equivalent); ` +
  "else inconclusive if any metric is inconclusive, or the original beats every replay beyond tolerance on every metric with a known better direction; " +
  "else consistent_with_variance if any metric varies; else reproduced; " +
  "audit score = mean of the scores of the complete runs, incomplete runs left out (0 when there are no runs, none when every run is incomplete).";

export interface ScoreRunInput {
  runId: string;
  original: ExecutionRecord;
  replays: readonly ReplayRecord[];
  policy: TolerancePolicy;
  /** the level of the run's tests (default 0.05); a sequential audit passes what it has left to spend */
  alpha?: number;
  /** the original's status as MLflow recorded it (FINISHED, FAILED, KILLED, RUNNING); unknown when absent */
  originalStatus?: string;
}

function emptyCounts(): VerdictCounts {
  return { identical: 0, equivalent: 0, varies: 0, inconclusive: 0, not_reproduced: 0, failed: 0 };
}

export function scoreRun(input: ScoreRunInput): RunScore {
  const { runId, original, replays, policy } = input;
  const alpha = input.alpha ?? DEFAULT_ALPHA;
  const finished = replays.map((r) => r.ok);
  const findings: string[] = [];
  replays.forEach((r, i) => {
    if (!r.ok)
      findings.push(
        `${replayLabel(i)} ${r.skipped === true ? "did not run or was stopped by an infrastructure fault" : "did not finish"}${exitText(r.exit)}`,
      );
  });
  if (replays.length === 0) findings.push("no replays were run");

  const names = new Set<string>(Object.keys(original.metrics));
  for (const r of replays) if (r.ok) for (const k of Object.keys(r.metrics)) names.add(k);

  const sortedNames = [...names].sort();
  // The correction family is every metric of the run, whatever the tolerance: a
  // looser tolerance may only take metrics out of testing, never sharpen the rest.
  const family = Math.max(1, sortedNames.length);
  let metrics: MetricScore[] = [];
  for (const name of sortedNames) {
    const tol = toleranceFor(policy, name);
    const o = Object.hasOwn(original.metrics, name) ? (original.metrics[name] as number) : null;
    const score = judgeMetric(
      name,
      o,
      replays.map((r) => ({
        ok: r.ok,
        ...(r.skipped === true ? { skipped: true } : {}),
        ...(r.exit !== undefined ? { exited: true } : {}),
        value: Object.hasOwn(r.metrics, name) ? (r.metrics[name] as number) : null,
      })),
      tol,
      { direction: betterDirection(policy, name), alpha, family },
    );
    const hist = compareHistories(
      historyOf(original, name),
      replays.map((r) => (r.ok ? (historyOf(r, name) ?? null) : undefined)),
      tol,
    );
    if (hist !== undefined) {
      score.history = hist.comparison;
      score.findings.push(...hist.findings);
    }
    metrics.push(score);
  }

  const adjusted = holmAdjust(metrics.map((m) => m.test?.p ?? 1));
  metrics = metrics.map((m, i) => settleMetric(m, adjusted[i] ?? 1));
  const optimistic = optimisticOriginal(metrics);
  if (optimistic !== undefined && optimistic.metrics.length > 0) {
    findings.push(
      `the original is better than every replay on ${optimistic.metrics.join(", ")}${optimistic.onAll ? ` (every metric with a known better direction)` : ` (${optimistic.metrics.length} of ${optimistic.of} metrics with a known better direction)`}`,
    );
  }

  const artifacts = compareArtifacts(
    original.artifacts,
    replays.map((r) => r.artifacts),
    finished,
    {
      ...(original.artifactTexts ? { original: original.artifactTexts } : {}),
      replays: replays.map((r) => r.artifactTexts),
    },
  );
  for (const a of artifacts) {
    if (a.originalSha256 === undefined) findings.push(`artifact ${a.path} only in replays`);
    else if (a.semantic?.state === "not_compared")
      findings.push(
        `artifact ${a.path} could not be compared by meaning: ${a.semantic.why ?? "unreadable"}; its bytes differ in ${describeDiffering(a.originalSha256, a.replaySha256, finished)}`,
      );
    else if (!a.identical)
      findings.push(
        `artifact ${a.path} differs from the original in ${describeDiffering(a.originalSha256, a.replaySha256, finished)}${semanticDetail(a.semantic)}`,
      );
  }

  const counts = emptyCounts();
  for (const m of metrics) counts[m.verdict]++;
  const weights = [...metrics.map((m) => VERDICT_WEIGHTS[m.verdict]), ...artifacts.map((a) => (a.identical ? 1 : 0))];
  const score = weights.length === 0 ? 0 : weights.reduce((a, b) => a + b, 0) / weights.length;

  // A replay that exited non-zero after logging is evidence too: its values were judged above.
  const anyFinished = finished.some(Boolean) || replays.some((r) => r.exit !== undefined);
  const alike = failedAlike(input.originalStatus, replays);
  if (alike !== undefined) findings.push(alike);
  const statusMismatch =
    input.originalStatus === "FAILED" && replays.length > 0 && replays.every((r) => r.ok)
      ? "the original's recorded status is FAILED but every replay finished"
      : undefined;
  const nothing = metrics.length === 0 && artifacts.length === 0;
  const allFailed = metrics.length > 0 && counts.failed === metrics.length;
  const accept = policy.accept ?? DEFAULT_ACCEPT;
  // Under accept=varies an inconclusive metric leaves the run inconclusive, not failed: the evidence is thin, not against it.
  const unaccepted = metrics.filter(
    (m) => !isAccepted(m.verdict, accept) && !(m.verdict === "inconclusive" && accept === "varies"),
  ).length;
  // A replay that crashed, timed out or ran out of memory did not reproduce the run,
  // whatever the others measured. One that never ran, or that the infrastructure
  // stopped, says nothing about the workload: the run is not settled yet.
  // Failing as the original did is what the original recorded, so those replays count as reproducing it.
  const unfinished = alike !== undefined ? 0 : replays.filter((r) => !r.ok && r.skipped !== true).length;
  const notRun = replays.filter((r) => !r.ok && r.skipped === true).length;
  let verdict: RunVerdict;
  let reason: string;
  if (notRun > 0) {
    verdict = "incomplete";
    const crashed = unfinished > 0 ? ` (${unfinished} did not finish)` : "";
    const soFar =
      anyFinished && !nothing
        ? ` What finished so far: ${evidenceText(counts, metrics.length, artifacts.filter((a) => a.identical).length, artifacts.length)}.`
        : "";
    reason = `Incomplete: ${incompleteText(finished.filter(Boolean).length, replays.length, notRun)}${crashed}; resuming the audit runs what is missing.${soFar}`;
  } else if (!anyFinished) {
    verdict = "failed";
    reason =
      replays.length === 0 ? "No replays were run." : `None of the ${plural(replays.length, "replay")} finished.`;
  } else if (nothing) {
    verdict = "failed";
    reason = "Neither the original nor any replay recorded a metric or an artifact, so nothing could be compared.";
  } else if (allFailed) {
    verdict = "failed";
    reason = `Every metric (${metrics.length}) failed: no value could be compared with the original.`;
  } else {
    const evidence = evidenceText(
      counts,
      metrics.length,
      artifacts.filter((a) => a.identical).length,
      artifacts.length,
    );
    if (unaccepted > 0 || unfinished > 0 || statusMismatch !== undefined) {
      verdict = "not_reproduced";
      const strict =
        unaccepted > counts.not_reproduced + counts.failed
          ? ` (the policy accepts only ${accept === "identical" ? "identical" : "identical or equivalent"} metrics)`
          : "";
      const crashed = unfinished > 0 ? `${unfinished} of ${plural(replays.length, "replay")} did not finish; ` : "";
      const status = statusMismatch !== undefined ? `${statusMismatch}; ` : "";
      reason = `Not reproduced: ${status}${crashed}${evidence}${strict}.`;
    } else if (counts.inconclusive > 0) {
      verdict = "inconclusive";
      const names = metrics.filter((m) => m.verdict === "inconclusive").map((m) => m.name);
      reason = `Inconclusive: ${replaysText(metrics)} cannot decide ${names.join(", ")} (the original lies beyond the replays' range, neither rejected nor settled); more replays would settle it; ${evidence}.`;
    } else if (optimistic?.onAll === true) {
      verdict = "inconclusive";
      const k = Math.max(...metrics.map((m) => m.rank?.replays ?? 0));
      reason =
        `Inconclusive: the original is better than every one of ${replaysText(metrics)} on ${optimistic.of === 1 ? "its one metric" : `all ${optimistic.of} metrics`} with a known better direction, ` +
        `as a cherry-picked original would be; with ${k} the exact rank test cannot go below p = ${Number(smallestRankP(k).toPrecision(2))}; ${evidence}.`;
    } else if (counts.varies > 0) {
      verdict = "consistent_with_variance";
      reason = `Consistent with run-to-run variance: ${evidence}.`;
    } else {
      verdict = "reproduced";
      reason = `${alike !== undefined ? "Reproduced, failing as the original did" : "Reproduced"}: ${evidence}.`;
    }
  }
  return {
    runId,
    metrics,
    artifacts,
    score,
    counts,
    verdict,
    reason,
    findings,
    ...(optimistic !== undefined ? { optimistic } : {}),
  };
}

/**
 * The finding that the original and every replay failed the same way, when it holds:
 * the original's recorded status is FAILED (all MLflow keeps of how it ended) and
 * every replay exited non-zero with the same exit code and the same last error line.
 */
function failedAlike(originalStatus: string | undefined, replays: readonly ReplayRecord[]): string | undefined {
  if (originalStatus !== "FAILED" || replays.length === 0) return undefined;
  const first = replays[0]?.exit;
  if (first === undefined || first.lastError === "") return undefined;
  const same = replays.every(
    (r) => !r.ok && r.exit !== undefined && r.exit.code === first.code && r.exit.lastError === first.lastError,
  );
  if (!same) return undefined;
  return `original and replays failed the same way: the original's recorded status is FAILED (MLflow records no exit code or error output for it); every replay exited ${first.code ?? "by a signal"} with the last error line: ${first.lastError}`;
}

/** " (exit 1: ValueError: boom)": how a replay that ran ended, for its finding. */
function exitText(exit: ReplayRecord["exit"]): string {
  if (exit === undefined) return "";
  const code = exit.code === null ? "killed by a signal" : `exit ${exit.code}`;
  return ` (${code}${exit.lastError !== "" ? `: ${exit.lastError}` : ""})`;
}

/** "3 replays" (or "3 to 5 replays" when metrics had different counts of finite values). */
function replaysText(metrics: readonly MetricScore[]): string {
  const ks = metrics.map((m) => m.stats?.n ?? 0).filter((k) => k > 0);
  const lo = Math.min(...ks);
  const hi = Math.max(...ks);
  return ks.length === 0 ? "the replays" : lo === hi ? plural(lo, "replay") : `${lo} to ${hi} replays`;
}

/**
 * The optimistic original over the metrics with a known better direction: on which
 * it beats every replay beyond tolerance, and the Holm-adjusted smallest one-sided
 * rank p-value (a run's metrics are correlated; Holm holds under any dependence).
 * "Beats every replay on every one" has probability at most 1/(K+1) under
 * exchangeability, whatever the dependence, since it implies it for each metric.
 */
function optimisticOriginal(metrics: readonly MetricScore[]): RunScore["optimistic"] {
  const directed = metrics.filter((m) => m.rank !== undefined && m.rank.direction !== null);
  if (directed.length === 0) return undefined;
  // Beyond tolerance: a metric whose original is within tolerance of the replays is not "better", it is the same.
  const beats = directed.filter(
    (m) =>
      m.rank?.betterThanAll === true &&
      (m.test !== undefined || m.verdict === "inconclusive" || m.verdict === "not_reproduced"),
  );
  const adjusted = holmAdjust(directed.map((m) => m.rank?.pBetter ?? 1));
  return {
    metrics: beats.map((m) => m.name),
    of: directed.length,
    pAdjusted: Math.min(...adjusted),
    onAll: beats.length === directed.length,
  };
}

/** Whether a run verdict passes the gate (exit code 0): reproduced, or within run-to-run variance. */
export function passesGate(v: RunVerdict): boolean {
  return v === "reproduced" || v === "consistent_with_variance";
}

/**
 * "k of n replays finished; m did not run or were stopped by an infrastructure fault":
 * what an incomplete run lacks, in the words every rendering uses.
 */
export function incompleteText(finished: number, total: number, notRun: number): string {
  return `${finished} of ${plural(total, "replay")} finished; ${notRun} did not run or ${notRun === 1 ? "was" : "were"} stopped by an infrastructure fault`;
}

/**
 * The audit score is the mean over the complete runs only: an incomplete run's score
 * covers just the replays that finished (or none), and averaging it in would present
 * an unfinished audit as a finished one. null when there are runs but none is complete.
 */
export function scoreAudit(runs: readonly RunScore[]): AuditScore {
  const tally = {
    total: runs.length,
    reproduced: 0,
    consistent_with_variance: 0,
    inconclusive: 0,
    not_reproduced: 0,
    failed: 0,
    incomplete: 0,
  };
  let sum = 0;
  for (const r of runs) {
    tally[r.verdict]++;
    if (r.verdict !== "incomplete") sum += r.score;
  }
  const scored = runs.length - tally.incomplete;
  const score = runs.length === 0 ? 0 : scored === 0 ? null : sum / scored;
  return { score, runs: tally, formula: SCORE_FORMULA };
}

function historyOf(rec: ExecutionRecord, name: string): readonly HistoryPoint[] | undefined {
  const h = rec.histories;
  return h !== undefined && Object.hasOwn(h, name) ? h[name] : undefined;
}

/** The first differences of a model file compared by meaning, for the run's findings. */
function semanticDetail(semantic: ArtifactComparison["semantic"]): string {
  if (semantic === undefined || semantic.differences.length === 0) return "";
  const shown = semantic.differences.slice(0, 3).join("; ");
  const more = semantic.differences.length > 3 ? `; and ${semantic.differences.length - 3} more` : "";
  return ` (by meaning: ${shown}${more})`;
}

function describeDiffering(orig: string, hashes: readonly (string | null)[], finished: readonly boolean[]): string {
  const which = hashes.flatMap((h, i) =>
    finished[i] === true && h !== orig ? [h === null ? `${replayLabel(i)} (missing)` : replayLabel(i)] : [],
  );
  return which.length === 0 ? "no finished replay" : which.join(", ");
}

/**
 * Whether a metric verdict passes the gate under the policy's accept level.
 * inconclusive never does: "cannot tell" is not evidence of reproduction.
 */
export function isAccepted(v: Verdict, accept: AcceptLevel): boolean {
  return v !== "not_reproduced" && v !== "failed" && verdictRank(v) >= verdictRank(accept);
}

/** "of 2 metrics: 1 identical, 1 failed; 1 of 1 artifact identical" */
function evidenceText(c: VerdictCounts, nMetrics: number, nArtSame: number, nArt: number): string {
  const parts: string[] = [];
  if (nMetrics > 0) {
    const order: Verdict[] = ["identical", "equivalent", "varies", "inconclusive", "not_reproduced", "failed"];
    const label: Record<Verdict, string> = {
      identical: "identical",
      equivalent: "equivalent within tolerance",
      varies: "vary within run-to-run spread",
      inconclusive: "inconclusive",
      not_reproduced: "not reproduced",
      failed: "failed",
    };
    const listed = order.filter((v) => c[v] > 0).map((v) => `${c[v]} ${label[v]}`);
    parts.push(`of ${plural(nMetrics, "metric")}: ${listed.join(", ")}`);
  }
  if (nArt > 0) parts.push(`${nArtSame} of ${plural(nArt, "artifact")} identical`);
  return parts.join("; ");
}
