import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { interleavedOrder } from "../../../harness/compare/arms.js";
import { compareArms, marginAt, median, ratioWithInterval, summarize } from "../../../harness/compare/stats.js";

// Property tests for compare's arm statistics (pure): the equivalence rule between
// arms, the overhead ratio and its bootstrap interval, the summaries, the order.

const ABS = { abs: 1e-3, rel: 0, ulps: 0 };
const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true });
const sample = (min = 2) => fc.array(finite, { minLength: min, maxLength: 12 });
const positive = fc.array(fc.double({ min: 0.01, max: 1e4, noNaN: true }), { minLength: 2, maxLength: 12 });

describe("compareArms (whether tracking changed a metric)", () => {
  it("calls the same values in both arms identical, whatever the tolerance", () => {
    fc.assert(
      fc.property(finite, fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 }), (v, n, m) => {
        const r = compareArms(Array(n).fill(v), Array(m).fill(v), { abs: 0, rel: 0, ulps: 0 });
        expect(r.verdict).toBe("identical");
        expect(r.difference).toBe(0);
      }),
    );
  });

  it("never calls arms equivalent when the difference of means exceeds the margin", () => {
    fc.assert(
      fc.property(sample(), sample(), (b, a) => {
        const r = compareArms(b, a, ABS);
        if (r.verdict === "equivalent")
          expect(Math.abs(r.difference as number)).toBeLessThanOrEqual(r.margin as number);
      }),
    );
  });

  it("is unchanged by shifting both arms by the same amount (absolute margin)", () => {
    fc.assert(
      fc.property(sample(), sample(), fc.integer({ min: -1000, max: 1000 }), (b, a, k) => {
        const before = compareArms(b, a, ABS).verdict;
        const after = compareArms(
          b.map((x) => x + k),
          a.map((x) => x + k),
          ABS,
        ).verdict;
        // identical is a statement about bits: a shift can make two values round to one.
        if (before !== "identical" && after !== "identical") expect(after).toBe(before);
      }),
      { numRuns: 200 },
    );
  });

  it("calls constant arms equivalent exactly when they are within the margin", () => {
    fc.assert(
      fc.property(finite, fc.double({ min: -2e-3, max: 2e-3, noNaN: true }), (v, d) => {
        const r = compareArms([v, v, v], [v + d, v + d, v + d], ABS);
        if (r.verdict === "identical") return;
        const diff = v + d - v;
        expect(r.verdict).toBe(Math.abs(diff) <= 1e-3 ? "equivalent" : "different");
      }),
    );
  });

  it("finds clearly separated arms different, and tight overlapping arms equivalent", () => {
    expect(compareArms([1, 1.1, 0.9, 1.05], [5, 5.1, 4.9, 5.05], ABS).verdict).toBe("different");
    const tight = compareArms([1, 1 + 1e-7, 1 - 1e-7], [1 + 5e-8, 1 - 5e-8, 1], ABS);
    expect(tight.verdict).toBe("equivalent");
    expect(tight.interval?.low).toBeGreaterThanOrEqual(-1e-3);
  });

  it("says missing when an execution lacks the value, inconclusive with too few to tell", () => {
    expect(compareArms([1, null], [1, 1], ABS).verdict).toBe("missing");
    expect(compareArms([], [1], ABS).verdict).toBe("missing");
    expect(compareArms([1, 2], [1.5, 3], { abs: 1e-9, rel: 0, ulps: 0 }).verdict).toBe("inconclusive");
  });

  it("uses the audit's tolerance band at the baseline's mean as the margin", () => {
    expect(marginAt(100, { abs: 1e-12, rel: 1e-9, ulps: 4 })).toBeCloseTo(1e-7, 15);
    expect(marginAt(0, { abs: 1e-12, rel: 1e-9, ulps: 4 })).toBe(1e-12);
  });
});

describe("ratioWithInterval (overhead against the baseline)", () => {
  it("is exactly 1 for an arm against itself, and deterministic", () => {
    fc.assert(
      fc.property(positive, (xs) => {
        const r = ratioWithInterval(xs, xs);
        expect(r.ratio).toBe(1);
        expect(ratioWithInterval(xs, xs)).toEqual(r);
      }),
      { numRuns: 25 },
    );
  });

  it("has low <= high, both within the range of resampled ratios", () => {
    fc.assert(
      fc.property(positive, positive, (b, a) => {
        const r = ratioWithInterval(b, a);
        expect(r.low).not.toBeNull();
        expect(r.low as number).toBeLessThanOrEqual(r.high as number);
        const hi = Math.max(...a) / Math.min(...b);
        const lo = Math.min(...a) / Math.max(...b);
        expect(r.low as number).toBeGreaterThanOrEqual(lo * (1 - 1e-12));
        expect(r.high as number).toBeLessThanOrEqual(hi * (1 + 1e-12));
      }),
      { numRuns: 30 },
    );
  });

  it("scales with the arm: k times the arm's values is k times the ratio and its interval", () => {
    fc.assert(
      fc.property(positive, positive, fc.double({ min: 0.1, max: 10, noNaN: true }), (b, a, k) => {
        const r = ratioWithInterval(b, a);
        const s = ratioWithInterval(
          b,
          a.map((x) => x * k),
        );
        expect(s.ratio as number).toBeCloseTo((r.ratio as number) * k, 6);
        expect(s.low as number).toBeCloseTo((r.low as number) * k, 6);
        expect(s.high as number).toBeCloseTo((r.high as number) * k, 6);
      }),
      { numRuns: 25 },
    );
  });

  it("gives no interval with one execution, no ratio with none", () => {
    expect(ratioWithInterval([2], [3])).toEqual({ ratio: 1.5, low: null, high: null });
    expect(ratioWithInterval([], [3]).ratio).toBeNull();
  });
});

describe("summarize and the interleaved order", () => {
  it("keeps min <= median <= max and the mean inside the range", () => {
    fc.assert(
      fc.property(sample(1), (xs) => {
        const s = summarize(xs);
        expect(s.min as number).toBeLessThanOrEqual(s.median as number);
        expect(s.median as number).toBeLessThanOrEqual(s.max as number);
        expect(s.mean as number).toBeGreaterThanOrEqual((s.min as number) - 1e-6);
        expect(s.mean as number).toBeLessThanOrEqual((s.max as number) + 1e-6);
        if (s.sd !== null) expect(s.sd).toBeGreaterThanOrEqual(0);
        expect(median(xs)).toBe(s.median);
      }),
    );
  });

  it("gives equal values exactly their value as the mean and no spread", () => {
    fc.assert(
      fc.property(finite, fc.integer({ min: 1, max: 12 }), (v, n) => {
        const s = summarize(Array(n).fill(v));
        expect(s.mean === v).toBe(true); // -0 sums to +0: equal as numbers
        if (n > 1) expect(s.sd).toBe(0);
      }),
    );
    expect(summarize(Array(5).fill(53.33327561279711)).sd).toBe(0);
  });

  it("leaves out non-finite values", () => {
    expect(summarize([1, Number.NaN, 3, Number.POSITIVE_INFINITY])).toMatchObject({ n: 2, mean: 2 });
  });

  it("runs execution i of every arm before execution i+1 of any", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 20 }), (arms, n) => {
        const ids = (["untracked", "mlflow", "mlflow+capture"] as const).slice(0, arms);
        const order = interleavedOrder(ids, n);
        expect(order).toHaveLength(arms * n);
        order.forEach((o, i) => {
          expect(o.index).toBe(Math.floor(i / arms));
          expect(o.arm).toBe(ids[i % arms]);
        });
      }),
    );
  });
});
