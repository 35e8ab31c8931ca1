import { describe, expect, it } from "vitest";
import { buildTraceDocument, stripCredentials, TraceDocumentSchema } from "../../../harness/trace/document.js";
import { fullSubject, rawSubject, registeredSubject } from "./recorded.js";

const meta = {
  trackingUri: "https://alice:s3cret@mlflow.example.com/?token=abc#x",
  selection: { kind: "experiment" as const, experiments: ["trace-demo"] },
  generatedAt: new Date("2025-01-02T03:04:05Z"),
};

describe("trace document", () => {
  it("is versioned, schema-valid after a JSON round trip, and carries its formula", () => {
    const doc = buildTraceDocument([fullSubject(), rawSubject(), registeredSubject()], meta);
    const again = TraceDocumentSchema.parse(JSON.parse(JSON.stringify(doc)));
    expect(again.schema).toBe("repro-audit/trace");
    expect(again.version).toBe(1);
    expect(again.generatedAt).toBe("2025-01-02T03:04:05.000Z");
    expect(again.runs.map((r) => r.runName)).toEqual(["fully-traced", "raw", "registered"]);
    expect(again.runs[2]?.modelVersions).toEqual([{ name: "TraceDemoModel", version: "1", aliases: ["champion"] }]);
    expect(again.formula.weights["params"]).toBe(2);
    expect(again.formula.text).toContain("not_applicable");
    expect(again.score.value).toBeCloseTo(
      ((again.runs[0]?.score.value ?? 0) + (again.runs[1]?.score.value ?? 0) + (again.runs[2]?.score.value ?? 0)) / 3,
      3,
    );
  });

  it("never carries credentials of the tracking URI", () => {
    const doc = buildTraceDocument([rawSubject()], meta);
    expect(doc.trackingUri).toBe("https://mlflow.example.com");
    expect(JSON.stringify(doc)).not.toContain("s3cret");
    expect(stripCredentials("http://127.0.0.1:5000/")).toBe("http://127.0.0.1:5000");
    expect(stripCredentials("weird://u:p@host/x?y")).toBe("weird://host/x");
  });

  it("rejects a document with a wrong version", () => {
    const doc = buildTraceDocument([rawSubject()], meta);
    expect(TraceDocumentSchema.safeParse({ ...doc, version: 2 }).success).toBe(false);
    expect(TraceDocumentSchema.safeParse({ ...doc, runs: [{ ...doc.runs[0], items: [{ id: "nope" }] }] }).success).toBe(
      false,
    );
  });
});
