import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MlflowClient } from "../../../harness/tracking/client.js";
import { MlflowError, MlflowUnreachableError, UnsafePathError } from "../../../harness/tracking/errors.js";
import { loggedModelIdOfVersion, loggedModelIdsOfRun } from "../../../harness/tracking/model-refs.js";
import { freeLoopbackPort } from "../../../harness/tracking/server/free-port.js";
import type { TestServer } from "../../support/mlflow-server.js";
import { startTestServer } from "../../support/mlflow-server.js";
import { runPythonScript, type FixtureIds } from "./python-runs.js";

// The REST client against a real MLflow server, with runs made by the real Python client
// (test/python/tracking_fixture_runs.py): a traced run with a dataset, a logged model
// registered with alias @champion, and a raw run.

let server: TestServer;
let client: MlflowClient;
let ids: FixtureIds;
let tmp: string;

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

beforeAll(async () => {
  server = await startTestServer({ inMemory: true });
  client = new MlflowClient({ baseUrl: server.url, retries: 2, retryBaseDelayMs: 50 });
  ids = await runPythonScript<FixtureIds>("tracking_fixture_runs.py", server.url);
  tmp = await mkdtemp(path.join(os.tmpdir(), "tracking-it-"));
});

afterAll(async () => {
  await server?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe("experiments", () => {
  it("finds by name, reports a missing one as undefined, and get-or-create is idempotent", async () => {
    const exp = await client.getExperimentByName("tracking-fixtures");
    expect(exp?.experiment_id).toBe(ids.experiment_id);
    expect(await client.getExperimentByName("does-not-exist")).toBeUndefined();
    const created = await client.getOrCreateExperiment("it-new");
    const again = await client.getOrCreateExperiment("it-new");
    expect(again.experiment_id).toBe(created.experiment_id);
    const id = await client.createExperiment("it-tagged", { owner: "repro" });
    expect((await client.getExperiment(id)).tags).toContainEqual({ key: "owner", value: "repro" });
    const names = (await client.searchExperiments({ filter: "name LIKE 'it-%'" })).map((e) => e.name).sort();
    expect(names).toEqual(["it-new", "it-tagged"]);
  });
});

describe("runs", () => {
  it("reads the traced run as the Python client wrote it", async () => {
    const run = await client.getRun(ids.run_id);
    expect(run.info.run_name).toBe("full");
    expect(run.data.params).toContainEqual({ key: "seed", value: "7" });
    expect(run.inputs.dataset_inputs[0]?.dataset.name).toBe("wine-train");
    expect(loggedModelIdsOfRun(run)).toEqual([ids.model_id]);
    const raw = await client.getRun(ids.raw_run_id);
    expect(raw.data.tags.some((t) => t.key === "mlflow.source.git.commit")).toBe(false);
    expect(raw.info.status).toBe("FINISHED");
  });

  it("creates, updates, tags and batch-logs beyond every per-request limit", async () => {
    const exp = await client.getOrCreateExperiment("it-write");
    const run = await client.createRun({ experimentId: exp.experiment_id, runName: "written", tags: { a: "1" } });
    expect(run.info.status).toBe("RUNNING");
    const params = Array.from({ length: 250 }, (_, i) => ({ key: `p${i}`, value: String(i) }));
    const tags = Array.from({ length: 150 }, (_, i) => ({ key: `t${i}`, value: String(i) }));
    const metrics = Array.from({ length: 2500 }, (_, i) => ({ key: "m", value: i / 10, step: i, timestamp: 1000 + i }));
    const requests = await client.logBatch(run.info.run_id, { params, tags, metrics });
    expect(requests).toBeGreaterThanOrEqual(3);
    await client.setTag(run.info.run_id, "gone", "soon");
    await client.deleteTag(run.info.run_id, "gone");
    await client.logMetric(run.info.run_id, "single", Number.NaN, { step: 3 });
    await client.logParam(run.info.run_id, "extra", "x");
    const info = await client.updateRun(run.info.run_id, {
      status: "FINISHED",
      endTime: Date.now(),
      runName: "renamed",
    });
    expect(info.status).toBe("FINISHED");

    const back = await client.getRun(run.info.run_id);
    expect(back.info.run_name).toBe("renamed");
    expect(back.data.params).toHaveLength(251);
    expect(back.data.tags.filter((t) => /^t\d+$/.test(t.key))).toHaveLength(150);
    expect(back.data.tags.some((t) => t.key === "gone")).toBe(false);
    expect(Number.isNaN(back.data.metrics.find((m) => m.key === "single")?.value)).toBe(true);
    const history = await client.getMetricHistory(run.info.run_id, "m");
    expect(history.map((h) => h.step)).toEqual(metrics.map((m) => m.step));
    expect(history.map((h) => h.value)).toEqual(metrics.map((m) => m.value));
  });

  it("searches with a filter and order", async () => {
    const runs = await client.searchRuns({
      experimentIds: [ids.experiment_id],
      filter: "params.seed = '7'",
      orderBy: ["attributes.start_time DESC"],
    });
    expect(runs.map((r) => r.info.run_id)).toEqual([ids.run_id]);
  });

  it("maps server errors with their error_code and what was being done", async () => {
    const missing = (await client.getRun("0".repeat(32)).catch((e: unknown) => e)) as MlflowError;
    expect(missing).toBeInstanceOf(MlflowError);
    expect(missing.errorCode).toBe("RESOURCE_DOES_NOT_EXIST");
    expect(missing.status).toBe(404);
    const bad = (await client
      .searchRuns({ experimentIds: [ids.experiment_id], filter: "params.alpha >>> 1" })
      .catch((e: unknown) => e)) as MlflowError;
    expect(bad.errorCode).toBe("INVALID_PARAMETER_VALUE");
    expect(bad.message).toContain(`searching runs in experiment ${ids.experiment_id}`);
  });
});

describe("artifacts", () => {
  it("upload then download round-trips byte-identical (binary, 300 KB)", async () => {
    const bytes = randomBytes(300 * 1024);
    const src = path.join(tmp, "blob.bin");
    await writeFile(src, bytes);
    const rel = await client.uploadArtifact(ids.run_id, src, "repro/out");
    expect(rel).toBe("repro/out/blob.bin");
    const listed = await client.listArtifacts(ids.run_id, "repro/out");
    expect(listed).toEqual([{ path: "repro/out/blob.bin", is_dir: false, file_size: bytes.length }]);
    const dest = path.join(tmp, "down", "blob.bin");
    await client.downloadArtifact({ runId: ids.run_id }, rel, dest);
    expect(sha256(await readFile(dest))).toBe(sha256(bytes));
    // ... and the server stored exactly those bytes.
    const onServer = path.join(
      server.dataDir,
      "artifacts",
      ids.experiment_id,
      ids.run_id,
      "artifacts",
      "repro/out/blob.bin",
    );
    expect(sha256(await readFile(onServer))).toBe(sha256(bytes));
  });

  it("lists recursively and downloads a folder written by the Python client", async () => {
    const files = await client.listArtifactsRecursive(ids.run_id);
    expect(files.map((f) => f.path)).toContain("docs/notes.txt");
    const written = await client.downloadArtifacts(ids.run_id, "docs", path.join(tmp, "docs"));
    expect(written).toEqual([path.join(tmp, "docs", "notes.txt")]);
    expect(await readFile(written[0]!, "utf8")).toBe("hello artifacts\n");
  });

  it("refuses hostile artifact paths without touching the disk outside the target", async () => {
    const outside = path.join(tmp, "escape-target");
    await expect(client.downloadArtifact(ids.run_id, "../../../../etc/passwd", path.join(tmp, "x"))).rejects.toThrow(
      UnsafePathError,
    );
    await expect(client.downloadArtifacts(ids.run_id, "docs/../..", outside)).rejects.toThrow(UnsafePathError);
    const src = path.join(tmp, "evil.txt");
    await writeFile(src, "evil");
    await expect(client.uploadArtifact(ids.run_id, src, "../../other-run")).rejects.toThrow(UnsafePathError);
    await expect(client.uploadArtifact(ids.run_id, src, "ok", "../evil.txt")).rejects.toThrow(UnsafePathError);
    await expect(client.listArtifacts(`mlflow-artifacts:/${ids.experiment_id}/../../`)).rejects.toThrow(
      UnsafePathError,
    );
    expect(existsSync(outside)).toBe(false);
    expect(existsSync(path.join(server.dataDir, "artifacts", ids.experiment_id, "other-run"))).toBe(false);
  });
});

describe("model registry", () => {
  it("resolves @champion to the version and its logged model", async () => {
    const mv = await client.getModelVersionByAlias(ids.model_name, "champion");
    expect(mv.version).toBe(ids.model_version);
    expect(mv.run_id).toBe(ids.run_id);
    expect(loggedModelIdOfVersion(mv)).toBe(ids.model_id);
    const same = await client.getModelVersion(ids.model_name, ids.model_version);
    expect(same.aliases).toEqual(["champion"]);
    const rm = await client.getRegisteredModel(ids.model_name);
    expect(rm.aliases).toContainEqual({ alias: "champion", version: ids.model_version });
    expect((await client.searchRegisteredModels()).map((m) => m.name)).toContain(ids.model_name);
    const versions = await client.searchModelVersions(`name='${ids.model_name}'`);
    expect(versions.map((v) => v.version)).toEqual([ids.model_version]);
  });

  it("sets a model version tag", async () => {
    await client.setModelVersionTag(ids.model_name, ids.model_version, "repro.verdict", "reproduced");
    const mv = await client.getModelVersion(ids.model_name, ids.model_version);
    expect(mv.tags).toContainEqual({ key: "repro.verdict", value: "reproduced" });
  });

  it("an unknown alias is an MlflowError, not undefined", async () => {
    await expect(client.getModelVersionByAlias(ids.model_name, "nope")).rejects.toBeInstanceOf(MlflowError);
  });
});

describe("logged models", () => {
  it("gets and searches the logged model", async () => {
    const m = await client.getLoggedModel(ids.model_id);
    expect(m.info.source_run_id).toBe(ids.run_id);
    expect(m.info.status).toBe("LOGGED_MODEL_READY");
    const found = await client.searchLoggedModels({ experimentIds: [ids.experiment_id] });
    expect(found.map((x) => x.info.model_id)).toEqual([ids.model_id]);
  });

  it("reads its environment files, byte-identical to what the server stored", async () => {
    const files = (await client.listLoggedModelArtifacts(ids.model_id)).map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(["MLmodel", "requirements.txt", "python_env.yaml", "conda.yaml"]));
    const dest = path.join(tmp, "model");
    const written = await client.downloadLoggedModelArtifacts(ids.model_id, dest);
    expect(written.length).toBe(files.length);
    const storeDir = path.join(server.dataDir, "artifacts", ids.experiment_id, "models", ids.model_id, "artifacts");
    for (const name of await readdir(storeDir)) {
      expect(sha256(await readFile(path.join(dest, name))), name).toBe(
        sha256(await readFile(path.join(storeDir, name))),
      );
    }
    expect(await readFile(path.join(dest, "requirements.txt"), "utf8")).toMatch(/scikit-learn/);
  });
});

describe("an unreachable server", () => {
  it("is reported as MlflowUnreachableError after bounded retries", async () => {
    // A loopback port that was free a moment ago: nothing listens there.
    const url = `http://127.0.0.1:${await freeLoopbackPort()}`;
    const dead = new MlflowClient({ baseUrl: url, retries: 2, retryBaseDelayMs: 10 });
    const err = (await dead.getExperimentByName("x").catch((e: unknown) => e)) as MlflowUnreachableError;
    expect(err).toBeInstanceOf(MlflowUnreachableError);
    expect(err.attempts).toBe(3);
    expect(err.message).toMatch(/ECONNREFUSED/);
  });
});
