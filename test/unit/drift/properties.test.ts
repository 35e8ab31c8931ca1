/** Invariants of drift scoring, checked on generated inputs (fast-check). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { MetricScoreSchema, type Tolerance } from "../../../harness/drift/schema.js";
import { scoreRun } from "../../../harness/drift/score.js";
import { computeStats } from "../../../harness/drift/stats.js";
import { nextUp, sameBits, ulpDistance } from "../../../harness/drift/ulps.js";
import { judgeMetric, verdictRank, type ReplayValue } from "../../../harness/drift/verdict.js";
import { withinTolerance } from "../../../harness/drift/within.js";

const ok = (vs: readonly number[]): ReplayValue[] => vs.map((value) => ({ ok: true, value }));
const EPS = Number.EPSILON;

/** Perturbations spanning every regime: exact, a few ULPs, tolerance-sized, run-to-run-sized. */
const perturbation = fc.oneof(
  fc.constant(0),
  fc.double({ min: -1e-15, max: 1e-15, noNaN: true }),
  fc.double({ min: -1e-8, max: 1e-8, noNaN: true }),
  fc.double({ min: -0.1, max: 0.1, noNaN: true }),
);
const base = fc.double({ min: 1e-3, max: 1e3, noNaN: true }).chain((m) => fc.constantFrom(m, -m));
/** An original and 1..10 replays scattered around a common value. */
const scenario = fc
  .record({
    b: base,
    o: perturbation,
    rs: fc.array(perturbation, { minLength: 1, maxLength: 10 }),
  })
  .map(({ b, o, rs }) => ({ original: b * (1 + o), replays: rs.map((d) => b * (1 + d)) }));

const tolerance = fc.record({
  abs: fc.oneof(fc.constant(0), fc.double({ min: 1e-15, max: 1e-1, noNaN: true })),
  rel: fc.oneof(fc.constant(0), fc.double({ min: 1e-15, max: 1e-1, noNaN: true })),
  ulps: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1_000_000 })),
});

describe("identical inputs", () => {
  it("give 'identical' for any double, NaN, ±Infinity and -0 included, and any number of replays", () => {
    fc.assert(
      fc.property(fc.double(), fc.integer({ min: 1, max: 10 }), tolerance, (x, n, tol) => {
        const m = judgeMetric("m", x, ok(Array.from({ length: n }, () => x)), tol);
        expect(m.verdict).toBe("identical");
      }),
    );
  });
});

describe("scaling all values by a positive constant", () => {
  it("leaves maxRelDev and cv unchanged up to rounding", () => {
    fc.assert(
      fc.property(scenario, fc.double({ min: 1e-3, max: 1e3, noNaN: true }), ({ original, replays }, c) => {
        const s1 = computeStats(original, replays);
        const s2 = computeStats(
          original * c,
          replays.map((r) => r * c),
        );
        if (s1 === null || s2 === null) throw new Error("finite inputs must give stats");
        const maxAbs = Math.max(Math.abs(original), ...replays.map(Math.abs));
        // Scaling rounds each value by at most EPS/2 relatively; these bounds are that
        // rounding propagated through |r - o| / |o| and s / |mean|.
        const relBound = 4 * EPS * (maxAbs / Math.abs(original)) * (2 + (s1.maxRelDev as number));
        expect(Math.abs((s2.maxRelDev as number) - (s1.maxRelDev as number))).toBeLessThanOrEqual(relBound);
        if (s1.cv !== null && s2.cv !== null) {
          const cvBound = 16 * EPS * (maxAbs / Math.abs(s1.mean)) * (1 + replays.length) * (1 + s1.cv);
          expect(Math.abs(s2.cv - s1.cv)).toBeLessThanOrEqual(cvBound);
        }
      }),
    );
  });
  it("leaves the verdict unchanged under a rel-only policy (powers of two scale exactly)", () => {
    // A power of two changes only the exponent, so every sum, square root and
    // comparison scales exactly and no decision can flip. An arbitrary constant
    // rounds, and a value sitting exactly on a tolerance boundary could then fall
    // either side: that is rounding, not a property of the rules.
    const relOnly = fc
      .double({ min: 1e-15, max: 1e-1, noNaN: true })
      .map((rel): Tolerance => ({ abs: 0, rel, ulps: 0 }));
    fc.assert(
      fc.property(scenario, fc.integer({ min: -40, max: 40 }), relOnly, ({ original, replays }, k, tol) => {
        const c = 2 ** k;
        const v1 = judgeMetric("m", original, ok(replays), tol);
        const v2 = judgeMetric("m", original * c, ok(replays.map((r) => r * c)), tol);
        expect(v2.verdict).toBe(v1.verdict);
        expect(v2.stats?.maxRelDev).toBe(v1.stats?.maxRelDev);
        expect(v2.stats?.cv).toBe(v1.stats?.cv);
      }),
    );
  });
});

