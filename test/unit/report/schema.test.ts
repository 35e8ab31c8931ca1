import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { ReportSchema, runScoreParts, type Report, type ReportJson } from "../../../harness/report/schema.js";
import { ReportValidationError, parseReport, serializeReport } from "../../../harness/report/serialize.js";
import { readReport, writeReport } from "../../../harness/report/write.js";
import { loadSampleReport } from "../../fixtures/report/hostile.js";

const SAMPLE = join(import.meta.dirname, "../../fixtures/report/sample-report.json");
const sampleJson = (): ReportJson => JSON.parse(readFileSync(SAMPLE, "utf8")) as ReportJson;

function expectInvalid(json: unknown, ...fragments: string[]): void {
  let message = "";
  try {
    parseReport(JSON.stringify(json), "test.json");
  } catch (err) {
    expect(err).toBeInstanceOf(ReportValidationError);
    message = (err as Error).message;
  }
  expect(message, "parseReport accepted an invalid document").not.toBe("");
  for (const f of fragments) expect(message).toContain(f);
}

describe("report schema", () => {
  it("round-trips the sample through JSON, NaN included", () => {
    const doc = loadSampleReport();
    const loss = doc.runs[1]?.metrics.find((m) => m.name === "loss");
    expect(Number.isNaN(loss?.replays[1])).toBe(true);
    expect(doc.runs[1]?.replays[1]?.metrics.loss).toBeNaN();

    const text = serializeReport(doc);
    expect(text).toContain('"NaN"');
    const again = parseReport(text, "round trip");
    expect(again).toEqual(doc);
    expect(serializeReport(again)).toBe(text);
    // The fixture on disk is exactly what the serializer writes (modulo formatting).
    expect(JSON.parse(text)).toEqual(sampleJson());
  });

  it("encodes ±Infinity and refuses to serialize an invalid document", () => {
    const doc = loadSampleReport();
    const metric = doc.runs[0]?.metrics[0];
    if (!metric) throw new Error("fixture");
    metric.original = Number.POSITIVE_INFINITY;
    metric.replays[0] = Number.NEGATIVE_INFINITY;
    const text = serializeReport(doc);
    expect(text).toContain('"original":"Infinity"');
    expect(text).toContain('"-Infinity"');
    expect(parseReport(text, "x").runs[0]?.metrics[0]?.original).toBe(Number.POSITIVE_INFINITY);

    const bad = loadSampleReport() as unknown as { runs: { replays: { status: string }[] }[] };
    const replay = bad.runs[0]?.replays[0];
    if (replay) replay.status = "exploded";
    expect(() => serializeReport(bad as unknown as Report)).toThrow(/invalid[\s\S]*runs\[0\]\.replays\[0\]\.status/);
  });

  it("rejects tracking URIs that carry credentials", () => {
    const json = sampleJson();
    json.inputs.trackingUri = "https://alice:s3cret@mlflow.example.com";
    expectInvalid(json, "trackingUri carries credentials", "inputs.trackingUri");
    json.inputs.trackingUri = "https://mlflow.example.com/?access_token=abc";
    expectInvalid(json, "trackingUri carries credentials");
  });

  it("rejects audit ids that could escape the results directory", () => {
    for (const id of ["../etc", "a/b", ".hidden", "x..y", ""]) {
      const json = sampleJson();
      json.auditId = id;
      expectInvalid(json, "auditId");
    }
  });

  it("rejects metric values that do not line up with the replays", () => {
    const json = sampleJson();
    json.runs[0]?.metrics[0]?.replays.pop();
    expectInvalid(json, 'metric "rmse" has 2 replay values but the run has 3 replays', "runs[0].metrics[0].replays");
    const json2 = sampleJson();
    const r = json2.runs[0]?.replays[1];
    if (r) r.index = 5;
    expectInvalid(json2, "replay at position 1 has index 5");
  });

  it("explains a wrong schema id, a newer version, and non-JSON", () => {
    const other = { ...sampleJson(), schema: "something/else" };
    expectInvalid(other, 'its "schema" field is "something/else"');
    const newer = { ...sampleJson(), version: 5 };
    expectInvalid(newer, "report version 5", "reads versions 1, 2, 3 and 4");
    expect(() => parseReport("{not json", "broken.json")).toThrow(/broken\.json is not JSON/);
  });

  it("reads a version 3 report (one object per history point) as the same document, and writes it as version 4", () => {
    const v3Path = join(import.meta.dirname, "../../fixtures/report/sample-report-v3.json");
    const v3Text = readFileSync(v3Path, "utf8");
    expect(v3Text).toContain('"step": 0');
    const v3 = parseReport(v3Text, "v3.json");
    expect(v3.version).toBe(3);
    const v4 = loadSampleReport();
    expect(v4.version).toBe(4);
    expect({ ...v3, version: 4 }).toEqual(v4);
    const text = serializeReport(v3);
    expect(text.startsWith('{"schema":"repro-audit/report","version":4,')).toBe(true);
    expect(text).toContain('"steps":[0,1,2');
    expect(text).not.toContain('"step":');
    expect(text).not.toContain("\n  "); // compact
  });

  it("refuses a version 4 series whose steps and values differ in length, or hold what is not a number", () => {
    const json = sampleJson() as unknown as {
      runs: { histories?: Record<string, { original: { steps: unknown[]; values: unknown[] } | null }> }[];
    };
    const withHistory = json.runs.find((r) => r.histories !== undefined);
    const series = Object.values(withHistory?.histories ?? {})[0]?.original;
    if (!series) throw new Error("the sample needs a plotted history");
    series.values.pop();
    expectInvalid(json, "steps and values must have the same length");
    series.values.push("fast");
    expectInvalid(json, "values must be an array of numbers");
  });

  it("reads a version 1 report (before the incomplete verdict): no incomplete runs", () => {
    const v1 = sampleJson() as { version: number; score: { runs: Record<string, number> } };
    v1.version = 1;
    delete v1.score.runs.incomplete;
    const doc = parseReport(JSON.stringify(v1), "v1.json");
    expect(doc.version).toBe(1);
    expect(doc.score.runs.incomplete).toBe(0);
  });

  it("splits drift's RunScore into the run entry's parts", () => {
    const run = loadSampleReport().runs[0];
    if (!run) throw new Error("fixture");
    const parts = runScoreParts({ runId: run.runId, metrics: run.metrics, artifacts: run.artifacts, ...run.score });
    expect(parts).toEqual({ metrics: run.metrics, artifacts: run.artifacts, score: run.score });
    expect(ReportSchema.safeParse(sampleJson()).success).toBe(true);
  });
});

