import { describe, expect, it } from "vitest";
import { assembleReport } from "../../../harness/audit/assemble-report.js";
import { assembleRun } from "../../../harness/audit/assemble-run.js";
import { publishReport, runTags } from "../../../harness/audit/publish.js";
import { Metrics, PUBLISHED_TAGS, Tags } from "../../../harness/tracking/tags.js";
import type { ReportPublisher } from "../../../harness/audit/ports.js";
import { SUMMARY_BEGIN, SUMMARY_END } from "../../../harness/audit/model-version-summary.js";
import type { ReportPaths } from "../../../harness/report/write.js";
import { facts, meta, recordedRun, replayRecord } from "./audit-factories.js";

// The publishing logic against a hand-written stand-in for the publisher port; the
// real server is exercised by test/integration/audit/publish-mlflow.test.ts and the
// e2e tests.

interface Upload {
  runId: string;
  file: string;
  dir: string;
}
interface Tag {
  runId: string;
  key: string;
  value: string;
}
interface Point {
  runId: string;
  key: string;
  value: number;
  timestamp: number | undefined;
  step: number | undefined;
}
interface ModelTag {
  name: string;
  version: string;
  key: string;
  value: string;
}

function fakeClient(
  opts: {
    failUploadFor?: string;
    failModelTags?: boolean;
    failDescriptions?: boolean;
    descriptions?: Record<string, string>;
  } = {},
) {
  const uploads: Upload[] = [];
  const tags: Tag[] = [];
  const points: Point[] = [];
  const modelTags: ModelTag[] = [];
  const batches: string[] = [];
  const descriptions = new Map(Object.entries(opts.descriptions ?? {}));
  const client: ReportPublisher = {
    async uploadArtifact(target, localFile, artifactDir = "") {
      if (target.runId === opts.failUploadFor) throw new Error("HTTP 503 from artifact store");
      uploads.push({ runId: target.runId, file: localFile, dir: artifactDir });
      return `${artifactDir}/${localFile.split("/").at(-1)}`;
    },
    async logBatch(runId, batch) {
      batches.push(runId);
      for (const t of batch.tags ?? []) tags.push({ runId, ...t });
      for (const m of batch.metrics ?? [])
        points.push({ runId, key: m.key, value: m.value, timestamp: m.timestamp, step: m.step });
    },
    async setModelVersionTag(name, version, key, value) {
      if (opts.failModelTags) throw new Error("RESOURCE_DOES_NOT_EXIST");
      modelTags.push({ name, version, key, value });
    },
    async modelVersionDescription(name, version) {
      if (opts.failDescriptions) throw new Error("PERMISSION_DENIED");
      return descriptions.get(`${name} v${version}`) ?? "";
    },
    async setModelVersionDescription(name, version, description) {
      descriptions.set(`${name} v${version}`, description);
    },
  };
  return { ...client, uploads, tags, points, modelTags, batches, descriptions };
}

const paths: ReportPaths = {
  dir: "/results/aud-1",
  json: "/results/aud-1/report.json",
  markdown: "/results/aud-1/report.md",
  html: "/results/aud-1/report.html",
  junit: "/results/aud-1/junit.xml",
  runs: ["0000", "0001", "0002"].map((n) => ({
    dir: `/results/aud-1/run-reports/${n}`,
    json: `/results/aud-1/run-reports/${n}/report.json`,
    html: `/results/aud-1/run-reports/${n}/report.html`,
  })),
};

function twoRunReport() {
  const good = assembleRun(facts());
  const bad = assembleRun(
    facts({
      run: recordedRun({ runId: "run-b" }),
      replays: [0.9, 0.91, 0.9].map((rmse, i) => replayRecord(i, { metrics: { rmse, r2: 0.42 } })),
    }),
  );
  return assembleReport(meta({}, "aud-1"), [good, bad]);
}

const T = Tags;
const DIR = "repro-audit/aud-1";
/** MLflow's UI page of a run's HTML report on the factories' server (experiment 7) */
const link = (runId: string, dir = DIR) =>
  `http://127.0.0.1:5000/#/experiments/7/runs/${runId}/artifacts/${dir}/report.html`;