describe("verdicts are monotone in the tolerance", () => {
  it("a looser tolerance never gives a worse verdict", () => {
    const pair = fc.tuple(tolerance, tolerance).map(([a, b]): [Tolerance, Tolerance] => [
      { abs: Math.min(a.abs, b.abs), rel: Math.min(a.rel, b.rel), ulps: Math.min(a.ulps, b.ulps) },
      { abs: Math.max(a.abs, b.abs), rel: Math.max(a.rel, b.rel), ulps: Math.max(a.ulps, b.ulps) },
    ]);
    const seen = new Set<string>();
    fc.assert(
      fc.property(scenario, pair, ({ original, replays }, [tight, loose]) => {
        const vt = judgeMetric("m", original, ok(replays), tight).verdict;
        const vl = judgeMetric("m", original, ok(replays), loose).verdict;
        seen.add(vt);
        expect(verdictRank(vl)).toBeGreaterThanOrEqual(verdictRank(vt));
      }),
      { numRuns: 500 },
    );
    // The generator must actually reach the verdicts whose order is being tested.
    expect([...seen].sort()).toEqual(["equivalent", "identical", "inconclusive", "not_reproduced", "varies"]);
  });
  it("'equivalent' means every replay is within tolerance, 'identical' means same bits", () => {
    fc.assert(
      fc.property(scenario, tolerance, ({ original, replays }, tol) => {
        const m = judgeMetric("m", original, ok(replays), tol);
        if (m.verdict === "identical") expect(replays.every((r) => sameBits(r, original))).toBe(true);
        if (m.verdict === "equivalent") expect(replays.every((r) => withinTolerance(original, r, tol))).toBe(true);
        if (m.verdict === "not_reproduced")
          expect(original < (m.stats?.min ?? 0) || original > (m.stats?.max ?? 0)).toBe(true);
      }),
    );
  });
});

describe("ULP distance", () => {
  it("is symmetric, and 0 exactly for equal values (NaN = NaN)", () => {
    fc.assert(
      fc.property(fc.double(), fc.double(), (a, b) => {
        expect(ulpDistance(a, b)).toBe(ulpDistance(b, a));
        const same = a === b || (Number.isNaN(a) && Number.isNaN(b));
        expect(ulpDistance(a, b) === 0).toBe(same);
      }),
    );
  });
  it("puts adjacent doubles 1 apart and is additive along the line", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, max: 1e300, min: -1e300 }), (x) => {
        const y = nextUp(x);
        expect(ulpDistance(x, y)).toBe(1);
        expect(ulpDistance(x, nextUp(y))).toBe(2);
      }),
    );
  });
});

describe("withinTolerance with an ULP bound", () => {
  it("agrees exactly with counting ULPs (the fast pre-check never changes the answer)", () => {
    const start = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 }),
      fc.double({ min: -1e-300, max: 1e-300, noNaN: true }), // subnormals and zero crossings
    );
    fc.assert(
      fc.property(start, fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }), (x, steps, k) => {
        let y = x;
        for (let i = 0; i < steps; i++) y = nextUp(y);
        const tol = { abs: 0, rel: 0, ulps: k };
        expect(withinTolerance(x, y, tol)).toBe(ulpDistance(x, y) <= k);
        expect(withinTolerance(y, x, tol)).toBe(ulpDistance(x, y) <= k);
      }),
    );
  });
});

describe("NaN and Infinity are never dropped", () => {
  const special = fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY);
  it("count non-finite replays, and never call a mix identical or equivalent", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.array(fc.oneof(special, fc.double({ min: -1e6, max: 1e6, noNaN: true })), { minLength: 1, maxLength: 10 }),
        tolerance,
        (original, replays, tol) => {
          const m = judgeMetric("m", original, ok(replays), tol);
          const nonFinite = replays.filter((r) => !Number.isFinite(r)).length;
          if (m.stats !== null) expect(m.stats.nonFinite).toBe(nonFinite);
          if (nonFinite > 0) {
            expect(["varies", "not_reproduced"]).toContain(m.verdict);
            expect(m.findings.filter((f) => / logged (NaN|-?Infinity)$/.test(f))).toHaveLength(nonFinite);
          }
        },
      ),
    );
  });
  it("survive a JSON round trip of the metric score", () => {
    fc.assert(
      fc.property(
        fc.double(),
        fc.array(fc.option(fc.double(), { nil: null }), { minLength: 1, maxLength: 5 }),
        (o, rs) => {
          const m = judgeMetric(
            "m",
            o,
            rs.map((value) => ({ ok: true, value })),
            { abs: 1e-12, rel: 1e-9, ulps: 4 },
          );
          const back = MetricScoreSchema.parse(JSON.parse(JSON.stringify(z.encode(MetricScoreSchema, m))));
          expect(back).toEqual(m);
        },
      ),
      {
        examples: [
          [-0, [0]],
          [0, [-0, null]],
          [Number.NaN, [Number.NEGATIVE_INFINITY]],
        ],
      },
    );
  });
});

