import { describe, expect, it } from "vitest";
import { judgeMetric, type ReplayValue } from "../../../harness/drift/verdict.js";
import type { Tolerance } from "../../../harness/drift/schema.js";

const TOL: Tolerance = { abs: 1e-12, rel: 1e-9, ulps: 4 };
const ok = (...vs: Array<number | null>): ReplayValue[] => vs.map((value) => ({ ok: true, value }));

describe("judgeMetric verdicts", () => {
  it("identical when every replay has the same bits", () => {
    const m = judgeMetric("acc", 0.3, ok(0.3, 0.3, 0.3), TOL);
    expect(m.verdict).toBe("identical");
    expect(m.reason).toBe("All 3 replays reproduced 0.3 bit for bit.");
    expect(m.findings).toEqual([]);
  });
  it("equivalent for 0.1 + 0.2 vs 0.3 (1 ULP), naming the numbers", () => {
    const m = judgeMetric("acc", 0.3, ok(0.1 + 0.2, 0.3), TOL);
    expect(m.verdict).toBe("equivalent");
    expect(m.stats?.maxUlps).toBe(1);
    expect(m.reason).toContain("relative 1.85e-16, 1 ULP;");
    expect(m.reason).toContain("largest |Δ| 5.55e-17");
  });
  it("equivalent for +0 vs -0: numerically equal, not bitwise", () => {
    expect(judgeMetric("x", 0, ok(-0), TOL).verdict).toBe("equivalent");
  });
  it("equivalent through any ONE bound (OR), not all of them", () => {
    // |d| = 1e-7 > abs, 1e-7/1 > rel, huge ULPs: only rel 1e-6 admits it.
    expect(judgeMetric("x", 1, ok(1 + 1e-7), { abs: 0, rel: 1e-6, ulps: 0 }).verdict).toBe("equivalent");
    expect(judgeMetric("x", 1, ok(1 + 1e-7), { abs: 1e-6, rel: 0, ulps: 0 }).verdict).toBe("equivalent");
    expect(judgeMetric("x", 1, ok(1 + 1e-7), { abs: 0, rel: 0, ulps: 0 }).verdict).not.toBe("equivalent");
  });
  it("beyond the range, inside the 95% prediction interval but beyond the large-sample bound: inconclusive (hand-checked)", () => {
    // replays 0.80, 0.85, 0.82: mean 0.82333, sd 0.025166, t(2) = 4.3027 → PI [0.6983, 0.9484]
    // 0.9: T = 0.076667 / (0.025166·√(4/3)) = 2.638 > z(0.975) = 1.96, p = 2·P(t2 > 2.638) = 0.1186
    const m = judgeMetric("acc", 0.9, ok(0.8, 0.85, 0.82), TOL);
    expect(m.verdict).toBe("inconclusive");
    expect(m.stats?.interval?.low).toBeCloseTo(0.6983011437458179, 9);
    expect(m.stats?.interval?.high).toBeCloseTo(0.9483655229208486, 9);
    expect(m.test?.statistic).toBeCloseTo(2.6383, 3);
    expect(m.test?.p).toBeCloseTo(0.1186, 3);
    expect(m.test?.settleBound).toBeCloseTo(1.959964, 5);
    expect(m.reason).toContain("cannot decide");
    expect(m.reason).toContain("more replays would settle it");
  });
  it("varies when the original is beyond the range but within the large-sample bound", () => {
    // 0.86: T = 0.036667 / 0.029059 = 1.262 <= 1.96
    const m = judgeMetric("acc", 0.86, ok(0.8, 0.85, 0.82), TOL);
    expect(m.verdict).toBe("varies");
    expect(m.test?.statistic).toBeCloseTo(1.2618, 3);
    expect(m.reason).toContain("within their run-to-run variance");
  });
  it("varies when the original is inside the replays' range", () => {
    const m = judgeMetric("acc", 0.83, ok(0.8, 0.85, 0.82), TOL);
    expect(m.verdict).toBe("varies");
    expect(m.reason).toContain("inside their range");
  });
  it("varies when the original is within tolerance of the range's end, even outside the t interval", () => {
    // nine 0s and one 1: mean 0.1, s = 0.316, PI = 0.1 ± 2.262·0.316·1.049 = [-0.65, 0.85], excluding 1
    const replays = ok(...Array.from({ length: 9 }, () => 0), 1);
    const m = judgeMetric("x", 1 + 2e-10, replays, TOL);
    expect(m.stats?.interval?.high).toBeLessThan(1);
    expect(m.verdict).toBe("varies");
    expect(m.reason).toContain("within tolerance of their range");
    expect(judgeMetric("x", 1 + 2e-9, replays, TOL).verdict).toBe("not_reproduced");
    // one replay missing, the other within tolerance: no interval exists, the widened range decides
    expect(judgeMetric("x", 1 + 2e-10, ok(1, null), TOL).verdict).toBe("varies");
  });
  it("not_reproduced when the original lies outside range and interval", () => {
    const m = judgeMetric("acc", 1.0, ok(0.8, 0.85, 0.82), TOL);
    expect(m.verdict).toBe("not_reproduced");
    // T = 0.17667 / 0.029059 = 6.08, p = 2·P(t2 > 6.08) = 0.026 <= 0.05: outside the 95% PI
    expect(m.reason).toContain("6.08 predictive sd");
    expect(m.reason).toContain("p = 0.026 <= 0.05");
  });
  it("not_reproduced when all replays agree with each other but not with the original", () => {
    const m = judgeMetric("acc", 0.9, ok(0.8, 0.8, 0.8, 0.8), TOL);
    expect(m.verdict).toBe("not_reproduced");
    expect(m.stats?.std).toBe(0);
  });
  it("n = 2 is conservative: the t quantile 12.7 makes the interval wide, so 1.2 is inconclusive, not rejected", () => {
    // mean 1, s = 0.0141, half-width 12.706 * 0.01414 * 1.2247 = 0.22
    const m = judgeMetric("x", 1.2, ok(0.99, 1.01), TOL);
    expect(m.verdict).toBe("inconclusive");
    expect(m.reason).toContain("more replays");
    expect(judgeMetric("x", 1.3, ok(0.99, 1.01), TOL).verdict).toBe("not_reproduced");
  });
  it("a single disagreeing replay cannot show a spread: inconclusive", () => {
    const m = judgeMetric("x", 1, ok(2), TOL);
    expect(m.verdict).toBe("inconclusive");
    expect(m.test).toBeUndefined();
  });
  it("the family size sharpens nothing it should not: the same statistic needs a smaller p in a larger family", () => {
    const one = judgeMetric("acc", 1.0, ok(0.8, 0.85, 0.82), TOL, { family: 1 });
    const five = judgeMetric("acc", 1.0, ok(0.8, 0.85, 0.82), TOL, { family: 5 });
    expect(one.verdict).toBe("not_reproduced");
    expect(five.verdict).toBe("inconclusive"); // p 0.026·5 = 0.13 > 0.05
    expect(five.test?.pAdjusted).toBeCloseTo(5 * (one.test?.p ?? 0), 12);
  });
});

