/** The tolerance test applied between an original value and one replay value. */
import type { Tolerance } from "./schema.js";
import { ulpDistance } from "./ulps.js";

const EPSILON = Number.EPSILON; // 2^-52

/**
 * True when `replay` is close enough to `original`: any ONE of the bounds
 * suffices (|d| <= abs OR |d| <= rel * |original| OR ulps <= ulps). OR, not AND,
 * because each bound answers a regime where the others are useless: abs near
 * zero (where rel explodes), rel for large magnitudes (where abs is too strict),
 * ulps for the "same bits give or take rounding" question. A policy that wants
 * only one bound sets the others to 0.
 *
 * Non-finite values are close only to themselves (NaN to NaN, +Inf to +Inf):
 * ULP arithmetic would otherwise call MAX_VALUE and Infinity neighbours.
 */
export function withinTolerance(original: number, replay: number, tol: Tolerance): boolean {
  if (!Number.isFinite(original) || !Number.isFinite(replay)) {
    return Object.is(original, replay) || (Number.isNaN(original) && Number.isNaN(replay));
  }
  const d = Math.abs(replay - original);
  if (d <= tol.abs || d <= tol.rel * Math.abs(original)) return true;
  if (tol.ulps === 0) return false; // d > 0 here, so at least one ULP apart
  // k ULPs never span more than k · ulp(larger magnitude), and ulp(x) <= max(|x|·2^-52,
  // 2^-1074). Beyond that bound the (slow, BigInt) count cannot come out <= k.
  const ulpBound = Math.max(Math.max(Math.abs(original), Math.abs(replay)) * EPSILON, Number.MIN_VALUE);
  if (d > tol.ulps * ulpBound) return false;
  return ulpDistance(original, replay) <= tol.ulps;
}

/**
 * |replay - original| / |original|, with 0/0 = 0 and x/0 = Infinity so that an
 * original of exactly 0 still reports "any change is infinitely large relatively".
 */
export function relativeDeviation(original: number, replay: number): number {
  const d = Math.abs(replay - original);
  if (d === 0) return 0;
  return d / Math.abs(original);
}