const RUN_ORDER = ["failed", "not_reproduced", "inconclusive", "consistent_with_variance", "reproduced"] as const;
const runRank = (v: string): number => RUN_ORDER.indexOf(v as (typeof RUN_ORDER)[number]);

describe("run verdicts are monotone in the tolerance (Holm over the run's metrics, the optimistic-original rule)", () => {
  it("a looser tolerance never gives a worse run verdict", () => {
    const names = ["loss", "acc", "x"]; // lower-better, higher-better, unknown direction
    const run = fc.array(scenario, { minLength: 3, maxLength: 3 }).chain((ms) => fc.constant(ms));
    const pair = fc.tuple(tolerance, tolerance).map(([a, b]): [Tolerance, Tolerance] => [
      { abs: Math.min(a.abs, b.abs), rel: Math.min(a.rel, b.rel), ulps: Math.min(a.ulps, b.ulps) },
      { abs: Math.max(a.abs, b.abs), rel: Math.max(a.rel, b.rel), ulps: Math.max(a.ulps, b.ulps) },
    ]);
    const seen = new Set<string>();
    fc.assert(
      fc.property(run, pair, (ms, [tight, loose]) => {
        const k = Math.min(...ms.map((m) => m.replays.length));
        const original = { metrics: Object.fromEntries(ms.map((m, j) => [names[j] as string, m.original])) };
        const replays = Array.from({ length: k }, (_, i) => ({
          ok: true,
          metrics: Object.fromEntries(ms.map((m, j) => [names[j] as string, m.replays[i] as number])),
        }));
        const at = (t: Tolerance) =>
          scoreRun({ runId: "r", original, replays, policy: { default: t, perMetric: {} } }).verdict;
        const vt = at(tight);
        seen.add(vt);
        expect(runRank(at(loose))).toBeGreaterThanOrEqual(runRank(vt));
      }),
      { numRuns: 400 },
    );
    expect([...seen].sort()).toEqual(["consistent_with_variance", "inconclusive", "not_reproduced", "reproduced"]);
  });
});

describe("more replays never flip a settled verdict without new evidence", () => {
  const tol: Tolerance = { abs: 1e-12, rel: 1e-9, ulps: 4 };
  it("identical stays identical when further replays reproduce the same bits", () => {
    fc.assert(
      fc.property(fc.double(), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 10 }), (x, n, more) => {
        expect(judgeMetric("m", x, ok(Array.from({ length: n + more }, () => x)), tol).verdict).toBe("identical");
      }),
    );
  });
  it("an original inside the replays' range still varies when further replays fall inside that range", () => {
    fc.assert(
      fc.property(
        scenario,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 10 }),
        ({ original, replays }, us) => {
          const before = judgeMetric("m", original, ok(replays), tol);
          fc.pre(before.verdict === "varies" && before.test === undefined && before.stats !== null);
          const { min, max } = before.stats as { min: number; max: number };
          const extra = us.map((u) => Math.min(max, Math.max(min, min + u * (max - min))));
          expect(judgeMetric("m", original, ok([...replays, ...extra]), tol).verdict).toBe("varies");
        },
      ),
    );
  });
  it("a rejected original stays rejected when a further replay adds no spread (the replays' mean)", () => {
    let rejected = 0;
    fc.assert(
      fc.property(scenario, ({ original, replays }) => {
        const before = judgeMetric("m", original, ok(replays), tol);
        fc.pre(before.verdict === "not_reproduced" && before.test !== undefined && before.stats !== null);
        rejected++;
        const after = judgeMetric("m", original, ok([...replays, (before.stats as { mean: number }).mean]), tol);
        expect(after.verdict).toBe("not_reproduced");
      }),
      { numRuns: 2000 },
    );
    expect(rejected).toBeGreaterThan(10); // the generator reaches the case
  });
});
