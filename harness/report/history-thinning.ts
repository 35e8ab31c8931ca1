/**
 * Step histories thinned for the report: a bounded number of points per series, so
 * a report's size grows with what a reader sees (a plot a few hundred pixels wide),
 * not with how long the runs trained. Scoring (drift/history.ts) has compared every
 * point before this runs; the thinned copy is for plotting and reading. PURE.
 *
 * What survives, exactly (the same point objects, values untouched):
 * - the first and the last point;
 * - the series' smallest and largest finite value (first occurrence of each);
 * - every point whose step is in `keepSteps`: the deviation points, i.e. for each
 *   replay the step where it first leaves tolerance and the step of its largest
 *   |Δ| against the original (see `deviationSteps`), kept on the replay's series
 *   and on the original's, so the plot shows both sides of every deviation the
 *   report's text names;
 * - per bucket of consecutive points: its smallest and largest finite value and its
 *   first non-finite point (a NaN splits the line, and the gap stays visible).
 * At most `maxPoints + |keepSteps|` points, in step order.
 */
import type { HistoryPoint, Tolerance } from "../drift/schema.js";
import { withinTolerance } from "../drift/within.js";

/** Points per plotted series in the report, before the deviation points are added. */
export const MAX_PLOTTED_POINTS = 100;

/** Points every series keeps whatever its length: first, last, smallest and largest value. */
const FIXED_POINTS = 4;
/** Points a bucket may contribute: its smallest and largest finite value and its first non-finite one. */
const PER_BUCKET = 3;

/**
 * Steps ascending, one point each; a step logged twice keeps its LAST value, as
 * scoring and MLflow's UI do. Returns the input itself when it is already so.
 */
export function normaliseSeries(points: readonly HistoryPoint[]): readonly HistoryPoint[] {
  let sortedUnique = true;
  for (let i = 1; i < points.length; i++) {
    if ((points[i] as HistoryPoint).step <= (points[i - 1] as HistoryPoint).step) {
      sortedUnique = false;
      break;
    }
  }
  if (sortedUnique) return points;
  const byStep = new Map<number, HistoryPoint>();
  for (const p of points) byStep.set(p.step, p);
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}

/**
 * The thinned copy of one series (normalised first). Short series come back whole.
 * `maxPoints` must be at least 7 (the fixed points and one bucket). One pass over
 * the series: a long audit thins tens of millions of points.
 */
export function thinSeries(
  points: readonly HistoryPoint[],
  maxPoints: number = MAX_PLOTTED_POINTS,
  keepSteps: ReadonlySet<number> = new Set(),
): HistoryPoint[] {
  if (!Number.isInteger(maxPoints) || maxPoints < FIXED_POINTS + PER_BUCKET)
    throw new RangeError(`maxPoints must be an integer of at least ${FIXED_POINTS + PER_BUCKET}, got ${maxPoints}`);
  const series = normaliseSeries(points);
  const n = series.length;
  if (n <= maxPoints) return [...series];
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[n - 1] = 1;
  const buckets = Math.floor((maxPoints - FIXED_POINTS) / PER_BUCKET);
  // Bucket b holds indexes [floor(b·n/buckets), floor((b+1)·n/buckets)); its extremes
  // are tracked as values, and the series' own as the extremes of its buckets.
  let globalLo = -1;
  let globalHi = -1;
  for (let b = 0, from = 0; b < buckets; b++) {
    const to = Math.floor(((b + 1) * n) / buckets);
    let lo = -1;
    let hi = -1;
    let gap = -1;
    let loV = 0;
    let hiV = 0;
    for (let i = from; i < to; i++) {
      const v = (series[i] as HistoryPoint).value;
      if (v - v !== 0) {
        // NaN or ±Infinity (v - v is NaN for exactly those)
        if (gap < 0) gap = i;
      } else if (lo < 0) {
        lo = hi = i;
        loV = hiV = v;
      } else if (v < loV) {
        lo = i;
        loV = v;
      } else if (v > hiV) {
        hi = i;
        hiV = v;
      }
    }
    if (lo >= 0) {
      keep[lo] = 1;
      keep[hi] = 1;
      if (globalLo < 0 || loV < (series[globalLo] as HistoryPoint).value) globalLo = lo;
      if (globalHi < 0 || hiV > (series[globalHi] as HistoryPoint).value) globalHi = hi;
    }
    if (gap >= 0) keep[gap] = 1;
    from = to;
  }
  // The series' smallest and largest value: their first occurrences, as the buckets are visited in order.
  if (globalLo >= 0) keep[globalLo] = 1;
  if (globalHi >= 0) keep[globalHi] = 1;
  for (const step of keepSteps) {
    const i = indexOfStep(series, step);
    if (i >= 0) keep[i] = 1;
  }
  const out: HistoryPoint[] = [];
  for (let i = 0; i < n; i++) if (keep[i] === 1) out.push(series[i] as HistoryPoint);
  return out;
}

/** Index of `step` in a normalised (ascending, unique) series, or -1. */
function indexOfStep(series: readonly HistoryPoint[], step: number): number {
  let lo = 0;
  let hi = series.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const s = (series[mid] as HistoryPoint).step;
    if (s === step) return mid;
    if (s < step) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * The steps where one replay's history deviates as the report names it: the first
 * step beyond tolerance and the step of the largest |Δ| (first such step), against
 * the original's value at the same step. Non-finite values deviate unless equal.
 * Both series as `normaliseSeries` gives them.
 */
export function deviationSteps(
  original: readonly HistoryPoint[],
  replay: readonly HistoryPoint[],
  tol: Tolerance,
): number[] {
  // Same steps in the same order (the common case): compare by position.
  const aligned =
    replay.length === original.length && replay.every((p, i) => p.step === (original[i] as HistoryPoint).step);
  const index = aligned ? undefined : new Map(original.map((p, i) => [p.step, i]));
  let firstBeyond: number | undefined;
  let largestAt: number | undefined;
  let largest = 0;
  for (let j = 0; j < replay.length; j++) {
    const p = replay[j] as HistoryPoint;
    const oi = index === undefined ? j : index.get(p.step);
    if (oi === undefined) continue;
    const o = (original[oi] as HistoryPoint).value;
    const r = p.value;
    if (o === r || (Number.isNaN(o) && Number.isNaN(r))) continue;
    const d = Number.isFinite(o) && Number.isFinite(r) ? Math.abs(r - o) : Number.POSITIVE_INFINITY;
    if (largestAt === undefined || d > largest) {
      largest = d;
      largestAt = p.step;
    }
    if (firstBeyond === undefined && !withinTolerance(o, r, tol)) firstBeyond = p.step;
  }
  return [...new Set([firstBeyond, largestAt].filter((s): s is number => s !== undefined))];
}
