import { describe, expect, it } from "vitest";
import { z } from "zod";
import { SCORE_FORMULA, passesGate, scoreAudit, scoreRun } from "../../../harness/drift/score.js";
import { DEFAULT_POLICY, parseTolerancePolicy } from "../../../harness/drift/tolerance.js";
import { RunScoreSchema, type ReplayRecord } from "../../../harness/drift/schema.js";

const rep = (metrics: Record<string, number>, extra: Partial<ReplayRecord> = {}): ReplayRecord => ({
  ok: true,
  metrics,
  ...extra,
});

describe("scoreRun", () => {
  it("scores a mixed run with the documented weights (hand-checked)", () => {
    const run = scoreRun({
      runId: "r1",
      original: { metrics: { a: 1, b: 0.9, c: 0.83, d: 5 }, artifacts: { "model.pkl": "h1" } },
      replays: [
        rep({ a: 1, b: 0.8, c: 0.8, d: 5 }, { artifacts: { "model.pkl": "h1" } }),
        rep({ a: 1, b: 0.8, c: 0.85, d: 5 + 1e-12 }, { artifacts: { "model.pkl": "h2" } }),
      ],
      policy: DEFAULT_POLICY,
    });
    // a identical (1), b not_reproduced (0), c varies (0.5), d equivalent (1), model.pkl differs (0)
    expect(run.metrics.map((m) => [m.name, m.verdict])).toEqual([
      ["a", "identical"],
      ["b", "not_reproduced"],
      ["c", "varies"],
      ["d", "equivalent"],
    ]);
    expect(run.score).toBeCloseTo((1 + 0 + 0.5 + 1 + 0) / 5, 15);
    expect(run.counts).toEqual({
      identical: 1,
      equivalent: 1,
      varies: 1,
      inconclusive: 0,
      not_reproduced: 1,
      failed: 0,
    });
    expect(run.verdict).toBe("not_reproduced");
    expect(run.findings).toContain("artifact model.pkl differs from the original in replay 2");
    // b's replays agree (s = 0) but not with the original: the test statistic is Infinity, carried by the JSON codec
    expect(run.metrics[1]?.test?.statistic).toBe(Number.POSITIVE_INFINITY);
    expect(RunScoreSchema.parse(JSON.parse(JSON.stringify(z.encode(RunScoreSchema, run))))).toEqual(run);
  });
  it("varies makes the run consistent with run-to-run variance (its own verdict, passing the gate), with a lower score and saying so", () => {
    const run = scoreRun({
      runId: "r",
      original: { metrics: { x: 0.83 } },
      replays: [rep({ x: 0.8 }), rep({ x: 0.85 })],
      policy: DEFAULT_POLICY,
    });
    expect(run.verdict).toBe("consistent_with_variance");
    expect(passesGate(run.verdict)).toBe(true);
    expect(run.score).toBe(0.5);
    expect(run.reason).toBe("Consistent with run-to-run variance: of 1 metric: 1 vary within run-to-run spread.");
  });
  it("an inconclusive metric makes the run inconclusive, which fails the gate, and under accept=equivalent not reproduced", () => {
    const input = {
      runId: "r",
      original: { metrics: { x: 0.9 } },
      replays: [rep({ x: 0.8 }), rep({ x: 0.85 }), rep({ x: 0.82 })],
    };
    const run = scoreRun({ ...input, policy: DEFAULT_POLICY });
    expect(run.verdict).toBe("inconclusive");
    expect(passesGate(run.verdict)).toBe(false);
    expect(run.reason).toMatch(/^Inconclusive: 3 replays cannot decide x /);
    expect(scoreRun({ ...input, policy: { ...DEFAULT_POLICY, accept: "equivalent" } }).verdict).toBe("not_reproduced");
  });
  it("Holm over the run's metrics: one metric outside its 95% interval among five is not enough to reject", () => {
    const o = { a: 1.0, b: 0.83, c: 0.83, d: 0.83, e: 0.83 };
    const reps = [
      rep({ a: 0.8, b: 0.8, c: 0.8, d: 0.8, e: 0.8 }),
      rep({ a: 0.85, b: 0.85, c: 0.85, d: 0.85, e: 0.85 }),
      rep({ a: 0.82, b: 0.82, c: 0.82, d: 0.82, e: 0.82 }),
    ];
    const five = scoreRun({ runId: "r", original: { metrics: o }, replays: reps, policy: DEFAULT_POLICY });
    const a = five.metrics[0];
    expect(a?.test?.p).toBeCloseTo(0.026, 3);
    expect(a?.test?.pAdjusted).toBeCloseTo(5 * (a?.test?.p ?? 0), 12);
    expect(a?.verdict).toBe("inconclusive");
    expect(five.verdict).toBe("inconclusive");
    const alone = scoreRun({
      runId: "r",
      original: { metrics: { a: 1.0 } },
      replays: reps.map((r) => ({ ...r, metrics: { a: r.metrics.a as number } })),
      policy: DEFAULT_POLICY,
    });
    expect(alone.verdict).toBe("not_reproduced");
  });
  it("flags an original better than every replay, and a run whose original beats them on every directed metric is inconclusive, never green or amber", () => {
    // The case: rmse 51.5 against 53.1–58.9, r2 0.488 against 0.430–0.466.
    const run = scoreRun({
      runId: "r",
      original: { metrics: { rmse: 51.5, r2: 0.488 } },
      replays: [rep({ rmse: 53.1, r2: 0.466 }), rep({ rmse: 55.0, r2: 0.45 }), rep({ rmse: 58.9, r2: 0.43 })],
      policy: DEFAULT_POLICY,
    });
    expect(run.metrics.map((m) => [m.name, m.rank?.direction, m.rank?.betterThanAll, m.rank?.pBetter])).toEqual([
      ["r2", "higher", true, 0.25],
      ["rmse", "lower", true, 0.25],
    ]);
    expect(run.optimistic).toEqual({ metrics: ["r2", "rmse"], of: 2, pAdjusted: 0.5, onAll: true });
    expect(run.findings).toContain(
      "the original is better than every replay on r2, rmse (every metric with a known better direction)",
    );
    expect(run.verdict).toBe("inconclusive");
    expect(run.reason).toContain("cannot go below p = 0.25");
  });
  it("the policy's accept level decides which verdicts count as reproduced", () => {
    // x varies, y equivalent, z identical: the run passes at accept=varies only.
    const input = {
      runId: "r",
      original: { metrics: { x: 0.83, y: 5, z: 2 } },
      replays: [rep({ x: 0.8, y: 5 + 1e-12, z: 2 }), rep({ x: 0.85, y: 5, z: 2 })],
    };
    const at = (accept?: "identical" | "equivalent" | "varies") =>
      scoreRun({ ...input, policy: accept === undefined ? DEFAULT_POLICY : { ...DEFAULT_POLICY, accept } });
    expect(at().verdict).toBe("consistent_with_variance");
    expect(at("varies").verdict).toBe("consistent_with_variance");
    expect(at("equivalent").verdict).toBe("not_reproduced");
    expect(at("equivalent").reason).toMatch(
      /^Not reproduced: .*\(the policy accepts only identical or equivalent metrics\)\.$/,
    );
    expect(at("identical").verdict).toBe("not_reproduced");
    // The score does not depend on the accept level: only the verdict does.
    expect(new Set([at("varies").score, at("equivalent").score, at("identical").score]).size).toBe(1);
    const exact = scoreRun({
      runId: "r",
      original: { metrics: { z: 2 } },
      replays: [rep({ z: 2 })],
      policy: { ...DEFAULT_POLICY, accept: "identical" },
    });
    expect(exact.verdict).toBe("reproduced");
    const eq = scoreRun({
      runId: "r",
      original: { metrics: { y: 5 } },
      replays: [rep({ y: 5 + 1e-12 })],
      policy: { ...DEFAULT_POLICY, accept: "identical" },
    });
    expect(eq.verdict).toBe("not_reproduced");
    expect(eq.reason).toMatch(/\(the policy accepts only identical metrics\)/);
  });
  it("a replay that did not finish makes the run not reproduced; one that never ran (interrupted audit) makes it incomplete", () => {
    const original = { metrics: { loss: 0.5, acc: 0.9 } };
    const crashed = scoreRun({
      runId: "r",
      original,
      replays: [rep({ loss: 0.5, acc: 0.9 }), { ok: false, metrics: {} }, { ok: false, metrics: {} }],
      policy: DEFAULT_POLICY,
    });
    expect(crashed.verdict).toBe("not_reproduced");
    expect(crashed.reason).toMatch(/^Not reproduced: 2 of 3 replays did not finish; /);
    const interrupted = scoreRun({
      runId: "r",
      original,
      replays: [rep({ loss: 0.5, acc: 0.9 }), { ok: false, skipped: true, metrics: {} }],
      policy: DEFAULT_POLICY,
    });
    expect(interrupted.verdict).toBe("incomplete");
    expect(interrupted.reason).toMatch(/^Incomplete: 1 of 2 replays finished; 1 did not run/);
    // Judged over the replays that ran: the one finished replay has the original's bits.
    expect(interrupted.metrics.map((m) => m.verdict)).toEqual(["identical", "identical"]);
    expect(interrupted.score).toBe(1);
  });
  it("a run with missing replays is incomplete whatever the finished ones measured, even with none finished", () => {
    const original = { metrics: { x: 1 } };
    const skipped = { ok: false, skipped: true, metrics: {} };
    const off = scoreRun({
      runId: "r",
      original,
      replays: [rep({ x: 2 }), rep({ x: 2 }), skipped],
      policy: DEFAULT_POLICY,
    });
    expect(off.metrics[0]?.verdict).toBe("not_reproduced");
    expect(off.verdict).toBe("incomplete");
    const crashedAndSkipped = scoreRun({
      runId: "r",
      original,
      replays: [rep({ x: 1 }), { ok: false, metrics: {} }, skipped],
      policy: DEFAULT_POLICY,
    });
    expect(crashedAndSkipped.verdict).toBe("incomplete");
    expect(crashedAndSkipped.reason).toMatch(/1 did not finish/);
    const none = scoreRun({ runId: "r", original, replays: [skipped, skipped], policy: DEFAULT_POLICY });
    expect(none.verdict).toBe("incomplete");
    expect(none.reason).toMatch(/^Incomplete: 0 of 2 replays finished; 2 did not run/);
  });
  it("applies per-metric tolerance from the policy", () => {
    const input = { runId: "r", original: { metrics: { rmse: 1 } }, replays: [rep({ rmse: 1 + 1e-7 })] };
    // one replay that differs shows no spread: inconclusive, not rejected
    expect(scoreRun({ ...input, policy: DEFAULT_POLICY }).metrics[0]?.verdict).toBe("inconclusive");
    const loose = scoreRun({ ...input, policy: parseTolerancePolicy(["rmse=rel:1e-6"]) });
    expect(loose.metrics[0]?.verdict).toBe("equivalent");
    expect(loose.metrics[0]?.tolerance.rel).toBe(1e-6);
  });
  it("a metric only in replays fails and makes the run not reproduced", () => {
    const run = scoreRun({
      runId: "r",
      original: { metrics: { x: 1 } },
      replays: [rep({ x: 1, extra: 2 })],
      policy: DEFAULT_POLICY,
    });
    expect(run.metrics.find((m) => m.name === "extra")?.findings).toContain("only in replays");
    expect(run.verdict).toBe("not_reproduced");
  });
  it("fails when no replay finished, when there is nothing to compare, or every metric failed", () => {
    const none = scoreRun({
      runId: "r",
      original: { metrics: { x: 1 } },
      replays: [{ ok: false, metrics: {} }],
      policy: DEFAULT_POLICY,
    });
    expect(none.verdict).toBe("failed");
    expect(none.findings).toEqual(["replay 1 did not finish"]);
    expect(none.score).toBe(0);
    expect(
      scoreRun({ runId: "r", original: { metrics: {} }, replays: [rep({})], policy: DEFAULT_POLICY }).verdict,
    ).toBe("failed");
    expect(
      scoreRun({ runId: "r", original: { metrics: { x: 1 } }, replays: [rep({})], policy: DEFAULT_POLICY }).verdict,
    ).toBe("failed");
    expect(scoreRun({ runId: "r", original: { metrics: { x: 1 } }, replays: [], policy: DEFAULT_POLICY }).reason).toBe(
      "No replays were run.",
    );
  });
  it("attaches history comparisons to their metric", () => {
    const run = scoreRun({
      runId: "r",
      original: {
        metrics: { loss: 0.1 },
        histories: {
          loss: [
            { step: 0, value: 1 },
            { step: 1, value: 0.1 },
          ],
        },
      },
      replays: [
        rep(
          { loss: 0.1 },
          {
            histories: {
              loss: [
                { step: 0, value: 1.5 },
                { step: 1, value: 0.1 },
              ],
            },
          },
        ),
      ],
      policy: DEFAULT_POLICY,
    });
    expect(run.metrics[0]?.verdict).toBe("identical");
    expect(run.metrics[0]?.history).toMatchObject({ maxAbsDev: 0.5, atStep: 0, atReplay: 0 });
  });
});

