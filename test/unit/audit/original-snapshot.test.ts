import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  type OriginalSnapshot,
  OriginalSnapshotSchema,
  originalEvidence,
  snapshotChanges,
  snapshotRun,
} from "../../../harness/audit/original-snapshot.js";

function snapshot(over: Partial<OriginalSnapshot> = {}, run: Partial<OriginalSnapshot["run"]> = {}): OriginalSnapshot {
  return {
    takenAt: "2025-03-01T10:00:00.000Z",
    run: {
      runId: "run-a",
      experimentId: "7",
      runName: "wine-a",
      params: { alpha: "0.5" },
      tags: { "mlflow.user": "ann" },
      metrics: { rmse: 0.731, loss: 0.1 },
      ...run,
    },
    lifecycleStage: "active",
    histories: {
      rmse: [{ step: 0, value: 0.731 }],
      loss: [
        { step: 0, value: 0.5 },
        { step: 1, value: 0.1 },
      ],
    },
    artifacts: { "model/model.pkl": { size: 120, sha256: "a".repeat(64) }, "big.bin": { size: 1e9 } },
    notes: [],
    ...over,
  };
}

describe("snapshotChanges", () => {
  it("finds nothing between two reads of an untouched run, even when the server reorders a history", () => {
    const before = snapshot();
    const after = snapshot({
      takenAt: "2025-03-01T11:00:00.000Z",
      histories: {
        rmse: [{ step: 0, value: 0.731 }],
        loss: [
          { step: 1, value: 0.1 },
          { step: 0, value: 0.5 },
        ],
      },
    });
    expect(snapshotChanges(before, after)).toEqual([]);
  });

  it("lists metrics added and changed, as a replay writing into the original would do", () => {
    const after = snapshot({}, { metrics: { rmse: 0.9, loss: 0.1, accuracy: 1 } });
    expect(snapshotChanges(snapshot(), after)).toEqual([
      "metric accuracy added (1)",
      "metric rmse changed: 0.731 -> 0.9",
    ]);
  });

  it("does not count the score metric another audit published meanwhile as a change", () => {
    const after = snapshot({}, { metrics: { rmse: 0.731, loss: 0.1, "repro.score": 0.5 } });
    expect(snapshotChanges(snapshot({}, { metrics: { rmse: 0.731, loss: 0.1, "repro.score": 1 } }), after)).toEqual([]);
    expect(snapshotChanges(snapshot(), after)).toEqual([]);
  });

  it("tells NaN from a number and -0 from 0, and does not call NaN -> NaN a change", () => {
    const nan = snapshot({}, { metrics: { rmse: Number.NaN, loss: 0 } });
    expect(snapshotChanges(nan, snapshot({}, { metrics: { rmse: Number.NaN, loss: 0 } }))).toEqual([]);
    expect(snapshotChanges(nan, snapshot({}, { metrics: { rmse: 1, loss: -0 } }))).toEqual([
      "metric loss changed: 0 -> -0",
      "metric rmse changed: NaN -> 1",
    ]);
  });

  it("counts history points added and removed", () => {
    const after = snapshot({
      histories: {
        rmse: [
          { step: 0, value: 0.731 },
          { step: 1, value: 0.7 },
        ],
        loss: [{ step: 0, value: 0.5 }],
      },
    });
    expect(snapshotChanges(snapshot(), after)).toEqual([
      "history of loss: 1 point(s) removed",
      "history of rmse: 1 point(s) added",
    ]);
    const rewritten = snapshot({
      histories: {
        rmse: [{ step: 0, value: 0.731 }],
        loss: [
          { step: 0, value: 0.5 },
          { step: 1, value: 0.2 },
        ],
      },
    });
    expect(snapshotChanges(snapshot(), rewritten)).toEqual(["history of loss: 1 point(s) added, 1 point(s) removed"]);
  });

  it("lists artifacts added, removed and changed, by hash or, for files too big to hash, by size", () => {
    const after = snapshot({
      artifacts: {
        "model/model.pkl": { size: 120, sha256: "b".repeat(64) },
        "big.bin": { size: 2e9 },
        "model/extra.pkl": { size: 1, sha256: "c".repeat(64) },
      },
    });
    expect(snapshotChanges(snapshot(), after)).toEqual([
      "artifact big.bin changed (1000000000 -> 2000000000 bytes)",
      "artifact model/extra.pkl added",
      "artifact model/model.pkl changed",
    ]);
    expect(snapshotChanges(snapshot(), snapshot({ artifacts: {} }))).toEqual([
      "artifact big.bin removed",
      "artifact model/model.pkl removed",
    ]);
  });

  it("lists params and tags, but not the tags the harness's publishing writes", () => {
    const after = snapshot(
      {},
      {
        params: { alpha: "0.9", l1: "0.1" },
        tags: {
          "mlflow.user": "eve",
          "repro.verdict": "reproduced",
          "repro.score": "1.000",
          "repro.audit": "a1",
          "repro.report": "repro-audit/a1/report.html",
        },
      },
    );
    expect(snapshotChanges(snapshot(), after)).toEqual([
      'param alpha changed: "0.5" -> "0.9"',
      'param l1 added ("0.1")',
      'tag mlflow.user changed: "ann" -> "eve"',
    ]);
    // Other repro.* tags (the capture plugin's, written at training time) are the run's own facts.
    expect(
      snapshotChanges(snapshot(), snapshot({}, { tags: { "mlflow.user": "ann", "repro.command": "python evil.py" } })),
    ).toEqual(['tag repro.command added ("python evil.py")']);
  });

  it("notices a deleted original", () => {
    expect(snapshotChanges(snapshot(), snapshot({ lifecycleStage: "deleted" }))).toEqual([
      "run lifecycle stage active -> deleted",
    ]);
  });
});

