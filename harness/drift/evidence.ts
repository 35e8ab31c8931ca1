/**
 * The test behind a metric whose replays differ and whose original lies beyond
 * their range, and the correction over a run's metrics. Pure.
 *
 * Under "the original is one more draw like the replays" (exchangeable, roughly
 * normal) the statistic |o − mean| / (s·√(1 + 1/n)) is Student-t with n − 1 df:
 * its two-sided p-value is exact, and p <= α is the same as "outside the
 * (1 − α) prediction interval". A run's metrics are correlated (rmse, mse and r2
 * move together), so the p-values are adjusted by Holm's step-down, which holds
 * under any dependence. Between "rejected" and "consistent" lies a band where
 * the verdict hinges on the width only few replays impose: beyond the
 * large-sample bound z(1 − α/(2m)) but inside the Student-t one. There the metric
 * is inconclusive, and more replays settle it (t → z as n grows).
 */
import { normalQuantile } from "./normal.js";
import type { MetricStats } from "./schema.js";
import { studentTCdf } from "./student-t.js";

/** The level every run-level decision is taken at, unless the caller spends it over several looks. */
export const DEFAULT_ALPHA = 0.05;

export interface PredictionTest {
  statistic: number;
  p: number;
}

/** Null when fewer than two finite replays (no spread to judge against). */
export function predictionTest(original: number, stats: MetricStats | null): PredictionTest | null {
  if (stats === null || stats.std === null || stats.n < 2 || !Number.isFinite(original)) return null;
  const dev = Math.abs(original - stats.mean);
  if (stats.std === 0) return dev === 0 ? { statistic: 0, p: 1 } : { statistic: Number.POSITIVE_INFINITY, p: 0 };
  const statistic = dev / (stats.std * Math.sqrt(1 + 1 / stats.n));
  // Sums of values near ±MAX_VALUE overflow: no trustworthy statistic, so no test (the verdict says inconclusive).
  if (!Number.isFinite(statistic) || !Number.isFinite(stats.std)) return null;
  // The lower tail keeps precision where 1 - cdf would cancel to 0.
  return { statistic, p: Math.min(1, 2 * studentTCdf(-statistic, stats.n - 1)) };
}

/** Holm-adjusted p-values, in the input's order: min(1, max over j <= i of (m − j + 1)·p(j)). */
export function holmAdjust(ps: readonly number[]): number[] {
  const m = ps.length;
  const order = ps.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(m).fill(1);
  let running = 0;
  order.forEach(([p, i], j) => {
    running = Math.max(running, Math.min(1, (m - j) * p));
    out[i] = running;
  });
  return out;
}

/** The large-sample bound: a statistic beyond it is evidence that only the small-sample width forgives. */
export function settleBound(alpha: number, family: number): number {
  return normalQuantile(1 - alpha / (2 * family));
}

export type TestOutcome = "rejected" | "unsettled" | "consistent";

export function testOutcome(statistic: number, pAdjusted: number, alpha: number, family: number): TestOutcome {
  if (pAdjusted <= alpha) return "rejected";
  return statistic > settleBound(alpha, family) ? "unsettled" : "consistent";
}
