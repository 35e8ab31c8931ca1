import fc from "fast-check";
import { describe, expect, it } from "vitest";

import type { HistoryPoint, Tolerance } from "../../../harness/drift/schema.js";
import { withinTolerance } from "../../../harness/drift/within.js";
import {
  MAX_PLOTTED_POINTS,
  deviationSteps,
  normaliseSeries,
  thinSeries,
} from "../../../harness/report/history-thinning.js";

// The report's thinned histories: bounded, and never losing what a reader is told
// about (the extremes, the deviation points) nor inventing a value.

const value = fc.oneof(
  { weight: 20, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0) },
);
/** Steps mostly ascending, sometimes repeated or out of order (a retried epoch). */
const series = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 3 }), value), { minLength: 0, maxLength: 1500 })
  .map((xs) => {
    let step = 0;
    return xs.map(([jump, v]): HistoryPoint => {
      step = jump === 3 ? Math.max(0, step - 5) : step + jump;
      return { step, value: v };
    });
  });

const finiteValues = (ps: readonly HistoryPoint[]) => ps.map((p) => p.value).filter(Number.isFinite);

describe("thinSeries", () => {
  it("keeps a series up to the bound whole; beyond it at most the bound plus the steps asked for", () => {
    fc.assert(
      fc.property(
        series,
        fc.integer({ min: 7, max: 300 }),
        fc.array(fc.nat(3000), { maxLength: 20 }),
        (ps, max, keep) => {
          const norm = normaliseSeries(ps);
          const keepSteps = new Set(keep);
          const out = thinSeries(ps, max, keepSteps);
          if (norm.length <= max) expect(out).toEqual([...norm]);
          const asked = norm.filter((p) => keepSteps.has(p.step)).length;
          expect(out.length).toBeLessThanOrEqual(Math.max(norm.length <= max ? norm.length : 0, max + asked));
        },
      ),
      { numRuns: 150 },
    );
  });

  it("keeps the exact smallest and largest value, first and last point, every step asked for, in step order, values untouched", () => {
    fc.assert(
      fc.property(
        series,
        fc.integer({ min: 7, max: 120 }),
        fc.array(fc.nat(3000), { maxLength: 20 }),
        (ps, max, keep) => {
          const norm = normaliseSeries(ps);
          const keepSteps = new Set(keep);
          const out = thinSeries(ps, max, keepSteps);
          if (norm.length === 0) {
            expect(out).toEqual([]);
            return;
          }
          const finite = finiteValues(norm);
          if (finite.length > 0) {
            expect(finiteValues(out)).toContain(Math.min(...finite));
            expect(finiteValues(out)).toContain(Math.max(...finite));
          }
          expect(out[0]).toBe(norm[0]);
          expect(out.at(-1)).toBe(norm.at(-1));
          for (const p of norm) if (keepSteps.has(p.step)) expect(out).toContain(p);
          // a subsequence of the normalised series: the same point objects, strictly ascending steps
          let j = 0;
          for (const p of out) {
            while (j < norm.length && norm[j] !== p) j++;
            expect(j, `point at step ${p.step} is not from the series`).toBeLessThan(norm.length);
          }
          for (let i = 1; i < out.length; i++)
            expect((out[i] as HistoryPoint).step).toBeGreaterThan((out[i - 1] as HistoryPoint).step);
          // a gap (NaN, ±Infinity) in the series stays visible in the plot
          if (norm.some((p) => !Number.isFinite(p.value)))
            expect(out.some((p) => !Number.isFinite(p.value))).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("a step logged twice keeps its last value, as scoring does", () => {
    const out = thinSeries([
      { step: 0, value: 1 },
      { step: 1, value: 2 },
      { step: 1, value: 3 },
      { step: 2, value: 4 },
    ]);
    expect(out).toEqual([
      { step: 0, value: 1 },
      { step: 1, value: 3 },
      { step: 2, value: 4 },
    ]);
  });

  it("bounds a 1000-step series to the report's limit", () => {
    const ps = Array.from({ length: 1000 }, (_, s) => ({ step: s, value: Math.sin(s / 30) }));
    const out = thinSeries(ps);
    expect(out.length).toBeLessThanOrEqual(MAX_PLOTTED_POINTS);
    expect(out.length).toBeGreaterThan(MAX_PLOTTED_POINTS / 2);
    expect(() => thinSeries(ps, 6)).toThrow(RangeError);
  });
});

const tol: Tolerance = { abs: 1e-3, rel: 0, ulps: 0 };

/** The oracle: the first step beyond tolerance and the first step of the largest |Δ|, by brute force. */
function oracle(orig: readonly HistoryPoint[], rep: readonly HistoryPoint[]): number[] {
  const at = new Map(orig.map((p) => [p.step, p.value]));
  let first: number | undefined;
  let best: { step: number; d: number } | undefined;
  for (const p of rep) {
    const o = at.get(p.step);
    if (o === undefined) continue;
    const same = o === p.value || (Number.isNaN(o) && Number.isNaN(p.value));
    if (same) continue;
    const d = Number.isFinite(o) && Number.isFinite(p.value) ? Math.abs(p.value - o) : Number.POSITIVE_INFINITY;
    if (best === undefined || d > best.d) best = { step: p.step, d };
    if (first === undefined && !withinTolerance(o, p.value, tol)) first = p.step;
  }
  return [...new Set([first, best?.step].filter((s): s is number => s !== undefined))];
}

describe("deviationSteps", () => {
  it("names the first step beyond tolerance and the step of the largest deviation, aligned or not", () => {
    fc.assert(
      fc.property(
        series,
        fc.array(fc.tuple(fc.nat(1499), fc.double({ min: -1, max: 1, noNaN: true })), { maxLength: 30 }),
        fc.boolean(),
        (ps, changes, dropSome) => {
          const orig = normaliseSeries(ps);
          let rep = orig.map((p) => ({ ...p }));
          for (const [i, d] of changes) if (i < rep.length) (rep[i] as HistoryPoint).value += d;
          if (dropSome) rep = rep.filter((_, i) => i % 7 !== 3);
          expect(deviationSteps(orig, rep, tol).sort((a, b) => a - b)).toEqual(oracle(orig, rep).sort((a, b) => a - b));
        },
      ),
      { numRuns: 150 },
    );
  });

  it("names nothing for a replay equal to the original", () => {
    const ps = Array.from({ length: 50 }, (_, s) => ({ step: s, value: s === 7 ? Number.NaN : s }));
    expect(
      deviationSteps(
        ps,
        ps.map((p) => ({ ...p })),
        tol,
      ),
    ).toEqual([]);
  });

  it("thinned with its deviation steps, a replay and the original both keep each deviating point", () => {
    const orig = Array.from({ length: 1000 }, (_, s) => ({ step: s, value: 1 / (s + 1) }));
    const rep = orig.map((p) => ({ step: p.step, value: p.step === 333 ? p.value + 0.5 : p.value }));
    const steps = new Set(deviationSteps(orig, rep, tol));
    expect([...steps]).toEqual([333]);
    expect(thinSeries(rep, MAX_PLOTTED_POINTS, steps)).toContainEqual({ step: 333, value: 1 / 334 + 0.5 });
    expect(thinSeries(orig, MAX_PLOTTED_POINTS, steps)).toContainEqual({ step: 333, value: 1 / 334 });
  });
});
