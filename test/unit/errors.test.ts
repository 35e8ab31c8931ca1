import { afterEach, describe, expect, it, vi } from "vitest";
import { EXIT_CODE_BY_KIND, ExitCode } from "../../harness/cli/exit-codes.js";
import { reportFailure } from "../../harness/cli/failure.js";
import { FAILURE_KINDS, failureKindOf, zodIssueLines } from "../../harness/errors.js";
import { EngineUnavailableError } from "../../harness/exec/engine.js";
import { LimitsError } from "../../harness/plan/limits.js";
import { PlanError } from "../../harness/plan/plan.js";
import {
  MlflowConfigError,
  MlflowError,
  MlflowSchemaError,
  MlflowUnreachableError,
} from "../../harness/tracking/errors.js";
import { z } from "zod";

const ctx = { action: "getting run r1", method: "GET", endpoint: "/api/2.0/mlflow/runs/get" };

describe("the error model", () => {
  afterEach(() => vi.restoreAllMocks());

  it("keeps the kind words the CLI printed before the one error model", () => {
    expect(failureKindOf(new MlflowUnreachableError("http://x", ctx, 3, new Error("ECONNREFUSED")))).toBe(
      "unreachable server",
    );
    expect(failureKindOf(new MlflowError(ctx, 403, "PERMISSION_DENIED", "no"))).toBe("access refused by the server");
    expect(failureKindOf(new MlflowError(ctx, 401, undefined, "no"))).toBe("access refused by the server");
    expect(failureKindOf(new MlflowError(ctx, 500, undefined, "boom"))).toBe("tracking server error");
    expect(failureKindOf(new MlflowSchemaError(ctx, []))).toBe("unexpected server answer");
    expect(failureKindOf(new EngineUnavailableError("unix:///x.sock", new Error("ENOENT")))).toBe(
      "container engine unavailable",
    );
    for (const err of [new MlflowConfigError("bad uri"), new PlanError("no command"), new LimitsError("too big")]) {
      expect(failureKindOf(err)).toBe("bad input");
    }
  });

  it("leaves a bug without a kind, so it is rethrown rather than dressed up", () => {
    expect(failureKindOf(new TypeError("x is undefined"))).toBeUndefined();
    expect(() => reportFailure("trace", new TypeError("x is undefined"))).toThrow(TypeError);
  });

  it("maps every kind to an exit code, and prints `repro-audit <cmd>: kind: message`", () => {
    for (const kind of FAILURE_KINDS) expect(EXIT_CODE_BY_KIND[kind]).toBe(ExitCode.usageOrInfra);
    const printed: string[] = [];
    vi.spyOn(console, "error").mockImplementation((line: string) => void printed.push(line));
    expect(reportFailure("audit", new PlanError("run r1 records no command"))).toBe(ExitCode.usageOrInfra);
    expect(printed).toEqual(["repro-audit audit: bad input: run r1 records no command"]);
  });

  it("words zod issues one way: prefix, path, message", () => {
    const r = z.object({ a: z.object({ b: z.number() }) }).safeParse({ a: { b: "x" } });
    expect(r.success).toBe(false);
    if (r.success) return;
    expect(zodIssueLines(r.error.issues, { prefix: "f.yaml: " })).toEqual([
      `f.yaml: a.b: ${r.error.issues[0]?.message}`,
    ]);
    const top = z.number().safeParse("x");
    if (top.success) throw new Error("expected a failure");
    expect(zodIssueLines(top.error.issues, { root: "(spec)" })[0]).toMatch(/^\(spec\): /);
  });
});
