import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ArtifactTarget } from "../../../harness/tracking/client.js";
import { MlflowError } from "../../../harness/tracking/errors.js";
import type { SearchLoggedModelsOptions } from "../../../harness/tracking/logged-models.js";
import {
  type FileInfo,
  GetLoggedModelResponse,
  GetRegisteredModelResponse,
  ListArtifactsResponse,
  type LoggedModel,
  type ModelVersion,
  type Run,
  SearchModelVersionsResponse,
} from "../../../harness/tracking/schemas.js";
import { buildChecklist } from "../../../harness/trace/checklist.js";
import { type CollectClient, collectSubjects } from "../../../harness/trace/mlflow-collect.js";
import { recordedRun } from "./recorded.js";

// collectSubjects over a client that answers from responses recorded from a real
// MLflow 3.17 server (test/fixtures/trace), counting every request: a large selection
// must cost requests per page of what the server holds, not per run, and give the
// same subjects as asking about every run.

const dir = new URL("../../fixtures/trace/", import.meta.url);
const load = (name: string): unknown => JSON.parse(readFileSync(new URL(name, dir), "utf8"));
const ctx = { action: "test", method: "GET", endpoint: "/fake" };
const listing = (name: string): FileInfo[] => ListArtifactsResponse.parse(load(name)).files;

const full = recordedRun("full");
const raw = recordedRun("raw");
const registered = recordedRun("registered");
const fullModel = GetLoggedModelResponse.parse(load("logged-model-full.json")).model;
const registeredModel = GetLoggedModelResponse.parse(load("logged-model-registered.json")).model;
const versions = SearchModelVersionsResponse.parse(load("model-versions-registered.json")).model_versions;
const registry = GetRegisteredModelResponse.parse(load("registered-model.json")).registered_model;

/** A run of the sweep kind: raw's record under another id, no artifacts, no model. */
function sweepRun(i: number): Run {
  const id = i.toString(16).padStart(32, "0");
  return { ...raw, info: { ...raw.info, run_id: id, artifact_uri: `mlflow-artifacts:/1/${id}/artifacts` } };
}

interface FakeServer extends CollectClient {
  requests: string[];
}

/**
 * The recorded answers as a server would give them. `extraModels`: logged models of other
 * runs in the experiment (a busy experiment); `folderListing: false`: the experiment's
 * artifact folder cannot be listed.
 */
