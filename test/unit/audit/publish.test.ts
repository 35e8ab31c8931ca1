import { describe, expect, it } from "vitest";
import { assembleReport } from "../../../harness/audit/assemble-report.js";
import { assembleRun } from "../../../harness/audit/assemble-run.js";
import { publishReport, runTags } from "../../../harness/audit/publish.js";
import { PUBLISHED_TAGS, Tags } from "../../../harness/tracking/tags.js";
import type { ArtifactTarget } from "../../../harness/tracking/client.js";
import type { ReportPaths } from "../../../harness/report/write.js";
import { facts, meta, recordedRun, replayRecord } from "./audit-factories.js";

// The publishing logic against a hand-written stand-in for the three client calls it
// makes; the real server is exercised by the e2e tests.

interface Upload { runId: string; file: string; dir: string }
interface Tag { runId: string; key: string; value: string }
interface ModelTag { name: string; version: string; key: string; value: string }

function fakeClient(opts: { failUploadFor?: string; failModelTags?: boolean } = {}) {
  const uploads: Upload[] = [];
  const tags: Tag[] = [];
  const modelTags: ModelTag[] = [];
  return {
    uploads, tags, modelTags,
    async uploadArtifact(target: ArtifactTarget, localFile: string, artifactDir = ""): Promise<string> {
      if (typeof target !== "object" || !("runId" in target)) throw new Error("expected a run target");
      if (target.runId === opts.failUploadFor) throw new Error("HTTP 503 from artifact store");
      uploads.push({ runId: target.runId, file: localFile, dir: artifactDir });
      return `${artifactDir}/${localFile.split("/").at(-1)}`;
    },
    async setTag(runId: string, key: string, value: string): Promise<void> {
      tags.push({ runId, key, value });
    },
    async setModelVersionTag(name: string, version: string, key: string, value: string): Promise<void> {
      if (opts.failModelTags) throw new Error("RESOURCE_DOES_NOT_EXIST");
      modelTags.push({ name, version, key, value });
    },
  };
}

const paths: ReportPaths = {
  dir: "/results/aud-1",
  json: "/results/aud-1/report.json",
  markdown: "/results/aud-1/report.md",
  html: "/results/aud-1/report.html",
  junit: "/results/aud-1/junit.xml",
};

function twoRunReport() {
  const good = assembleRun(facts());
  const bad = assembleRun(facts({
    run: recordedRun({ runId: "run-b" }),
    replays: [0.9, 0.91, 0.9].map((rmse, i) => replayRecord(i, { metrics: { rmse, r2: 0.42 } })),
  }));
  return assembleReport(meta({}, "aud-1"), [good, bad]);
}

const T = Tags;
const DIR = "repro-audit/aud-1";

describe("runTags", () => {
  it("gives id, verdict, 3-decimal score and the report's artifact path; undefined for a run not in the report", () => {
    const doc = twoRunReport();
    expect(runTags(doc, "run-a", DIR)).toEqual({
      [T.audit]: "aud-1",
      [T.verdict]: "reproduced",
      [T.score]: "1.000",
      [T.report]: `${DIR}/report.html`,
    });
    // run-b: rmse not reproduced (0), r2 identical (1) -> 0.5
    expect(runTags(doc, "run-b", "d")).toEqual({ [T.audit]: "aud-1", [T.verdict]: "not_reproduced", [T.score]: "0.500", [T.report]: "d/report.html" });
    expect(runTags(doc, "run-zzz", "d")).toBeUndefined();
    expect(new Set(PUBLISHED_TAGS).size).toBe(4); // four distinct tag names
  });
});

