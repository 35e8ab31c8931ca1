import { describe, expect, it } from "vitest";
import { compareHistories } from "../../../harness/drift/history.js";
import type { HistoryPoint, Tolerance } from "../../../harness/drift/schema.js";

const TOL: Tolerance = { abs: 1e-12, rel: 1e-9, ulps: 4 };
const h = (...vals: number[]): HistoryPoint[] => vals.map((value, step) => ({ step, value }));

describe("compareHistories", () => {
  it("finds the largest deviation, its step and its replay", () => {
    const r = compareHistories(h(1, 2, 3, 4), [h(1, 2, 3, 4), h(1, 2.5, 3, 4.1)], TOL);
    expect(r?.comparison).toEqual({ stepsCompared: 4, maxAbsDev: 0.5, atStep: 1, atReplay: 1, maxRelDev: 0.25 });
    expect(r?.findings).toContain("history in replay 2 differs beyond tolerance at 2 of 4 steps, first at step 1");
    expect(r?.findings).toContain("history: largest |Δ| 0.5 at step 1 (replay 2)");
  });
  it("aligns by step number, not position, and flags a length mismatch", () => {
    const orig = [
      { step: 0, value: 1 },
      { step: 10, value: 2 },
      { step: 20, value: 3 },
    ];
    const rep = [
      { step: 10, value: 2 },
      { step: 20, value: 3.5 },
    ];
    const r = compareHistories(orig, [rep], TOL);
    expect(r?.comparison.stepsCompared).toBe(2);
    expect(r?.comparison.maxAbsDev).toBe(0.5);
    expect(r?.comparison.atStep).toBe(20);
    expect(r?.comparison.lengthMismatch).toEqual({ original: 3, replays: [2] });
    expect(r?.findings[r.findings.length - 2]).toBe("history steps differ: original has 3, replays have 2");
  });
  it("keeps the last value logged for a repeated step, whatever the order", () => {
    const orig = [
      { step: 1, value: 5 },
      { step: 0, value: 1 },
      { step: 1, value: 2 },
    ];
    const r = compareHistories(orig, [h(1, 2)], TOL);
    expect(r?.comparison.maxAbsDev).toBe(0);
    expect(r?.comparison.lengthMismatch).toBeUndefined();
  });
  it("counts non-finite points: equal NaNs are 0 apart, NaN vs number is Infinity", () => {
    expect(compareHistories(h(1, Number.NaN), [h(1, Number.NaN)], TOL)?.comparison.maxAbsDev).toBe(0);
    const r = compareHistories(h(1, 2), [h(1, Number.NaN)], TOL);
    expect(r?.comparison.maxAbsDev).toBe(Number.POSITIVE_INFINITY);
    expect(r?.comparison.maxRelDev).toBe(Number.POSITIVE_INFINITY);
    expect(r?.comparison.atStep).toBe(1);
  });
  it("skips unfinished replays (undefined) but flags finished ones without history (null)", () => {
    const r = compareHistories(h(1, 2), [undefined, null, h(1, 2)], TOL);
    expect(r?.comparison.lengthMismatch).toEqual({ original: 2, replays: [null, null, 2] });
    const r2 = compareHistories(h(1, 2), [undefined, h(1, 2)], TOL);
    expect(r2?.comparison.lengthMismatch).toBeUndefined();
    expect(compareHistories(undefined, [null, undefined], TOL)).toBeUndefined();
  });
});
