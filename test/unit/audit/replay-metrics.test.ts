import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { captureMetrics, lastJsonObject, pickMetrics } from "../../../harness/audit/replay-metrics.js";

describe("metric capture", () => {
  it("picks metrics by JSONPath, one numeric value each", () => {
    const doc = { rmse: 53.3, scores: { r2: 0.48, list: [1, 2] }, label: "x", nan: "NaN" };
    const r = pickMetrics(doc, {
      rmse: "$.rmse",
      r2: "$.scores.r2",
      nan: "$.nan",
      many: "$.scores.list[*]",
      gone: "$.nope",
      text: "$.label",
    });
    expect(r.metrics).toEqual({ rmse: 53.3, r2: 0.48, nan: Number.NaN });
    expect(r.missing.sort()).toEqual(["gone", "many", "text"]);
    expect(r.error).toMatch(/many: \$\.scores\.list\[\*\] selects 2 values/);
    expect(r.error).toMatch(/text: \$\.label is not a number/);
  });

  it("finds the last JSON object line in stdout", () => {
    expect(lastJsonObject('log\n{"a": 1}\n{"a": 2}\ntrailing words\n')).toEqual({ a: 2 });
    expect(lastJsonObject("[1,2]\n{broken\n")).toBeUndefined();
  });

  it("json mode reads the file the replay wrote, and says when there is none", async () => {
    const out = mkdtempSync(join(tmpdir(), "capture-"));
    try {
      const spec = { mode: "json" as const, file: "metrics.json", paths: { rmse: "$.rmse" } };
      const none = await captureMetrics({ spec, outDir: out, stdout: "", originalMetricNames: [] });
      expect(none.error).toMatch(/wrote no \/out\/metrics\.json/);
      expect(none.missing).toEqual(["rmse"]);
      writeFileSync(join(out, "metrics.json"), JSON.stringify({ rmse: 1.25 }));
      expect((await captureMetrics({ spec, outDir: out, stdout: "", originalMetricNames: [] })).metrics).toEqual({
        rmse: 1.25,
      });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