describe("publishReport", () => {
  const tagsOf = (client: ReturnType<typeof fakeClient>, runId: string) =>
    Object.fromEntries(client.tags.filter((t) => t.runId === runId).map((t) => [t.key, t.value]));

  it("uploads the four report files under repro-audit/<audit-id> of every run and tags each run", async () => {
    const client = fakeClient();
    const result = await publishReport(client, twoRunReport(), paths);
    expect(result).toEqual({ published: ["run run-a", "run run-b"], problems: [] });
    const files = [paths.json, paths.markdown, paths.html, paths.junit];
    expect(client.uploads).toEqual([
      ...files.map((file) => ({ runId: "run-a", file, dir: DIR })),
      ...files.map((file) => ({ runId: "run-b", file, dir: DIR })),
    ]);
    expect(tagsOf(client, "run-a")).toEqual({ [T.verdict]: "reproduced", [T.score]: "1.000", [T.audit]: "aud-1", [T.report]: `${DIR}/report.html` });
    expect(tagsOf(client, "run-b")).toEqual({ [T.verdict]: "not_reproduced", [T.score]: "0.500", [T.audit]: "aud-1", [T.report]: `${DIR}/report.html` });
    expect(client.modelTags).toEqual([]);
  });

  it("tags each model version with the verdict of the run it was made from, once per version", async () => {
    const client = fakeClient();
    const result = await publishReport(client, twoRunReport(), paths, [
      { name: "wine-model", version: "3", runId: "run-b" },
      { name: "wine-model", version: "1", runId: "run-a" },
      { name: "wine-model", version: "3", runId: "run-b" },
    ]);
    expect(result.published).toEqual(["run run-a", "run run-b", "model wine-model v3", "model wine-model v1"]);
    expect(result.problems).toEqual([]);
    expect(client.modelTags.filter((t) => t.version === "3")).toEqual([
      { name: "wine-model", version: "3", key: T.audit, value: "aud-1" },
      { name: "wine-model", version: "3", key: T.verdict, value: "not_reproduced" },
      { name: "wine-model", version: "3", key: T.score, value: "0.500" },
      { name: "wine-model", version: "3", key: T.report, value: `${DIR}/report.html` },
    ]);
    expect(client.modelTags.filter((t) => t.version === "1").map((t) => [t.key, t.value])).toContainEqual([T.verdict, "reproduced"]);
    expect(client.modelTags).toHaveLength(8);
  });

  it("a model version whose run was not audited, or could not be replayed, is left alone", async () => {
    const client = fakeClient();
    const doc = twoRunReport();
    const errored = assembleRun({ ...facts({ run: recordedRun({ runId: "run-c" }), replays: [] }), error: "no --scenario given" });
    const withError = assembleReport(meta({}, "aud-1"), [...doc.runs, errored]);
    const result = await publishReport(client, withError, paths, [
      { name: "m", version: "1", runId: "run-elsewhere" },
      { name: "m", version: "2", runId: "run-c" },
    ]);
    expect(result.published).toEqual(["run run-a", "run run-b"]);
    expect(client.modelTags).toEqual([]);
    // the run that could not be replayed keeps whatever verdict it had: nothing uploaded or tagged
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatch(/^run run-c: .*no --scenario given/);
    expect(client.uploads.some((u) => u.runId === "run-c")).toBe(false);
    expect(tagsOf(client, "run-c")).toEqual({});
  });

  it("an incomplete run is not attached, nor are its model versions: its verdict is not settled", async () => {
    const client = fakeClient();
    const doc = twoRunReport();
    const partial = assembleRun(facts({ run: recordedRun({ runId: "run-p" }), replays: [replayRecord(0)] }));
    expect(partial.score.verdict).toBe("incomplete");
    const result = await publishReport(client, assembleReport(meta({}, "aud-1"), [...doc.runs, partial]), paths, [{ name: "m", version: "3", runId: "run-p" }]);
    expect(result.published).toEqual(["run run-a", "run run-b"]);
    expect(result.problems).toEqual(["run run-p: not attached, its audit is incomplete (finish it with repro-audit audit --resume aud-1)"]);
    expect(client.uploads.some((u) => u.runId === "run-p")).toBe(false);
    expect(tagsOf(client, "run-p")).toEqual({});
    expect(client.modelTags).toEqual([]);
  });

  it("a failing upload for one run is reported and does not stop the others", async () => {
    const client = fakeClient({ failUploadFor: "run-a" });
    const result = await publishReport(client, twoRunReport(), paths, [{ name: "wine-model", version: "3", runId: "run-b" }]);
    expect(result.problems).toEqual(["run run-a: HTTP 503 from artifact store"]);
    expect(result.published).toEqual(["run run-b", "model wine-model v3"]);
    expect(client.uploads.map((u) => u.runId)).toEqual(["run-b", "run-b", "run-b", "run-b"]);
    // a run whose report did not upload is not tagged as pointing at it
    expect(tagsOf(client, "run-a")).toEqual({});
    expect(Object.keys(tagsOf(client, "run-b"))).toHaveLength(4);
  });

  it("failing model version tags are a problem; the runs stay published", async () => {
    const client = fakeClient({ failModelTags: true });
    const result = await publishReport(client, twoRunReport(), paths, [{ name: "wine-model", version: "3", runId: "run-a" }]);
    expect(result.published).toEqual(["run run-a", "run run-b"]);
    expect(result.problems).toEqual(["model wine-model v3: RESOURCE_DOES_NOT_EXIST"]);
  });
});