describe("missing and failed values", () => {
  it("only in replays → failed with that finding", () => {
    const m = judgeMetric("extra", null, ok(1, 1), TOL);
    expect(m.verdict).toBe("failed");
    expect(m.findings[0]).toBe("only in replays");
    expect(m.reason).toContain("did not log extra");
  });
  it("missing in every replay → failed; missing in some → capped at varies with a finding", () => {
    expect(judgeMetric("x", 1, ok(null, null), TOL).verdict).toBe("failed");
    const m = judgeMetric("x", 1, ok(1, null, 1), TOL);
    expect(m.verdict).toBe("varies");
    expect(m.findings).toContain("missing in replay 2");
    expect(m.replays).toEqual([1, null, 1]);
  });
  it("a replay that did not finish has no value and is not reported as 'missing'", () => {
    const m = judgeMetric(
      "x",
      1,
      [
        { ok: true, value: 1 },
        { ok: false, value: 1 },
      ],
      TOL,
    );
    expect(m.replays).toEqual([1, null]);
    expect(m.findings).toEqual([]);
    expect(m.verdict).toBe("varies");
    expect(judgeMetric("x", 1, [{ ok: false, value: 1 }], TOL).reason).toContain("no replay finished");
  });
});

describe("NaN and Infinity", () => {
  it("NaN original reproduced by NaN everywhere is identical", () => {
    expect(judgeMetric("loss", Number.NaN, ok(Number.NaN, Number.NaN), TOL).verdict).toBe("identical");
  });
  it("NaN original vs finite replays is not_reproduced; vs some NaN replays varies", () => {
    expect(judgeMetric("loss", Number.NaN, ok(1, 2), TOL).verdict).toBe("not_reproduced");
    const m = judgeMetric("loss", Number.NaN, ok(1, Number.NaN), TOL);
    expect(m.verdict).toBe("varies");
    expect(m.findings).toContain("original is NaN");
  });
  it("finite original with NaN replays: counted, reported, never dropped, and a divergence (not reproduced)", () => {
    const m = judgeMetric("loss", 1, ok(1, Number.NaN, 1), TOL);
    expect(m.verdict).toBe("not_reproduced");
    expect(m.reason).toBe("The original logged 1 but 1 replay logged a non-finite value (NaN): the replay diverged.");
    expect(m.stats?.nonFinite).toBe(1);
    expect(m.findings).toContain("replay 2 logged NaN");
    const all = judgeMetric("loss", 1, ok(Number.NaN, Number.POSITIVE_INFINITY), TOL);
    expect(all.verdict).toBe("not_reproduced");
    expect(all.stats).toBeNull();
    expect(all.reason).toContain("2 replays logged a non-finite value (NaN, Infinity)");
  });
  it("Infinity is close only to itself, never to MAX_VALUE", () => {
    expect(judgeMetric("x", Number.POSITIVE_INFINITY, ok(Number.POSITIVE_INFINITY), TOL).verdict).toBe("identical");
    expect(judgeMetric("x", Number.MAX_VALUE, ok(Number.POSITIVE_INFINITY), { abs: 0, rel: 0, ulps: 10 }).verdict).toBe(
      "not_reproduced",
    );
    expect(judgeMetric("x", Number.POSITIVE_INFINITY, ok(Number.NEGATIVE_INFINITY), TOL).verdict).toBe(
      "not_reproduced",
    );
  });
});
