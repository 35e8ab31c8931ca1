import { describe, expect, it } from "vitest";
import { computeStats, predictionInterval } from "../../../harness/drift/stats.js";

// Reference numbers computed with numpy (std ddof=1) and scipy.stats.t.ppf.
describe("computeStats", () => {
  it("computes moments, deviations and the prediction interval for [1, 2, 3, 4]", () => {
    const s = computeStats(2, [1, 2, 3, 4]);
    expect(s).not.toBeNull();
    if (s === null) return;
    expect(s.n).toBe(4);
    expect(s.mean).toBe(2.5);
    expect(s.std).toBeCloseTo(1.2909944487358056, 14);
    expect(s.cv).toBeCloseTo(0.5163977794943222, 14);
    expect([s.min, s.max]).toEqual([1, 4]);
    expect(s.maxAbsDev).toBe(2);
    expect(s.maxRelDev).toBe(1);
    expect(s.maxUlps).toBe(2 ** 52); // 2 -> 4 is one binade
    expect(s.nonFinite).toBe(0);
    expect(s.interval?.low).toBeCloseTo(-2.0934655775926965, 9);
    expect(s.interval?.high).toBeCloseTo(7.0934655775926965, 9);
    expect(s.interval?.level).toBe(0.95);
  });
  it("gives exactly mean = value and std = 0 for equal values", () => {
    const s = computeStats(0.1, [0.1, 0.1, 0.1]);
    expect(s?.mean).toBe(0.1);
    expect(s?.std).toBe(0);
    expect(s?.cv).toBe(0);
    expect(s?.interval).toMatchObject({ low: 0.1, high: 0.1 });
  });
  it("counts non-finite values instead of dropping them, and excludes them from moments", () => {
    const s = computeStats(1, [1, Number.NaN, Number.POSITIVE_INFINITY, 3]);
    expect(s?.n).toBe(2);
    expect(s?.nonFinite).toBe(2);
    expect(s?.mean).toBe(2);
    expect(s?.maxAbsDev).toBe(2);
  });
  it("returns null when no value is finite, and no std/interval for one value", () => {
    expect(computeStats(1, [Number.NaN])).toBeNull();
    expect(computeStats(1, [])).toBeNull();
    const one = computeStats(1, [1.5]);
    expect(one?.std).toBeNull();
    expect(one?.cv).toBeNull();
    expect(one?.interval).toBeNull();
  });
  it("reports relative deviation from an original of 0 as Infinity, and none for a NaN original", () => {
    expect(computeStats(0, [0, 1e-300])?.maxRelDev).toBe(Number.POSITIVE_INFINITY);
    expect(computeStats(0, [0, -0])?.maxRelDev).toBe(0);
    const s = computeStats(Number.NaN, [1, 2]);
    expect(s?.maxAbsDev).toBeNull();
    expect(s?.maxRelDev).toBeNull();
    expect(s?.maxUlps).toBeNull();
  });
  it("has cv Infinity when the mean is 0 but values vary", () => {
    expect(computeStats(0, [-1, 1])?.cv).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("predictionInterval", () => {
  it("is mean ± 12.706·s·√1.5 for n = 2", () => {
    const pi = predictionInterval(2, 10, 1);
    expect(pi?.high).toBeCloseTo(10 + 12.706204736174694 * Math.sqrt(1.5), 9);
    expect(pi?.low).toBeCloseTo(10 - 12.706204736174694 * Math.sqrt(1.5), 9);
    expect(predictionInterval(1, 10, null)).toBeNull();
  });
});
