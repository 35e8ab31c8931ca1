// How numbers read in the renderings. The JSON document keeps full precision; these
// strings are for people, so they are short, and never hide NaN/±Infinity/missing.

/** Shown where a value is absent (not logged, replay did not finish, n < 2). */
export const MISSING = "—";

function nonFinite(n: number): string | undefined {
  if (Number.isNaN(n)) return "NaN";
  if (n === Number.POSITIVE_INFINITY) return "+Inf";
  if (n === Number.NEGATIVE_INFINITY) return "-Inf";
  return undefined;
}

/**
 * A metric value with up to 10 significant digits: enough to tell apart values that
 * differ in the 9th digit, short enough for a table. Bitwise questions are answered
 * by the ULP column, not by reading digits.
 */
export function formatValue(n: number | null | undefined): string {
  if (n === null || n === undefined) return MISSING;
  const special = nonFinite(n);
  if (special !== undefined) return special;
  if (n === 0) return Object.is(n, -0) ? "-0" : "0";
  const abs = Math.abs(n);
  if (abs >= 1e-4 && abs < 1e10) return String(Number(n.toPrecision(10)));
  return n.toExponential(6).replace(/\.?0+e/, "e");
}

/** A deviation or spread: 3 significant digits, exponent form for small values. */
export function formatDeviation(n: number | null | undefined): string {
  if (n === null || n === undefined) return MISSING;
  const special = nonFinite(n);
  if (special !== undefined) return special;
  if (n === 0) return "0";
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e6) return String(Number(n.toPrecision(3)));
  return n.toExponential(2).replace(/\.?0+e/, "e");
}

/** ULP distances are whole numbers but may exceed 2^53 (then approximate). */
export function formatUlps(n: number | null | undefined): string {
  if (n === null || n === undefined) return MISSING;
  const special = nonFinite(n);
  if (special !== undefined) return special;
  if (n < 1e6) return String(Math.round(n));
  return n.toExponential(2).replace(/\.?0+e/, "e");
}

export function formatScore(score: number): string {
  return Number.isFinite(score) ? score.toFixed(2) : MISSING;
}

export function formatPercent(fraction: number): string {
  return Number.isFinite(fraction) ? `${Math.round(fraction * 100)}%` : MISSING;
}

export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms)) return MISSING;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${seconds} s`;
}

/** "mean ± std", or just the mean when there is no spread to estimate. */
export function formatMeanStd(mean: number | null | undefined, std: number | null | undefined): string {
  if (mean === null || mean === undefined) return MISSING;
  return std === null || std === undefined ? formatValue(mean) : `${formatValue(mean)} ± ${formatDeviation(std)}`;
}
