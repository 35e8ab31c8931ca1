import { describe, expect, it } from "vitest";
import { z } from "zod";
import { assembleReport, policyText } from "../../../harness/audit/assemble-report.js";
import { assembleRun } from "../../../harness/audit/assemble-run.js";
import { SCORE_FORMULA } from "../../../harness/drift/score.js";
import { DEFAULT_POLICY, describePolicy, parseTolerancePolicy } from "../../../harness/drift/tolerance.js";
import { REPORT_SCHEMA_ID, REPORT_VERSION, ReportSchema } from "../../../harness/report/schema.js";
import { parseReport, serializeReport } from "../../../harness/report/serialize.js";
import { overallVerdict } from "../../../harness/report/verdict-labels.js";
import { facts, meta, recordedRun, replayRecord } from "./audit-factories.js";

const reproduced = () => assembleRun(facts());
const differingArtifact = () => {
  const art = { "model.pkl": "a".repeat(64) };
  return assembleRun(
    facts({
      run: recordedRun({ runId: "run-b" }),
      evidence: { originalArtifacts: art, replayArtifacts: [art, { "model.pkl": "b".repeat(64) }, art] },
    }),
  );
};
const failed = () =>
  assembleRun({ ...facts({ run: recordedRun({ runId: "run-c" }), replays: [] }), error: "cannot build the image" });

describe("assembleReport", () => {
  it("builds a valid document that survives JSON and back, NaN included", () => {
    const nanRun = assembleRun(
      facts({
        run: recordedRun({ runId: "run-nan", metrics: { loss: Number.NaN } }),
        replays: [0, 1, 2].map((i) => replayRecord(i, { metrics: { loss: Number.NaN } })),
      }),
    );
    const doc = assembleReport(meta(), [reproduced(), nanRun]);
    expect(doc.schema).toBe(REPORT_SCHEMA_ID);
    expect(doc.version).toBe(REPORT_VERSION);
    expect(doc.auditId).toBe("20250301-audit-test");
    expect(doc.createdAt).toBe("2025-03-01T12:00:00.000Z");
    expect(doc.harness).toEqual({ version: "0.0.0-test", node: "v20.0.0" });
    expect(doc.runs.map((r) => r.runId)).toEqual(["run-a", "run-nan"]);

    const encoded = z.encode(ReportSchema, doc);
    expect(JSON.stringify(encoded)).toContain('"NaN"');
    const back = parseReport(serializeReport(doc), "test");
    expect(back).toEqual(doc);
    expect(Number.isNaN(back.runs[1]?.metrics[0]?.original)).toBe(true);
  });

  it("the audit score is the mean of the run scores, with a tally of verdicts", () => {
    const runs = [reproduced(), differingArtifact(), failed()];
    const doc = assembleReport(meta(), runs);
    // independently: 1, (1 + 1 + 0) / 3, 0
    expect(runs.map((r) => r.score.score)).toEqual([1, 2 / 3, 0]);
    expect(doc.score.score).toBeCloseTo((1 + 2 / 3 + 0) / 3, 12);
    expect(doc.score.runs).toEqual({
      total: 3,
      reproduced: 2,
      consistent_with_variance: 0,
      inconclusive: 0,
      not_reproduced: 0,
      failed: 1,
      incomplete: 0,
    });
    expect(doc.score.formula).toBe(SCORE_FORMULA);
    expect(assembleReport(meta(), []).score).toEqual({
      score: 0,
      runs: {
        total: 0,
        reproduced: 0,
        consistent_with_variance: 0,
        inconclusive: 0,
        not_reproduced: 0,
        failed: 0,
        incomplete: 0,
      },
      formula: SCORE_FORMULA,
    });
  });

  it("an audit with an incomplete run is incomplete as a whole; its score leaves that run out", () => {
    const partial = assembleRun(facts({ run: recordedRun({ runId: "run-p" }), replays: [replayRecord(0)] }));
    const doc = assembleReport(meta(), [reproduced(), differingArtifact(), partial]);
    expect(doc.score.runs).toEqual({
      total: 3,
      reproduced: 2,
      consistent_with_variance: 0,
      inconclusive: 0,
      not_reproduced: 0,
      failed: 0,
      incomplete: 1,
    });
    expect(overallVerdict(doc.score)).toBe("incomplete");
    expect(doc.score.score).toBeCloseTo((1 + 2 / 3) / 2, 12);
    const onlyPartial = assembleReport(meta(), [partial]);
    expect(overallVerdict(onlyPartial.score)).toBe("incomplete");
    expect(onlyPartial.score.score).toBeNull();
    expect(parseReport(serializeReport(onlyPartial), "test")).toEqual(onlyPartial);
    // Incomplete outranks a run that was not reproduced: the audit is not finished (exit code 2).
    const notRepr = assembleRun(
      facts({
        run: recordedRun({ runId: "run-n" }),
        replays: [0.9, 0.91, 0.9].map((rmse, i) => replayRecord(i, { metrics: { rmse, r2: 0.42 } })),
      }),
    );
    expect(overallVerdict(assembleReport(meta(), [notRepr, partial]).score)).toBe("incomplete");
  });

  it("strips credentials from the tracking URI: the secret appears nowhere in the report", () => {
    const doc = assembleReport(meta({ trackingUri: "http://user:secret@host:5000" }), [reproduced()]);
    expect(doc.inputs.trackingUri).toBe("http://host:5000");
    expect(serializeReport(doc)).not.toContain("secret");
    expect(serializeReport(doc)).not.toContain("user:");

    const q = assembleReport(meta({ trackingUri: "https://host/mlflow?access_token=tok123&x=1" }), [reproduced()]);
    expect(q.inputs.trackingUri).toBe("https://host/mlflow?access_token=<redacted>&x=1");
    expect(serializeReport(q)).not.toContain("tok123");
  });

  it("policyText states the tolerance policy as --tolerance accepts it, overrides included", () => {
    const tolerance = parseTolerancePolicy(["rmse=rel:1e-6", "r2=abs:0.001,ulps:8"], DEFAULT_POLICY);
    const doc = assembleReport(meta({ tolerance, replays: 5 }), [reproduced()]);
    const described = describePolicy(tolerance);
    expect(described).toContain("rmse=rel:0.000001");
    expect(described).toContain("r2=abs:0.001,ulps:8");
    expect(doc.policyText).toContain(described);
    expect(doc.policyText).toContain("replayed 5 time(s)");
    expect(doc.policyText).toBe(policyText({ tolerance, replays: 5 }));
    expect(doc.inputs.tolerance).toEqual(tolerance);
  });

  it("a document that breaks the schema is refused where it is written (validated once), saying where", () => {
    const run = reproduced();
    const misaligned = { ...run, replays: run.replays.slice(0, 2) };
    expect(() => serializeReport(assembleReport(meta(), [run, misaligned]))).toThrow(
      /invalid[\s\S]*runs\[1\]\.metrics\[0\]\.replays[\s\S]*has 3 replay values but the run has 2 replays/,
    );
    expect(() => serializeReport(assembleReport(meta({}, "../escape"), [run]))).toThrow(/invalid[\s\S]*auditId/);
  });
});
