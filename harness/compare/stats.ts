import { studentTCdf, studentTQuantile } from "../drift/student-t.js";
import type { Tolerance } from "../drift/schema.js";
import { sameBits } from "../drift/ulps.js";
import { seededRandom } from "../drift/seeded-random.js";

// The statistics of compare, PURE: a metric's distribution in one arm, whether two
// arms gave the same results (the equivalence rule), and an overhead ratio with its
// interval. No I/O, no clock, no Math.random: the bootstrap draws from a seeded
// generator, so the same executions always give the same report.

export interface Summary {
  n: number;
  mean: number | null;
  /** sample standard deviation (n - 1); null below 2 values */
  sd: number | null;
  median: number | null;
  min: number | null;
  max: number | null;
}

/** The finite values' summary; NaN and ±Infinity are left out (the caller counts them). */
export function summarize(values: readonly number[]): Summary {
  const v = values.filter(Number.isFinite);
  const n = v.length;
  if (n === 0) return { n, mean: null, sd: null, median: null, min: null, max: null };
  // Shifted by the first value: equal values give exactly that mean and a spread of 0
  // (a plain sum / n rounds, and identical executions would show a spread of 1e-15).
  const v0 = v[0] as number;
  const shift = v.reduce((a, b) => a + (b - v0), 0) / n;
  const mean = v0 + shift;
  const sd = n < 2 ? null : Math.sqrt(v.reduce((a, b) => a + (b - v0 - shift) ** 2, 0) / (n - 1));
  return { n, mean, sd, median: median(v), min: Math.min(...v), max: Math.max(...v) };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * Whether tracking changed a metric: one arm's values against the baseline arm's.
 *   identical     every execution of both arms has a value, all of them the same bits;
 *   equivalent    TOST: the 90% Welch interval of the difference of means lies within
 *                 ±margin (two one-sided tests at 5%); with no spread in either arm,
 *                 |difference| <= margin;
 *   different     the 95% Welch test rejects equal means, or (no spread) |difference| > margin;
 *   inconclusive  neither: too few executions or too much spread to tell at this margin;
 *   missing       an arm has no finite value (or some execution lacks one) to compare.
 * The margin is the audit's tolerance at the baseline's mean: max(abs, rel·|mean|,
 * ulps·ulp(mean)), the same band an audit accepts a replay in.
 */
export type Equivalence = "identical" | "equivalent" | "different" | "inconclusive" | "missing";

export const EQUIVALENCE_RULE_TEXT =
  "identical when every execution of both arms logged the metric with the same bits; else equivalent by TOST " +
  "(two one-sided Welch t tests at 5%: the 90% interval of the difference of means inside ±margin; with no spread " +
  "in either arm, |difference| <= margin), where margin = the audit's tolerance at the baseline's mean, " +
  "max(abs, rel*|mean|, ulps*ulp(mean)); different when a two-sided Welch t test at 5% rejects equal means (or, with no " +
  "spread, |difference| > margin); else inconclusive; missing when an execution lacks the value. " +
  "Arms agree when every metric is identical or equivalent.";

export interface EquivalenceResult {
  verdict: Equivalence;
  /** mean(arm) - mean(baseline) */
  difference: number | null;
  margin: number | null;
  /** the 90% Welch interval of the difference (TOST's), when both arms have >= 2 values and some spread */
  interval: { low: number; high: number } | null;
  /** two-sided Welch p-value for equal means, when it can be computed */
  p: number | null;
}

/** The tolerance band at x, as drift/ accepts a replay: the widest of abs, rel and ULP bounds. */
export function marginAt(x: number, tol: Tolerance): number {
  const ulp = Math.abs(x) > 0 ? Math.abs(x) * Number.EPSILON : Number.MIN_VALUE;
  return Math.max(tol.abs, tol.rel * Math.abs(x), tol.ulps * ulp);
}

export function compareArms(
  baseline: readonly (number | null)[],
  arm: readonly (number | null)[],
  tol: Tolerance,
): EquivalenceResult {
  const none: EquivalenceResult = { verdict: "missing", difference: null, margin: null, interval: null, p: null };
  if (baseline.length === 0 || arm.length === 0) return none;
  if (baseline.some((v) => v === null) || arm.some((v) => v === null)) return none;
  const b = baseline as number[];
  const a = arm as number[];
  const first = b[0] as number;
  if ([...b, ...a].every((v) => sameBits(v, first)))
    return {
      verdict: "identical",
      difference: 0,
      margin: Number.isFinite(first) ? marginAt(first, tol) : null,
      interval: null,
      p: null,
    };
  if (![...b, ...a].every(Number.isFinite)) return { ...none, verdict: "different" };
  const sb = summarize(b);
  const sa = summarize(a);
  const mb = sb.mean as number;
  const diff = (sa.mean as number) - mb;
  const margin = marginAt(mb, tol);
  const varB = sb.sd === null ? 0 : sb.sd ** 2;
  const varA = sa.sd === null ? 0 : sa.sd ** 2;
  const se = Math.sqrt(varB / b.length + varA / a.length);
  if (se === 0 || !Number.isFinite(se)) {
    // No spread at all (each arm constant): the difference is what it is.
    return {
      verdict: Math.abs(diff) <= margin ? "equivalent" : "different",
      difference: diff,
      margin,
      interval: null,
      p: null,
    };
  }
  if (b.length < 2 || a.length < 2)
    return { verdict: "inconclusive", difference: diff, margin, interval: null, p: null };
  const df = welchDf(varB, b.length, varA, a.length);
  const q90 = studentTQuantile(0.95, df);
  const interval = { low: diff - q90 * se, high: diff + q90 * se };
  const t = diff / se;
  const p = Math.min(1, 2 * (1 - studentTCdf(Math.abs(t), df)));
  const verdict: Equivalence =
    interval.low >= -margin && interval.high <= margin ? "equivalent" : p < 0.05 ? "different" : "inconclusive";
  return { verdict, difference: diff, margin, interval, p };
}

/** Welch–Satterthwaite degrees of freedom; a constant arm contributes nothing. */
function welchDf(v1: number, n1: number, v2: number, n2: number): number {
  const a = v1 / n1;
  const b = v2 / n2;
  const den = (n1 > 1 ? a ** 2 / (n1 - 1) : 0) + (n2 > 1 ? b ** 2 / (n2 - 1) : 0);
  if (den === 0) return Math.max(1, n1 + n2 - 2);
  return Math.max(1, (a + b) ** 2 / den);
}

export const RATIO_METHOD_TEXT =
  "ratio = median(arm) / median(baseline) per execution; 95% interval by percentile bootstrap " +
  "(2000 resamples of each arm's executions independently, seeded so the report is reproducible; " +
  "needs >= 2 executions per arm, and with few executions the interval is coarse: it can only take values the resampled medians can).";

export interface Ratio {
  ratio: number | null;
  low: number | null;
  high: number | null;
}

/** median(arm) / median(baseline) with a percentile-bootstrap 95% interval. */
export function ratioWithInterval(
  baseline: readonly number[],
  arm: readonly number[],
  opts: { resamples?: number; seed?: number } = {},
): Ratio {
  const b = baseline.filter(Number.isFinite);
  const a = arm.filter(Number.isFinite);
  if (b.length === 0 || a.length === 0) return { ratio: null, low: null, high: null };
  const mb = median(b);
  const ratio = mb > 0 ? median(a) / mb : null;
  if (ratio === null || b.length < 2 || a.length < 2) return { ratio, low: null, high: null };
  const rand = seededRandom(opts.seed ?? 20_240_611);
  const draws: number[] = [];
  const resample = (xs: readonly number[]) =>
    Array.from({ length: xs.length }, () => xs[Math.floor(rand() * xs.length)] as number);
  const B = opts.resamples ?? 2000;
  for (let i = 0; i < B; i++) {
    const den = median(resample(b));
    if (den > 0) draws.push(median(resample(a)) / den);
  }
  if (draws.length === 0) return { ratio, low: null, high: null };
  draws.sort((x, y) => x - y);
  const at = (q: number) => draws[Math.min(draws.length - 1, Math.max(0, Math.floor(q * draws.length)))] as number;
  return { ratio, low: at(0.025), high: at(0.975) };
}