describe("writeReport / readReport", () => {
  const dir = mkdtempSync(join(tmpdir(), "repro-report-write-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes the four files under results/<audit-id>/ and reads the JSON back", async () => {
    const doc = loadSampleReport();
    const paths = await writeReport(doc, dir);
    expect(paths.dir).toBe(join(dir, doc.auditId));
    expect(readdirSync(paths.dir).sort()).toEqual([
      "junit.xml",
      "report.html",
      "report.json",
      "report.md",
      "run-reports",
    ]);
    expect(readFileSync(paths.markdown, "utf8")).toBe(
      readFileSync(join(import.meta.dirname, "../../fixtures/report/sample-report.md"), "utf8"),
    );
    expect(readFileSync(paths.html, "utf8")).toMatch(/^<!DOCTYPE html>/);
    expect(await readReport(paths.json)).toEqual(doc);
  });

  it("overwrites atomically and leaves no temporary files", async () => {
    const doc = loadSampleReport();
    await writeReport(doc, dir);
    doc.policyText = "changed";
    const paths = await writeReport(doc, dir);
    expect(readdirSync(paths.dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect((await readReport(paths.json)).policyText).toBe("changed");
  });

  it("writes nothing for an invalid document", async () => {
    const doc = loadSampleReport();
    doc.auditId = "invalid-doc";
    doc.inputs.replays = -1;
    await expect(writeReport(doc, dir)).rejects.toThrow(ReportValidationError);
    expect(existsSync(join(dir, "invalid-doc"))).toBe(false);
  });

  it("reports a missing or corrupt file readably", async () => {
    await expect(readReport(join(dir, "nope.json"))).rejects.toThrow(/No report at .*nope\.json/);
    const corrupt = join(dir, "corrupt.json");
    const json = sampleJson() as unknown as { runs: { replays: { durationMs: unknown }[] }[] };
    const r = json.runs[1]?.replays[0];
    if (r) r.durationMs = "fast";
    writeFileSync(corrupt, JSON.stringify(json));
    await expect(readReport(corrupt)).rejects.toThrow(
      /corrupt\.json is not a valid repro-audit report[\s\S]*runs\[1\]\.replays\[0\]\.durationMs/,
    );
  });
});
