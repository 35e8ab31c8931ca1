import { describe, expect, it } from "vitest";
import {
  DEFAULT_POLICY,
  ToleranceSpecError,
  describePolicy,
  parseTolerancePolicy,
  parseToleranceSpec,
  toleranceFor,
} from "../../../harness/drift/tolerance.js";
import { TolerancePolicySchema } from "../../../harness/drift/schema.js";
import { betterDirection } from "../../../harness/drift/rank.js";

describe("parseToleranceSpec", () => {
  it("reads one or several bounds", () => {
    expect(parseToleranceSpec("rmse=rel:1e-6")).toEqual({ metric: "rmse", tolerance: { rel: 1e-6 } });
    expect(parseToleranceSpec("r2=abs:1e-9,ulps:4")).toEqual({ metric: "r2", tolerance: { abs: 1e-9, ulps: 4 } });
    expect(parseToleranceSpec(" val/loss.v2 = ABS:0 ")).toEqual({ metric: "val/loss.v2", tolerance: { abs: 0 } });
  });
  it.each([
    ["rmse", 'no "="'],
    ["=rel:1", "metric name is empty"],
    ["rmse=", "no bounds"],
    ["rmse=rel", 'has no ":"'],
    ["rmse=foo:1", 'unknown kind "foo"'],
    ["rmse=rel:x", '"x" is not a finite non-negative number'],
    ["rmse=rel:-1", '"-1" is not a finite non-negative number'],
    ["rmse=rel:", '"" is not a finite non-negative number'],
    ["rmse=rel:Infinity", "not a finite"],
    ["rmse=ulps:1.5", "ulps must be a whole number"],
    ["rmse=rel:1,rel:2", '"rel" given twice'],
  ])("rejects %j with a readable message", (spec, fragment) => {
    let err: unknown;
    try {
      parseToleranceSpec(spec);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ToleranceSpecError);
    const msg = (err as Error).message;
    expect(msg).toContain(fragment);
    expect(msg).toContain(`"${spec}"`);
    expect(msg).toContain("e.g. rmse=rel:1e-6");
  });
});

describe("parseTolerancePolicy / toleranceFor", () => {
  it("overrides the default with * and single metrics field by field", () => {
    const p = parseTolerancePolicy(["*=rel:1e-9", "rmse=rel:1e-6", "r2=abs:1e-9,ulps:4", "rmse=abs:0.5"]);
    expect(p.default).toEqual({ ...DEFAULT_POLICY.default, rel: 1e-9 });
    expect(toleranceFor(p, "rmse")).toEqual({ abs: 0.5, rel: 1e-6, ulps: DEFAULT_POLICY.default.ulps });
    expect(toleranceFor(p, "r2")).toEqual({ abs: 1e-9, rel: 1e-9, ulps: 4 });
    expect(toleranceFor(p, "mae")).toEqual(p.default);
    expect(TolerancePolicySchema.parse(p)).toEqual(p);
  });
  it("does not mutate its base and ignores prototype keys", () => {
    const before = JSON.stringify(DEFAULT_POLICY);
    const p = parseTolerancePolicy(["x=abs:1"]);
    expect(JSON.stringify(DEFAULT_POLICY)).toBe(before);
    expect(toleranceFor(p, "constructor")).toEqual(p.default);
  });
  it("describes itself in the syntax it accepts", () => {
    const p = parseTolerancePolicy(["rmse=rel:1e-6"]);
    const text = describePolicy(p);
    expect(text).toBe("*=abs:1e-12,rel:1e-9,ulps:4 rmse=rel:0.000001");
    expect(parseTolerancePolicy(text.split(" "), { default: { abs: 0, rel: 0, ulps: 0 }, perMetric: {} })).toEqual(p);
  });
});

describe("declared better directions (better:lower|higher)", () => {
  it("parses, overrides the name's words, prints back, and refuses nonsense", () => {
    const p = parseTolerancePolicy(["val_top5=better:higher", "rmse=rel:1e-6,better:lower", "acc=better:lower"]);
    expect(p.better).toEqual({ val_top5: "higher", rmse: "lower", acc: "lower" });
    expect(p.perMetric).toEqual({ rmse: { rel: 1e-6 } });
    expect(betterDirection(p, "val_top5")).toBe("higher"); // no word in the name says so
    expect(betterDirection(p, "acc")).toBe("lower"); // the declaration beats the word
    expect(betterDirection(DEFAULT_POLICY, "acc")).toBe("higher");
    expect(betterDirection(DEFAULT_POLICY, "val_loss")).toBe("lower");
    expect(betterDirection(DEFAULT_POLICY, "glossary")).toBeNull();
    expect(describePolicy(p)).toBe(
      "*=abs:1e-12,rel:1e-9,ulps:4 acc=better:lower rmse=rel:0.000001,better:lower val_top5=better:higher",
    );
    expect(parseTolerancePolicy(describePolicy(p).split(" "))).toEqual(p);
    expect(parseTolerancePolicy(["rmse=rel:1e-6"]).better).toBeUndefined();
    expect(() => parseToleranceSpec("*=better:lower")).toThrow(/one metric's direction/);
    expect(() => parseToleranceSpec("x=better:up")).toThrow(/better must be lower or higher, got "up"/);
    expect(() => parseToleranceSpec("x=better:lower,better:higher")).toThrow(/given twice/);
  });
});
