/**
 * The adaptive replay count as a pure rule: given the replays so far, run more or
 * stop, and why. The audit (`--replays auto`, audit/adaptive-replays.ts) calls it
 * after each batch and scores the run with the `alpha` it returns.
 *
 * Looks: the run is judged only at fixed replay counts (`lookSchedule`, e.g.
 * 3, 5, 8, 12, 20 for a budget of 20), never after every replay. At each look the
 * run is scored by the same rules as a fixed `--replays N` audit, at the level
 * that look was given: the 0.05 is spent over the looks in proportion to the
 * replays each adds (a linear alpha-spending function, Lan & DeMets 1983, taken
 * with a plain Bonferroni bound over looks, so it holds whatever the dependence
 * between looks). Peeking after every replay at 0.05 each would let the false
 * "not reproduced" rate grow with every look; spending keeps its sum at 0.05.
 * Stop at a look when every metric is settled, or at the budget. A metric is
 * settled when the replays showed the original's value (identical, equivalent,
 * inside their range or within tolerance of it) or the test rejected it; one that
 * rests on the interval's width alone (beyond the range, not rejected: the
 * metric's `test` is present) is not, even if the fixed-count verdict calls it
 * "varies": an early look with 3 replays has too wide an interval to stop on.
 * Run-level findings count too: the original beating every replay on every
 * directed metric keeps the run going.
 */
import { DEFAULT_ALPHA } from "./evidence.js";
import type { ExecutionRecord, ReplayRecord, RunVerdict, TolerancePolicy } from "./schema.js";
import { scoreRun } from "./score.js";
import { DEFAULT_MAX_REPLAYS, DEFAULT_MIN_REPLAYS } from "./replay-counts.js";

/** Replay counts at which the run is judged: from `min`, growing by about half each time, ending at `max`. */
export function lookSchedule(min: number = DEFAULT_MIN_REPLAYS, max: number = DEFAULT_MAX_REPLAYS): number[] {
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min)
    throw new RangeError(`lookSchedule: need 1 <= min <= max, got ${min}, ${max}`);
  const looks = [min];
  for (;;) {
    const last = looks[looks.length - 1] as number;
    const next = Math.max(last + 2, Math.round(last * 1.5));
    if (next > max - 3) break; // no look just before the budget: 12, 20 rather than 12, 18, 20
    looks.push(next);
  }
  if (looks[looks.length - 1] !== max) looks.push(max);
  return looks;
}

/** The level spent at each look: alpha · (replays the look adds) / max. Sums to alpha. */
export function alphaSpending(looks: readonly number[], alpha: number = DEFAULT_ALPHA): number[] {
  const max = looks[looks.length - 1] ?? 1;
  return looks.map((n, i) => alpha * ((n - (i === 0 ? 0 : (looks[i - 1] as number))) / max));
}

export interface StoppingInput {
  runId: string;
  original: ExecutionRecord;
  /** the replays so far, in order */
  replays: readonly ReplayRecord[];
  policy: TolerancePolicy;
  minReplays?: number;
  maxReplays?: number;
  alpha?: number;
  /** the original's recorded MLflow status, so the rule scores a failed original as the report does */
  originalStatus?: string;
}

export interface StoppingDecision {
  action: "continue" | "stop";
  /** how many replays the run should have in all before the rule is asked again (= replays.length when stopping) */
  target: number;
  /** one sentence */
  why: string;
  /** the level to score the run at: this look's share of alpha */
  alpha: number;
  /** the run's verdict at this look; null between looks */
  verdict: RunVerdict | null;
  /** metrics still inconclusive at this look */
  unsettled: string[];
  /** why a stop stops: every metric settled, or the budget spent with some not */
  stoppedBy?: "settled" | "budget";
}

export function nextStep(input: StoppingInput): StoppingDecision {
  const min = input.minReplays ?? DEFAULT_MIN_REPLAYS;
  const max = input.maxReplays ?? DEFAULT_MAX_REPLAYS;
  const looks = lookSchedule(min, max);
  const spend = alphaSpending(looks, input.alpha ?? DEFAULT_ALPHA);
  const n = input.replays.length;
  const at = looks.indexOf(n);
  if (at < 0) {
    const next = looks.find((l) => l > n) ?? max;
    const alpha = spend[looks.indexOf(next)] ?? spend[spend.length - 1] ?? DEFAULT_ALPHA;
    if (n >= max)
      return {
        action: "stop",
        target: n,
        why: `${n} replays reach the budget of ${max}.`,
        alpha: spend[spend.length - 1] ?? DEFAULT_ALPHA,
        verdict: null,
        unsettled: [],
        stoppedBy: "budget",
      };
    return {
      action: "continue",
      target: next,
      why: `${n} replays are not a look; the run is judged at ${next}.`,
      alpha,
      verdict: null,
      unsettled: [],
    };
  }
  const alpha = spend[at] as number;
  const run = scoreRun({
    runId: input.runId,
    original: input.original,
    replays: input.replays,
    policy: input.policy,
    alpha,
    ...(input.originalStatus !== undefined ? { originalStatus: input.originalStatus } : {}),
  });
  const unsettled = run.metrics
    .filter((m) => m.verdict === "inconclusive" || (m.test !== undefined && m.verdict !== "not_reproduced"))
    .map((m) => m.name);
  const settled =
    run.verdict === "not_reproduced" ||
    run.verdict === "failed" ||
    run.verdict === "incomplete" ||
    (run.verdict !== "inconclusive" && unsettled.length === 0);
  if (settled) {
    return {
      action: "stop",
      target: n,
      why: `Settled at ${n} replays: ${run.verdict.replaceAll("_", " ")} (look ${at + 1} of ${looks.length}, level ${Number(alpha.toPrecision(2))}).`,
      alpha,
      verdict: run.verdict,
      unsettled,
      stoppedBy: "settled",
    };
  }
  const what = unsettled.length > 0 ? unsettled.join(", ") : "the original beats every replay on every directed metric";
  if (at === looks.length - 1) {
    return {
      action: "stop",
      target: n,
      why: `The budget of ${max} replays is spent with ${what} resting on the interval's width: ${run.verdict.replaceAll("_", " ")}.`,
      alpha,
      verdict: run.verdict,
      unsettled,
      stoppedBy: "budget",
    };
  }
  const next = looks[at + 1] as number;
  return {
    action: "continue",
    target: next,
    why: `Not settled at ${n} replays (${what}); run up to ${next}.`,
    alpha,
    verdict: run.verdict,
    unsettled,
  };
}
