// The library entry (package.json "exports" -> dist/harness/index.js) is a promise to
// users: each name below must stay exported. Dropping one, or re-pointing it at
// something of another kind, fails here; adding names is free.
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import * as lib from "../../harness/index.js";

const EXPECTED: Record<string, "function" | "object"> = {
  // tracking
  MlflowClient: "function",
  MlflowError: "function",
  MlflowUnreachableError: "function",
  MlflowSchemaError: "function",
  MlflowConfigError: "function",
  UnsafePathError: "function",
  // selection
  parseSelection: "function",
  resolveSelection: "function",
  describeSelection: "function",
  SelectionSchema: "object",
  SelectionError: "function",
  // trace
  collectSubjects: "function",
  mlflowTraceReader: "function",
  buildTraceDocument: "function",
  TraceDocumentSchema: "object",
  // plan
  buildPlan: "function",
  ReplayPlanSchema: "object",
  PlanError: "function",
  // exec
  DockerExecutor: "function",
  LocalExecutor: "function",
  ensureEnvImage: "function",
  // fingerprint
  FingerprintSchema: "object",
  diffFingerprints: "function",
  hostFingerprint: "function",
  codeFingerprint: "function",
  // drift
  scoreRun: "function",
  scoreAudit: "function",
  parseTolerancePolicy: "function",
  describePolicy: "function",
  DEFAULT_POLICY: "object",
  DEFAULT_TOLERANCE: "object",
  TolerancePolicySchema: "object",
  ExecutionRecordSchema: "object",
  ReplayRecordSchema: "object",
  RunScoreSchema: "object",
  AuditScoreSchema: "object",
  // report
  ReportSchema: "object",
  renderMarkdown: "function",
  renderHtml: "function",
  renderJunit: "function",
  writeReport: "function",
  readReport: "function",
  serializeReport: "function",
  parseReport: "function",
  ReportValidationError: "function",
  // audit
  replayJob: "function",
  traceJob: "function",
  ReproAuditError: "function",
  BadInputError: "function",
  auditJob: "function",
};

describe("library entry harness/index.ts", () => {
  it.each(Object.entries(EXPECTED))("exports %s as a %s", (name, kind) => {
    const value = (lib as Record<string, unknown>)[name];
    expect(value, `${name} is missing from harness/index.ts`).toBeDefined();
    expect(typeof value).toBe(kind);
  });

  it("has no default export (named exports only)", () => {
    expect("default" in lib).toBe(false);
  });

  it("scores a tiny run through the public API", () => {
    const policy = lib.parseTolerancePolicy(["acc=rel:0.01"]);
    const score = lib.scoreRun({
      runId: "r1",
      original: { metrics: { acc: 0.9, loss: 0.5 } },
      replays: [
        { ok: true, metrics: { acc: 0.9001, loss: 0.5 } },
        { ok: true, metrics: { acc: 0.8999, loss: 0.5 } },
      ],
      policy,
    });
    expect(score.verdict).toBe("reproduced");
    expect(Object.fromEntries(score.metrics.map((m) => [m.name, m.verdict]))).toEqual({
      acc: "equivalent",
      loss: "identical",
    });
    expect(lib.scoreAudit([score]).score).toBe(1);
    expect(lib.describePolicy(policy)).toContain("acc");
  });

  it("parses a selection and rejects a bad one with a SelectionError", () => {
    expect(lib.parseSelection({ model: "Wine", alias: "@champion" })).toEqual({
      kind: "model_alias",
      model: "Wine",
      alias: "champion",
    });
    expect(() => lib.parseSelection({})).toThrow(lib.SelectionError);
  });

  it("round-trips the sample report and renders it", () => {
    const path = join(import.meta.dirname, "../fixtures/report/sample-report.json");
    const doc = lib.parseReport(readFileSync(path, "utf8"), path);
    expect(lib.ReportSchema.safeParse(JSON.parse(lib.serializeReport(doc))).success).toBe(true);
    expect(lib.renderMarkdown(doc)).toContain(doc.auditId);
    expect(lib.renderHtml(doc)).toContain("<!DOCTYPE html>");
    expect(lib.renderJunit(doc)).toContain("<testsuites");
  });
});
