/**
 * The verdict for one metric, from the original value and every replay's value.
 *
 * Rules, applied in order (replays that did not finish have no value):
 *  1. failed          the original did not log the metric ("only in replays":
 *                     there is nothing to reproduce), or no replay has a value.
 *  2. identical       every replay has a value and it has the original's bits
 *                     (NaN counts as equal to NaN; +0 and -0 differ).
 *  3. equivalent      every replay has a value within tolerance of the original.
 *  4. not_reproduced  a finite original with some replay logging NaN or ±Infinity
 *                     (a diverged replay is not run-to-run variance).
 *  5. varies          otherwise, if the original lies inside the replays' spread
 *                     (see `insideSpread`): the replays disagree among themselves
 *                     (or some lack a value) and the original is a plausible member.
 *  6. not_reproduced  otherwise.
 * A replay that finished without logging the metric therefore caps the verdict
 * at `varies`: identical/equivalent are claims about every execution. A replay
 * marked `skipped` (never ran, or stopped by an infrastructure fault) is no
 * execution of the workload: the rules apply to the replays that ran, and the run
 * verdict says incomplete.
 *
 * Looser tolerances never worsen a verdict: rule 3 and the widened range in
 * rule 4 only grow with the tolerance, and nothing else depends on it.
 */
import { DEFAULT_ALPHA, predictionTest, settleBound, testOutcome } from "./evidence.js";
import { fmt, fmtDev, plural, replayLabel } from "./format.js";
import { rankAmong } from "./rank.js";
import type { BetterDirection, MetricScore, MetricStats, Tolerance, Verdict } from "./schema.js";
import { computeStats } from "./stats.js";
import { sameBits } from "./ulps.js";
import { withinTolerance } from "./within.js";

export const VERDICT_ORDER: readonly Verdict[] = [
  "identical",
  "equivalent",
  "varies",
  "inconclusive",
  "not_reproduced",
  "failed",
];

/** Higher is better: identical 5 … failed 0. */
export function verdictRank(v: Verdict): number {
  return VERDICT_ORDER.length - 1 - VERDICT_ORDER.indexOf(v);
}

export interface ReplayValue {
  /** false when the replay did not finish */
  ok: boolean;
  /** true when it gave no evidence (never ran, or an infrastructure fault): judged without it */
  skipped?: boolean;
  /** true when it exited non-zero after running: what it logged before is compared like a finished replay's */
  exited?: boolean;
  /** null when not logged */
  value: number | null;
}

export type SpreadWhere = "range" | "widened-range" | "prediction-interval";

/**
 * Whether the original could be one more draw from the replays' distribution.
 * Inside when it lies (a) within the replays' range [min, max], (b) within
 * tolerance of that range's nearest end, or (c) within the 95% Student-t
 * prediction interval for one new observation (needs n >= 2 finite replays).
 * (a)/(b) are distribution-free and never call an observed replay value
 * "outside"; (c) adds the spread that N replays have not yet shown: with few
 * replays the range under-covers (with n = 3 a fourth draw falls outside the
 * range of the first three half the time), while the t interval, through
 * t(n-1) and √(1+1/n), is wide precisely when n is small (n = 2: ×15.6 s).
 * A non-finite original is inside iff some replay produced the same value.
 * Returns where it was found inside, or null. The reasoning and literature: README.md.
 */
export function insideSpread(
  original: number,
  stats: MetricStats | null,
  presentValues: readonly number[],
  tol: Tolerance,
): SpreadWhere | null {
  if (!Number.isFinite(original)) {
    return presentValues.some((v) => sameBits(v, original)) ? "range" : null;
  }
  if (stats === null) return null; // no finite replay at all
  if (original >= stats.min && original <= stats.max) return "range";
  const nearest = original < stats.min ? stats.min : stats.max;
  if (withinTolerance(original, nearest, tol)) return "widened-range";
  const pi = stats.interval;
  if (pi !== null && original >= pi.low && original <= pi.high) return "prediction-interval";
  return null;
}

