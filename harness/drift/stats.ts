/**
 * Descriptive statistics over the replays and the prediction interval that
 * decides whether the original "could have been one more replay".
 */
import type { Interval, MetricStats } from "./schema.js";
import { studentTQuantile } from "./student-t.js";
import { ulpDistance } from "./ulps.js";
import { relativeDeviation } from "./within.js";

export const PREDICTION_LEVEL = 0.95;
export const PREDICTION_METHOD =
  "student-t prediction interval for one new observation: mean ± t(n-1, 0.975)·s·√(1+1/n)";

/**
 * Prediction interval for ONE further draw from the replays' distribution,
 * assuming it is roughly normal: mean ± t_{n-1,(1+level)/2} · s · sqrt(1 + 1/n).
 * Null when n < 2 (no spread can be estimated from one value).
 */
export function predictionInterval(
  n: number,
  mean: number,
  std: number | null,
  level = PREDICTION_LEVEL,
): Interval | null {
  if (n < 2 || std === null) return null;
  const t = studentTQuantile((1 + level) / 2, n - 1);
  const half = t * std * Math.sqrt(1 + 1 / n);
  return { method: PREDICTION_METHOD, level, low: mean - half, high: mean + half };
}

/**
 * Statistics over `replayValues` (present values only; null = missing is the
 * caller's business). Finite values feed the moments; NaN/±Infinity are counted
 * in `nonFinite`. Deviations are from `original` and null unless it is finite.
 * Returns null when no replay value is finite.
 */
export function computeStats(original: number | null, replayValues: readonly number[]): MetricStats | null {
  const finite: number[] = [];
  let nonFinite = 0;
  for (const v of replayValues) {
    if (Number.isFinite(v)) finite.push(v);
    else nonFinite++;
  }
  const n = finite.length;
  if (n === 0) return null;

  // Shifted sums: exact when all values are equal (mean == value, std == 0),
  // and better conditioned when the spread is tiny compared with the magnitude.
  const shift = finite[0] as number;
  let sum = 0;
  let min = shift;
  let max = shift;
  for (const v of finite) {
    sum += v - shift;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  let mean = shift + sum / n;
  // Rounding must not push the mean outside the data.
  if (mean < min) mean = min;
  if (mean > max) mean = max;

  let std: number | null = null;
  if (n >= 2) {
    let ss = 0;
    for (const v of finite) ss += (v - mean) * (v - mean);
    std = min === max ? 0 : Math.sqrt(ss / (n - 1));
  }
  let cv: number | null = null;
  if (std !== null) cv = std === 0 ? 0 : mean === 0 ? Number.POSITIVE_INFINITY : std / Math.abs(mean);

  let maxAbsDev: number | null = null;
  let maxRelDev: number | null = null;
  let maxUlps: number | null = null;
  if (original !== null && Number.isFinite(original)) {
    maxAbsDev = 0;
    maxRelDev = 0;
    maxUlps = 0;
    for (const v of finite) {
      maxAbsDev = Math.max(maxAbsDev, Math.abs(v - original));
      maxRelDev = Math.max(maxRelDev, relativeDeviation(original, v));
      maxUlps = Math.max(maxUlps, ulpDistance(original, v));
    }
  }

  return {
    n,
    mean,
    std,
    min,
    max,
    cv,
    maxAbsDev,
    maxRelDev,
    maxUlps,
    nonFinite,
    interval: predictionInterval(n, mean, std),
  };
}
