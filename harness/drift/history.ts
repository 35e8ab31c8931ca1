/**
 * Step histories (a metric logged once per step/epoch) compared point by point
 * against the original, aligned by step number, not by position.
 */
import { fmtDev, replayLabel } from "./format.js";
import type { HistoryComparison, HistoryPoint, Tolerance } from "./schema.js";
import { withinTolerance } from "./within.js";

export interface HistoryResult {
  comparison: HistoryComparison;
  findings: string[];
}

/** Absolute deviation where equal non-finite values are 0 apart and unequal ones Infinity. */
function pointDeviation(o: number, r: number): number {
  if (Number.isFinite(o) && Number.isFinite(r)) return Math.abs(r - o);
  return Object.is(o, r) || (Number.isNaN(o) && Number.isNaN(r)) ? 0 : Number.POSITIVE_INFINITY;
}

/**
 * Steps in ascending order with one value each. A tracker may log a step twice
 * (a retried epoch): the LAST value logged for a step wins, as MLflow's UI shows.
 */
function normalise(points: readonly HistoryPoint[]): { steps: number[]; values: number[] } {
  let sortedUnique = true;
  for (let i = 1; i < points.length; i++) {
    if ((points[i] as HistoryPoint).step <= (points[i - 1] as HistoryPoint).step) {
      sortedUnique = false;
      break;
    }
  }
  if (sortedUnique) return { steps: points.map((p) => p.step), values: points.map((p) => p.value) };
  const byStep = new Map<number, number>();
  for (const p of points) byStep.set(p.step, p.value);
  const steps = [...byStep.keys()].sort((a, b) => a - b);
  return { steps, values: steps.map((s) => byStep.get(s) as number) };
}

/**
 * Compares the original history with each finished replay's. Replays that did
 * not finish are `undefined` here and are neither compared nor counted as a
 * length mismatch. Returns undefined when nobody logged a history.
 */
export function compareHistories(
  original: readonly HistoryPoint[] | undefined,
  replays: ReadonlyArray<readonly HistoryPoint[] | null | undefined>,
  tol: Tolerance,
): HistoryResult | undefined {
  // null = finished without a history; undefined = did not finish.
  if (original === undefined && replays.every((r) => r === null || r === undefined)) return undefined;
  const findings: string[] = [];
  const orig = normalise(original ?? []);
  const index = new Map<number, number>();
  for (const [i, s] of orig.steps.entries()) index.set(s, i);
  const covered = new Uint8Array(orig.steps.length);

  let maxAbsDev: number | null = null;
  let maxRelDev: number | null = null;
  let atStep: number | null = null;
  let atReplay: number | null = null;
  let mismatch = false;
  const counts: (number | null)[] = [];

  replays.forEach((hist, ri) => {
    if (hist === undefined) {
      counts.push(null);
      return;
    }
    if (hist === null) {
      counts.push(null);
      if (orig.steps.length > 0) mismatch = true;
      return;
    }
    const rep = normalise(hist);
    counts.push(rep.steps.length);
    // Same steps in the same order (the common case): compare by position.
    const aligned = rep.steps.length === orig.steps.length && rep.steps.every((s, i) => s === orig.steps[i]);
    if (!aligned) mismatch = true;
    let beyond = 0;
    let firstBeyond: number | null = null;
    for (let j = 0; j < rep.steps.length; j++) {
      const oi = aligned ? j : index.get(rep.steps[j] as number);
      if (oi === undefined) continue;
      covered[oi] = 1;
      const o = orig.values[oi] as number;
      const r = rep.values[j] as number;
      const d = pointDeviation(o, r);
      if (maxAbsDev === null || d > maxAbsDev) {
        maxAbsDev = d;
        atStep = orig.steps[oi] as number;
        atReplay = ri;
      }
      const rel = d === 0 ? 0 : Number.isFinite(d) ? d / Math.abs(o) : Number.POSITIVE_INFINITY;
      if (maxRelDev === null || rel > maxRelDev) maxRelDev = rel;
      if (d !== 0 && !withinTolerance(o, r, tol)) {
        beyond++;
        firstBeyond ??= orig.steps[oi] as number;
      }
    }
    if (beyond > 0) {
      findings.push(
        `history in ${replayLabel(ri)} differs beyond tolerance at ${beyond} of ${rep.steps.length} steps, first at step ${firstBeyond}`,
      );
    }
  });

  const stepsCompared = covered.reduce((a, b) => a + b, 0);
  const comparison: HistoryComparison = { stepsCompared, maxAbsDev, atStep, atReplay, maxRelDev };
  if (mismatch) {
    comparison.lengthMismatch = { original: orig.steps.length, replays: counts };
    findings.push(
      `history steps differ: original has ${orig.steps.length}, replays have ${counts.map((c) => (c === null ? "none" : String(c))).join(", ")}`,
    );
  }
  if (maxAbsDev !== null && maxAbsDev > 0 && atReplay !== null) {
    findings.push(`history: largest |Δ| ${fmtDev(maxAbsDev)} at step ${atStep} (${replayLabel(atReplay)})`);
  }
  return { comparison, findings };
}