/** Scores one metric (without its history; scoreRun adds that). */
export function judgeMetric(
  name: string,
  original: number | null,
  replays: readonly ReplayValue[],
  tol: Tolerance,
  opts: JudgeOptions = {},
): MetricScore {
  const counted = (r: ReplayValue) => r.ok || r.exited === true;
  const values = replays.map((r) => (counted(r) ? r.value : null));
  const present: number[] = [];
  const findings: string[] = [];
  replays.forEach((r, i) => {
    if (r.ok && r.value === null) findings.push(`missing in ${replayLabel(i)}`);
    if (counted(r) && r.value !== null) {
      present.push(r.value);
      if (!Number.isFinite(r.value) && (original === null || !sameBits(r.value, original))) {
        findings.push(`${replayLabel(i)} logged ${fmt(r.value)}`);
      }
    }
  });
  if (original !== null && !Number.isFinite(original)) findings.push(`original is ${fmt(original)}`);
  const stats = computeStats(original, present);
  const rank = original === null ? null : rankAmong(original, present, opts.direction ?? null);
  const base = { name, original, replays: values, stats, tolerance: tol, findings, ...(rank !== null ? { rank } : {}) };
  const finished = replays.filter((r) => r.ok).length;

  if (original === null) {
    findings.unshift("only in replays");
    return {
      ...base,
      verdict: "failed",
      reason: `The original run did not log ${name}; only ${plural(present.length, "replay")} did, so there is nothing to reproduce.`,
    };
  }
  if (present.length === 0) {
    const why =
      finished === 0
        ? "no replay finished or logged it before failing"
        : `none of the ${plural(finished, "finished replay")} logged it`;
    return { ...base, verdict: "failed", reason: `The original logged ${fmt(original)} but ${why}.` };
  }

  // Replays that gave no evidence (never ran, infrastructure fault) are left out:
  // "every replay" means every replay that ran, and the run says it is incomplete.
  const ran = replays.filter((r) => r.skipped !== true).length;
  const complete = present.length === ran;
  if (complete && present.every((v) => sameBits(v, original))) {
    return {
      ...base,
      verdict: "identical",
      reason: `All ${plural(present.length, "replay")} reproduced ${fmt(original)} bit for bit.`,
    };
  }
  if (complete && present.every((v) => withinTolerance(original, v, tol))) {
    const s = stats as MetricStats; // present values equal to a finite original are finite
    return {
      ...base,
      verdict: "equivalent",
      reason:
        `All ${plural(present.length, "replay")} are within tolerance of ${fmt(original)} ` +
        `(largest |Δ| ${fmtDev(s.maxAbsDev)}, relative ${fmtDev(s.maxRelDev)}, ${fmt(s.maxUlps)} ULP${s.maxUlps === 1 ? "" : "s"}; ` +
        `tolerance abs ${tol.abs}, rel ${tol.rel}, ulps ${tol.ulps}, any one suffices).`,
    };
  }

  const missing = ran - present.length;
  const diverged = Number.isFinite(original) ? present.filter((v) => !Number.isFinite(v)) : [];
  if (diverged.length > 0) {
    // NaN/±Infinity from a replay of a finite original is a divergence, not spread:
    // the statistics over finite values would otherwise hide it.
    return {
      ...base,
      verdict: "not_reproduced",
      reason: `The original logged ${fmt(original)} but ${plural(diverged.length, "replay")} logged a non-finite value (${[...new Set(diverged.map((v) => fmt(v)))].join(", ")}): the replay diverged.`,
    };
  }
  const where = insideSpread(original, stats, present, tol);
  const spread = describeSpread(stats);
  const gaps = missing > 0 ? ` (${plural(missing, "replay")} without a value)` : "";
  if (where === "range" || where === "widened-range") {
    const inside = where === "range" ? "inside their range" : "within tolerance of their range";
    return {
      ...base,
      verdict: "varies",
      reason: `Replays disagree${gaps}: ${spread}; the original ${fmt(original)} lies ${inside}.`,
    };
  }
  if (stats === null || !Number.isFinite(original)) {
    const reason =
      stats === null
        ? `The original ${fmt(original)} was not produced by any replay${gaps}; the replays gave only non-finite values.`
        : `The original ${fmt(original)} was not produced by any replay${gaps}: ${spread}.`;
    return { ...base, verdict: "not_reproduced", reason };
  }
  const test = predictionTest(original, stats);
  if (test === null) {
    return {
      ...base,
      verdict: "inconclusive",
      reason: `The original ${fmt(original)} differs beyond tolerance from ${spread}${gaps}; one finite replay shows no spread to judge it against, so more replays are needed.`,
    };
  }
  const family = opts.family ?? 1;
  const alpha = opts.alpha ?? DEFAULT_ALPHA;
  const scored: MetricScore = {
    ...base,
    verdict: "inconclusive",
    reason: "",
    test: {
      statistic: test.statistic,
      p: test.p,
      pAdjusted: Math.min(1, test.p * family),
      alpha,
      family,
      settleBound: settleBound(alpha, family),
    },
  };
  return settleMetric(scored, scored.test?.pAdjusted ?? 1);
}