describe("originalEvidence", () => {
  it("gives the compared metrics' multi-step histories and the hashed files the scoring may use", () => {
    const got = originalEvidence(snapshot(), ["rmse", "loss"], (p) => p.startsWith("repro/"));
    expect(got).toEqual({
      originalHistories: {
        loss: [
          { step: 0, value: 0.5 },
          { step: 1, value: 0.1 },
        ],
      },
      originalArtifacts: { "model/model.pkl": "a".repeat(64) },
    });
    expect(originalEvidence(snapshot(), ["rmse"], (p) => p.startsWith("model/"))).toEqual({});
  });

  it("passes on the texts of model files read for comparing by meaning, of hashed files only", () => {
    const artifacts = {
      "model/MLmodel": { size: 30, sha256: "b".repeat(64), text: "flavors: {}\n" },
      "model/requirements.txt": { size: 30, text: "numpy\n" },
    };
    const got = originalEvidence(snapshot({ artifacts }), [], () => false);
    expect(got).toEqual({
      originalArtifacts: { "model/MLmodel": "b".repeat(64) },
      originalArtifactTexts: { "model/MLmodel": "flavors: {}\n" },
    });
  });
});

describe("OriginalSnapshotSchema", () => {
  it("round-trips through JSON with NaN and -0 intact", () => {
    const s = snapshot(
      { histories: { loss: [{ step: 0, value: Number.NaN }] } },
      { metrics: { rmse: -0, loss: Number.POSITIVE_INFINITY } },
    );
    const back = OriginalSnapshotSchema.parse(JSON.parse(JSON.stringify(z.encode(OriginalSnapshotSchema, s))));
    expect(back).toEqual(s);
    expect(Object.is(back.run.metrics["rmse"], -0)).toBe(true);
    expect(snapshotRun(back)).toEqual(s.run);
  });

  it("keeps the original's MLflow status, so a resumed audit still shows how it ended", () => {
    const s = snapshot({}, { status: "FAILED" });
    const back = OriginalSnapshotSchema.parse(JSON.parse(JSON.stringify(z.encode(OriginalSnapshotSchema, s))));
    expect(snapshotRun(back).status).toBe("FAILED");
  });
});
