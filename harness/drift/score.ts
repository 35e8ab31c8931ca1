/**
 * Run and audit scores: every metric and artifact judged, then summarised into
 * one number and one verdict per run, and one number per audit.
 */
import { compareArtifacts } from "./artifacts.js";
import { plural, replayLabel } from "./format.js";
import { compareHistories } from "./history.js";
import { type AcceptLevel, DEFAULT_ACCEPT } from "./schema.js";
import type {
  ArtifactComparison, AuditScore, ExecutionRecord, HistoryPoint, MetricScore, ReplayRecord, RunScore, RunVerdict,
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
  "artifact weight: 1 if every finished replay produced the original's sha256 (a model's MLmodel, requirements.txt, conda.yaml, python_env.yaml: the same content, fields that change with every logging left out), else 0; " +
  "run score = mean of the weights of the run's metrics and artifacts (0 when it has none); " +
  "run verdict = incomplete if any replay did not run or was stopped by an infrastructure fault (metrics and score then cover the replays that ran); " +
  "else failed if no replay finished or nothing could be compared (no metrics and no artifacts, or every metric failed), " +
  "not_reproduced if any replay did not finish, or any metric is not_reproduced or failed, or weaker than the policy's accept level (identical > equivalent > varies; " +
  "default varies, so varies counts as reproduced within run-to-run variance), else reproduced; " +
  "audit score = mean of the scores of the complete runs, incomplete runs left out (0 when there are no runs, none when every run is incomplete).";

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
  replays.forEach((r, i) => {
    if (!r.ok) findings.push(`${replayLabel(i)} ${r.skipped === true ? "did not run or was stopped by an infrastructure fault" : "did not finish"}`);
  });
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
      replays.map((r) => ({ ok: r.ok, ...(r.skipped === true ? { skipped: true } : {}), value: Object.hasOwn(r.metrics, name) ? (r.metrics[name] as number) : null })),
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

  const artifacts = compareArtifacts(original.artifacts, replays.map((r) => r.artifacts), finished, {
    ...(original.artifactTexts ? { original: original.artifactTexts } : {}),
    replays: replays.map((r) => r.artifactTexts),
  });
  for (const a of artifacts) {
    if (a.originalSha256 === undefined) findings.push(`artifact ${a.path} only in replays`);
    else if (a.semantic?.state === "not_compared") findings.push(`artifact ${a.path} could not be compared by meaning: ${a.semantic.why ?? "unreadable"}; its bytes differ in ${describeDiffering(a.originalSha256, a.replaySha256, finished)}`);
    else if (!a.identical) findings.push(`artifact ${a.path} differs from the original in ${describeDiffering(a.originalSha256, a.replaySha256, finished)}${semanticDetail(a.semantic)}`);
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
  const accept = policy.accept ?? DEFAULT_ACCEPT;
  const unaccepted = metrics.filter((m) => !isAccepted(m.verdict, accept)).length;
  // A replay that crashed, timed out or ran out of memory did not reproduce the run,
  // whatever the others measured. One that never ran, or that the infrastructure
  // stopped, says nothing about the workload: the run is not settled yet.
  const unfinished = replays.filter((r) => !r.ok && r.skipped !== true).length;
  const notRun = replays.filter((r) => !r.ok && r.skipped === true).length;
  let verdict: RunVerdict;
  let reason: string;
  if (notRun > 0) {
    verdict = "incomplete";
    const crashed = unfinished > 0 ? ` (${unfinished} did not finish)` : "";
    const soFar = anyFinished && !nothing
      ? ` What finished so far: ${evidenceText(counts, metrics.length, artifacts.filter((a) => a.identical).length, artifacts.length)}.`
      : "";
    reason = `Incomplete: ${incompleteText(finished.filter(Boolean).length, replays.length, notRun)}${crashed}; resuming the audit runs what is missing.${soFar}`;
  } else if (!anyFinished) {
    verdict = "failed";
    reason = replays.length === 0 ? "No replays were run." : `None of the ${plural(replays.length, "replay")} finished.`;
  } else if (nothing) {
    verdict = "failed";
    reason = "Neither the original nor any replay recorded a metric or an artifact, so nothing could be compared.";
  } else if (allFailed) {
    verdict = "failed";
    reason = `Every metric (${metrics.length}) failed: no value could be compared with the original.`;
  } else {
    verdict = unaccepted > 0 || unfinished > 0 ? "not_reproduced" : "reproduced";
    reason = summarise(counts, metrics.length, artifacts.filter((a) => a.identical).length, artifacts.length, accept, unaccepted);
    if (unfinished > 0) {
      reason = `Not reproduced: ${unfinished} of ${plural(replays.length, "replay")} did not finish; ${reason.charAt(0).toLowerCase()}${reason.slice(1)}`;
    }
  }
  return { runId, metrics, artifacts, score, counts, verdict, reason, findings };
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
  const tally = { total: runs.length, reproduced: 0, not_reproduced: 0, failed: 0, incomplete: 0 };
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
  const which = hashes.flatMap((h, i) => (finished[i] === true && h !== orig ? [h === null ? `${replayLabel(i)} (missing)` : replayLabel(i)] : []));
  return which.length === 0 ? "no finished replay" : which.join(", ");
}

/** Whether a metric verdict counts as reproduced under the policy's accept level. */
export function isAccepted(v: Verdict, accept: AcceptLevel): boolean {
  return v !== "not_reproduced" && v !== "failed" && verdictRank(v) >= verdictRank(accept);
}

function summarise(c: VerdictCounts, nMetrics: number, nArtSame: number, nArt: number, accept: AcceptLevel, unaccepted: number): string {
  const bad = c.not_reproduced + c.failed;
  const head = unaccepted > 0 ? "Not reproduced" : c.varies > 0 ? "Reproduced within run-to-run variance" : "Reproduced";
  const strict = unaccepted > bad ? ` (the policy accepts only ${accept === "identical" ? "identical" : "identical or equivalent"} metrics)` : "";
  return `${head}: ${evidenceText(c, nMetrics, nArtSame, nArt)}${strict}.`;
}

/** "of 2 metrics: 1 identical, 1 failed; 1 of 1 artifact identical" */
function evidenceText(c: VerdictCounts, nMetrics: number, nArtSame: number, nArt: number): string {
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
  return parts.join("; ");
}