export interface JudgeOptions {
  /** the better direction, for the rank; null or absent = unknown */
  direction?: BetterDirection | null;
  /** the level of the test (default 0.05) */
  alpha?: number;
  /** metrics in the run's correction family (default 1) */
  family?: number;
}

/**
 * Gives a tested metric (its original beyond the replays' range) its verdict from
 * the corrected p-value: rejected -> not_reproduced, beyond the large-sample bound
 * but not rejected -> inconclusive, else varies. Untested metrics come back as they are.
 */
export function settleMetric(m: MetricScore, pAdjusted: number): MetricScore {
  const t = m.test;
  const s = m.stats;
  if (t === undefined || s === null || m.original === null) return m;
  const test = { ...t, pAdjusted };
  const outcome = testOutcome(t.statistic, pAdjusted, t.alpha, t.family);
  const spread = describeSpread(s);
  const missing = m.replays.filter((v) => v === null).length;
  const gaps = missing > 0 ? ` (${plural(missing, "replay")} without a value)` : "";
  const corrected = t.family > 1 ? `, Holm-adjusted over ${t.family} metrics` : "";
  const pText = `p = ${fmtP(t.p)}${t.family > 1 ? `, adjusted ${fmtP(pAdjusted)}` : ""}`;
  const level = `${fmtP(t.alpha)}${corrected}`;
  if (outcome === "rejected") {
    return {
      ...m,
      test,
      verdict: "not_reproduced",
      reason: `The original ${fmt(m.original)} lies outside the replays' spread${gaps}: ${spread}; as one more draw it would be ${fmt(t.statistic, 3)} predictive sd from their mean (${pText} <= ${level}).`,
    };
  }
  if (outcome === "unsettled") {
    return {
      ...m,
      test,
      verdict: "inconclusive",
      reason: `With ${plural(s.n, "finite replay")} the evidence cannot decide${gaps}: ${spread}; the original ${fmt(m.original)} is ${fmt(t.statistic, 3)} predictive sd from their mean, beyond the large-sample bound ${fmt(t.settleBound, 3)} but not rejected (${pText} > ${level}); more replays would settle it.`,
    };
  }
  return {
    ...m,
    test,
    verdict: "varies",
    reason: `Replays disagree${gaps}: ${spread}; the original ${fmt(m.original)} lies beyond their range but within their run-to-run variance (${fmt(t.statistic, 3)} predictive sd from the mean, ${pText}).`,
  };
}

function fmtP(p: number): string {
  return p >= 0.001 || p === 0 ? String(Number(p.toPrecision(2))) : p.toExponential(1);
}

function describeSpread(stats: MetricStats | null): string {
  if (stats === null) return "no replay produced a finite value";
  const nf = stats.nonFinite > 0 ? `, ${stats.nonFinite} non-finite` : "";
  if (stats.n === 1) return `the one finite replay gave ${fmt(stats.min)}${nf}`;
  return `n=${stats.n} finite in [${fmt(stats.min)}, ${fmt(stats.max)}], mean ${fmt(stats.mean)}, sd ${fmtDev(stats.std)}${nf}`;
}

/** The rules above in words, printed in every report next to the tolerance policy. */
export const VERDICT_RULES_TEXT =
  "A metric is identical when every replay has the original's bits; equivalent when every replay lies within the tolerance of the original " +
  "(any one of abs, rel or ulps suffices). When the replays disagree it varies (within run-to-run variance) if the original lies within their range " +
  "or within tolerance of its nearest end; beyond that, the original is tested as one more draw: |original − mean| / (s·√(1+1/n)) against Student-t(n−1), " +
  "two-sided, Holm-adjusted over the run's metrics at level 0.05. Rejected: not reproduced. Not rejected but beyond the large-sample bound " +
  "z(1 − 0.05/(2m)), or with one finite replay only: inconclusive (too few replays for the spread seen). Otherwise it varies. " +
  "A metric no replay produced, or that the original never logged, failed.";