describe("scoreAudit", () => {
  it("averages run scores, counts run verdicts, and carries the formula", () => {
    const a = scoreRun({
      runId: "a",
      original: { metrics: { x: 1 } },
      replays: [rep({ x: 1 })],
      policy: DEFAULT_POLICY,
    });
    const b = scoreRun({
      runId: "b",
      original: { metrics: { x: 0.83 } },
      replays: [rep({ x: 0.8 }), rep({ x: 0.85 })],
      policy: DEFAULT_POLICY,
    });
    const c = scoreRun({
      runId: "c",
      original: { metrics: { x: 1 } },
      replays: [{ ok: false, metrics: {} }],
      policy: DEFAULT_POLICY,
    });
    const audit = scoreAudit([a, b, c]);
    expect(audit.score).toBeCloseTo((1 + 0.5 + 0) / 3, 15);
    expect(audit.runs).toEqual({
      total: 3,
      reproduced: 1,
      consistent_with_variance: 1,
      inconclusive: 0,
      not_reproduced: 0,
      failed: 1,
      incomplete: 0,
    });
    expect(audit.formula).toBe(SCORE_FORMULA);
    expect(scoreAudit([]).score).toBe(0);
  });
  it("leaves incomplete runs out of the audit score, and has no score when no run is complete", () => {
    const a = scoreRun({
      runId: "a",
      original: { metrics: { x: 1 } },
      replays: [rep({ x: 1 })],
      policy: DEFAULT_POLICY,
    });
    const c = scoreRun({
      runId: "c",
      original: { metrics: { x: 1 } },
      replays: [{ ok: false, metrics: {} }],
      policy: DEFAULT_POLICY,
    });
    const partial = scoreRun({
      runId: "p",
      original: { metrics: { x: 1 } },
      replays: [rep({ x: 2 }), { ok: false, skipped: true, metrics: {} }],
      policy: DEFAULT_POLICY,
    });
    expect(partial.verdict).toBe("incomplete");
    const audit = scoreAudit([a, c, partial]);
    expect(audit.score).toBe(0.5);
    expect(audit.runs).toEqual({
      total: 3,
      reproduced: 1,
      consistent_with_variance: 0,
      inconclusive: 0,
      not_reproduced: 0,
      failed: 1,
      incomplete: 1,
    });
    expect(scoreAudit([partial]).score).toBeNull();
  });
});