describe("runTags", () => {
  it("gives id, verdict, 3-decimal score and the report's link; undefined for a run not in the report", () => {
    const doc = twoRunReport();
    expect(runTags(doc, "run-a", DIR)).toEqual({
      [T.audit]: "aud-1",
      [T.verdict]: "reproduced",
      [T.score]: "1.000",
      [T.report]: link("run-a"),
    });
    // run-b: rmse not reproduced (0), r2 identical (1) -> 0.5
    expect(runTags(doc, "run-b", "d")).toEqual({
      [T.audit]: "aud-1",
      [T.verdict]: "not_reproduced",
      [T.score]: "0.500",
      [T.report]: link("run-b", "d"),
    });
    expect(runTags(doc, "run-zzz", "d")).toBeUndefined();
    expect(new Set(PUBLISHED_TAGS).size).toBe(4); // four distinct tag names
  });
});

describe("publishReport", () => {
  const tagsOf = (client: ReturnType<typeof fakeClient>, runId: string) =>
    Object.fromEntries(client.tags.filter((t) => t.runId === runId).map((t) => [t.key, t.value]));

  it("uploads to each run its own part (page and JSON) and the audit's summary under repro-audit/<audit-id>, never the whole report, and tags each run", async () => {
    const client = fakeClient();
    const result = await publishReport(client, twoRunReport(), paths);
    expect(result).toEqual({ published: ["run run-a", "run run-b"], problems: [] });
    const own = (i: number) => [paths.runs[i]?.html, paths.runs[i]?.json, paths.markdown];
    expect(client.uploads).toEqual([
      ...own(0).map((file) => ({ runId: "run-a", file, dir: DIR })),
      ...own(1).map((file) => ({ runId: "run-b", file, dir: DIR })),
    ]);
    // What an audit uploads grows with its runs, not their square: no run gets the whole document.
    for (const whole of [paths.json, paths.html, paths.junit])
      expect(client.uploads.map((u) => u.file)).not.toContain(whole);
    expect(tagsOf(client, "run-a")).toEqual({
      [T.verdict]: "reproduced",
      [T.score]: "1.000",
      [T.audit]: "aud-1",
      [T.report]: link("run-a"),
    });
    expect(tagsOf(client, "run-b")).toEqual({
      [T.verdict]: "not_reproduced",
      [T.score]: "0.500",
      [T.audit]: "aud-1",
      [T.report]: link("run-b"),
    });
    expect(client.modelTags).toEqual([]);
  });

  it("logs the score as a metric point at step 0 with the audit's time, in the same request as the tags", async () => {
    const client = fakeClient();
    const doc = twoRunReport();
    await publishReport(client, doc, paths);
    const at = Date.parse(doc.createdAt);
    expect(client.points).toEqual([
      { runId: "run-a", key: Metrics.score, value: 1, timestamp: at, step: 0 },
      { runId: "run-b", key: Metrics.score, value: 0.5, timestamp: at, step: 0 },
    ]);
    expect(client.batches).toEqual(["run-a", "run-b"]);
  });

  it("a tracking URI that is not http(s) keeps the artifact path as the report tag", async () => {
    const client = fakeClient();
    const doc = assembleReport(meta({ trackingUri: "file:///srv/mlruns" }, "aud-1"), [assembleRun(facts())]);
    await publishReport(client, doc, paths);
    expect(tagsOf(client, "run-a")[T.report]).toBe(`${DIR}/report.html`);
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
      { name: "wine-model", version: "3", key: T.report, value: link("run-b") },
    ]);
    expect(client.modelTags.filter((t) => t.version === "1").map((t) => [t.key, t.value])).toContainEqual([
      T.verdict,
      "reproduced",
    ]);
    expect(client.modelTags).toHaveLength(8);
  });

  it("a model version whose run was not audited, or could not be replayed, is left alone", async () => {
    const client = fakeClient();
    const doc = twoRunReport();
    const errored = assembleRun({
      ...facts({ run: recordedRun({ runId: "run-c" }), replays: [] }),
      error: "no --scenario given",
    });
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
    const result = await publishReport(client, assembleReport(meta({}, "aud-1"), [...doc.runs, partial]), paths, [
      { name: "m", version: "3", runId: "run-p" },
    ]);
    expect(result.published).toEqual(["run run-a", "run run-b"]);
    expect(result.problems).toEqual([
      "run run-p: not attached, its audit is incomplete (finish it with repro-audit audit --resume aud-1)",
    ]);
    expect(client.uploads.some((u) => u.runId === "run-p")).toBe(false);
    expect(tagsOf(client, "run-p")).toEqual({});
    expect(client.modelTags).toEqual([]);
  });

  it("a failing upload for one run is reported and does not stop the others", async () => {
    const client = fakeClient({ failUploadFor: "run-a" });
    const result = await publishReport(client, twoRunReport(), paths, [
      { name: "wine-model", version: "3", runId: "run-b" },
    ]);
    expect(result.problems).toEqual(["run run-a: HTTP 503 from artifact store"]);
    expect(result.published).toEqual(["run run-b", "model wine-model v3"]);
    expect(client.uploads.map((u) => u.runId)).toEqual(["run-b", "run-b", "run-b"]);
    // a run whose report did not upload is not tagged as pointing at it
    expect(tagsOf(client, "run-a")).toEqual({});
    expect(Object.keys(tagsOf(client, "run-b"))).toHaveLength(4);
  });

  it("failing model version tags are a problem; the runs stay published", async () => {
    const client = fakeClient({ failModelTags: true });
    const result = await publishReport(client, twoRunReport(), paths, [
      { name: "wine-model", version: "3", runId: "run-a" },
    ]);
    expect(result.published).toEqual(["run run-a", "run run-b"]);
    expect(result.problems).toEqual(["model wine-model v3: RESOURCE_DOES_NOT_EXIST"]);
    // a version whose tags failed is not described either
    expect(client.descriptions.size).toBe(0);
  });

  it("appends the summary after the author's description of each model version", async () => {
    const client = fakeClient({ descriptions: { "wine-model v3": "Trained on the 2024 cut.\n\nOwner: data team." } });
    const result = await publishReport(client, twoRunReport(), paths, [
      { name: "wine-model", version: "3", runId: "run-b" },
    ]);
    expect(result.problems).toEqual([]);
    const text = client.descriptions.get("wine-model v3") ?? "";
    expect(text.startsWith(`Trained on the 2024 cut.\n\nOwner: data team.\n\n${SUMMARY_BEGIN}`)).toBe(true);
    expect(text.endsWith(SUMMARY_END)).toBe(true);
    expect(text).toContain("not reproduced");
    expect(text).toContain("score 0.500");
    expect(text).toContain(`[report](${link("run-b")})`);
  });

  it("a re-audit replaces only its own block: the author's text before and after stays", async () => {
    const client = fakeClient();
    await publishReport(client, twoRunReport(), paths, [{ name: "m", version: "1", runId: "run-a" }]);
    const first = client.descriptions.get("m v1") ?? "";
    client.descriptions.set("m v1", `Author intro.\n\n${first}\n\nAuthor note added later.`);
    await publishReport(client, assembleReport(meta({}, "aud-2"), twoRunReport().runs), paths, [
      { name: "m", version: "1", runId: "run-a" },
    ]);
    const second = client.descriptions.get("m v1") ?? "";
    expect(second.split(SUMMARY_BEGIN)).toHaveLength(2); // exactly one block
    expect(second).toContain("Author intro.");
    expect(second).toContain("Author note added later.");
    expect(second).toContain("`aud-2`");
    expect(second).not.toContain("`aud-1`");
  });

  it("a description that cannot be read is a problem; the version's tags stay published", async () => {
    const client = fakeClient({ failDescriptions: true });
    const result = await publishReport(client, twoRunReport(), paths, [
      { name: "wine-model", version: "3", runId: "run-a" },
    ]);
    expect(result.published).toEqual(["run run-a", "run run-b", "model wine-model v3"]);
    expect(result.problems).toEqual(["model wine-model v3: description not updated: PERMISSION_DENIED"]);
    expect(client.modelTags.filter((t) => t.version === "3")).toHaveLength(4);
  });
});