function fakeServer(opts: { extraModels?: number; folderListing?: boolean } = {}): FakeServer {
  const requests: string[] = [];
  const others: LoggedModel[] = Array.from({ length: opts.extraModels ?? 0 }, (_, i) => ({
    ...registeredModel,
    info: { ...registeredModel.info, model_id: `m-other${i}`, source_run_id: `other${i}` },
  }));
  const models = [fullModel, registeredModel, ...others];
  const runFolders: Record<string, FileInfo[]> = {
    [full.info.run_id]: listing("artifacts-full-root.json"),
    [registered.info.run_id]: listing("artifacts-registered-root.json"),
  };
  const idsIn = (filter: string) => new Set([...filter.matchAll(/'([^']+)'/g)].map((m) => m[1]));
  return {
    requests,
    async searchLoggedModels(o: SearchLoggedModelsOptions) {
      requests.push(`models ${o.filter ?? "all"}`);
      const ids = o.filter === undefined ? undefined : idsIn(o.filter);
      const hits = models.filter((m) => ids === undefined || ids.has(m.info.source_run_id ?? ""));
      return hits.slice(0, o.maxResults ?? hits.length);
    },
    async getLoggedModel(id) {
      requests.push(`model ${id}`);
      const m = models.find((x) => x.info.model_id === id);
      if (m === undefined) throw new MlflowError(ctx, 404, "RESOURCE_DOES_NOT_EXIST", "not found");
      return m;
    },
    async searchModelVersions(filter?: string, o?: { maxResults?: number }) {
      requests.push(`versions ${filter ?? "all"}`);
      const ids = filter === undefined ? undefined : idsIn(filter);
      const hits: ModelVersion[] = versions.filter((v) => ids === undefined || ids.has(v.run_id ?? ""));
      return hits.slice(0, o?.maxResults ?? hits.length);
    },
    async getRegisteredModel(name) {
      requests.push(`registered ${name}`);
      return registry;
    },
    async listArtifacts(target: ArtifactTarget, path = "") {
      const uri = typeof target === "object" && "artifactUri" in target ? target.artifactUri : String(target);
      requests.push(`list ${uri} ${path}`);
      if (uri === "mlflow-artifacts:/1") {
        if (opts.folderListing === false) throw new MlflowError(ctx, 403, "PERMISSION_DENIED", "refused");
        return [...Object.keys(runFolders), "models"].map((p) => ({ path: p, is_dir: true }));
      }
      if (uri === fullModel.info.artifact_uri) return listing("logged-model-full-files.json");
      if (uri === registeredModel.info.artifact_uri) return listing("logged-model-registered-files.json");
      const runId = /\/([0-9a-f]{32})\/artifacts$/.exec(uri)?.[1] ?? "";
      if (path === "repro") return listing("artifacts-full-repro.json");
      return runFolders[runId] ?? [];
    },
  };
}

const statuses = (subjects: Awaited<ReturnType<typeof collectSubjects>>) =>
  subjects.map((s) => [s.run.runId, buildChecklist(s).map((i) => `${i.id}:${i.status}:${i.detail}`)]);

describe("collectSubjects: requests per page, not per run", () => {
  const selection = [full, raw, registered, ...Array.from({ length: 1000 }, (_, i) => sweepRun(i))];

  it("lists only the runs whose folder exists, and gives the checklist that listing every run gives", async () => {
    const server = fakeServer();
    const subjects = await collectSubjects(server, selection);
    const everyRun = fakeServer({ folderListing: false });
    const reference = await collectSubjects(everyRun, selection);
    expect(statuses(subjects)).toEqual(statuses(reference));
    expect(subjects).toHaveLength(1003);

    const runListings = server.requests.filter((r) => /^list mlflow-artifacts:\/1\/[0-9a-f]{32}\//.test(r));
    // full (root and its repro/ folder) and registered: the 1001 runs without a folder are not asked.
    expect(runListings).toHaveLength(3);
    expect(everyRun.requests.filter((r) => /^list mlflow-artifacts:\/1\/[0-9a-f]{32}\//.test(r)).length).toBe(1004);
    // One folder listing, one model search, one version search, one registered model, two models' files.
    expect(server.requests.length).toBeLessThanOrEqual(10);
  });

  it("finds the same models and versions as IN searches would, when the server holds more than the scan reads", async () => {
    // 25,000 other models: more than the scan's pages, so the IN searches follow.
    const busy = fakeServer({ extraModels: 25_000 });
    const subjects = await collectSubjects(busy, selection);
    const byId = new Map(subjects.map((s) => [s.run.runId, s]));
    expect(byId.get(full.info.run_id)?.loggedModels.map((m) => m.modelId)).toEqual([fullModel.info.model_id]);
    expect(byId.get(registered.info.run_id)?.modelVersions.map((v) => [v.name, v.version, v.aliases])).toEqual([
      [versions[0]?.name, versions[0]?.version, ["champion"]],
    ]);
    expect(byId.get(raw.info.run_id)?.loggedModels).toEqual([]);
    const searches = busy.requests.filter((r) => r.startsWith("models "));
    expect(searches[0]).toBe("models all");
    expect(searches.filter((r) => r.startsWith("models source_run_id IN"))).toHaveLength(11);
  });

  it("a small selection searches by IN lists only (one request each)", async () => {
    const server = fakeServer({ extraModels: 5 });
    await collectSubjects(server, [full, registered]);
    expect(server.requests.filter((r) => r.startsWith("models ") || r.startsWith("versions "))).toEqual([
      expect.stringMatching(/^models source_run_id IN/),
      expect.stringMatching(/^versions run_id IN/),
    ]);
  });

  it("reports progress for every run, the unasked ones included", async () => {
    const seen: number[] = [];
    await collectSubjects(fakeServer(), selection, { onProgress: (done, total) => seen.push(done / total) });
    expect(seen).toHaveLength(1003);
    expect(seen.at(-1)).toBe(1);
  });
});
