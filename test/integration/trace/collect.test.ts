import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveSelection } from "../../../harness/selection/resolve.js";
import { type Selection, SelectionError } from "../../../harness/selection/selection.js";
import { MlflowClient } from "../../../harness/tracking/client.js";
import { mapBounded } from "../../../harness/bounded-map.js";
import { buildChecklist } from "../../../harness/trace/checklist.js";
import { collectSubjects } from "../../../harness/trace/mlflow-collect.js";
import { buildTraceDocument } from "../../../harness/trace/document.js";
import type { TraceStatus } from "../../../harness/trace/item.js";
import type { TraceSubject } from "../../../harness/trace/subject.js";
import { startTestServer, type TestServer } from "../../support/mlflow-server.js";
import { seedTraceRuns, type SeededRuns } from "./seed.js";

// Against a real MLflow server, with runs made by the real MLflow Python client.

const statusOf = (s: TraceSubject): Record<string, TraceStatus> =>
  Object.fromEntries(buildChecklist(s).map((i) => [i.id, i.status]));

describe("trace collection against a real MLflow server", () => {
  let server: TestServer | undefined;
  let seeded: SeededRuns;
  let client: MlflowClient;

  beforeAll(async () => {
    server = await startTestServer({ shared: true });
    client = new MlflowClient({ baseUrl: server.url, retries: 1, retryBaseDelayMs: 50 });
    seeded = await seedTraceRuns(server.url, "trace-int", "TraceIntModel");
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("collects run artifacts, logged models with their files, and registered versions", async () => {
    const { runs } = await resolveSelection(client, { kind: "experiment", experiments: ["trace-int"] });
    expect(runs.map((r) => r.info.run_id).sort()).toEqual(Object.values(seeded.runs).sort());
    const subjects = await collectSubjects(client, runs);
    const byId = new Map(subjects.map((s) => [s.run.runId, s]));
    const full = byId.get(seeded.runs.full);
    const raw = byId.get(seeded.runs.raw);
    const reg = byId.get(seeded.runs.registered);
    if (!full || !raw || !reg) throw new Error("a seeded run was not collected");

    expect(full.runArtifacts.files.sort()).toEqual(["repro/git.diff", "requirements.txt"]);
    expect(full.loggedModels).toHaveLength(1);
    expect(full.loggedModels[0]?.files).toEqual(
      expect.arrayContaining(["MLmodel", "requirements.txt", "python_env.yaml", "conda.yaml"]),
    );
    expect(raw.runArtifacts.files).toEqual([]);
    expect(raw.loggedModels).toEqual([]);
    expect(reg.modelVersions.map((v) => [v.name, v.version, v.aliases])).toEqual([
      [seeded.model.name, seeded.model.version, ["champion"]],
    ]);

    // The real client records git tags itself when the script sits in a git repository.
    expect(full.run.tags["mlflow.source.git.commit"]).toMatch(/^[0-9a-f]{40}$/);
    expect(Object.values(statusOf(full)).every((s) => s === "present")).toBe(true);
    expect(statusOf(raw)).toMatchObject({
      params: "missing",
      source: "missing",
      git_commit: "missing",
      env_model: "not_applicable",
      seed: "missing",
    });
    expect(statusOf(reg)).toMatchObject({
      git_commit: "missing",
      entry_point: "partial",
      env_run: "missing",
      env_model: "present",
      seed: "present",
    });
  });

  it("resolves model versions and aliases to their source run", async () => {
    const byAlias = await resolveSelection(client, {
      kind: "model_alias",
      model: seeded.model.name,
      alias: "champion",
    });
    expect(byAlias.runs.map((r) => r.info.run_id)).toEqual([seeded.runs.registered]);
    const byVersion = await resolveSelection(client, {
      kind: "model_version",
      model: seeded.model.name,
      version: seeded.model.version,
    });
    expect(byVersion.runs.map((r) => r.info.run_id)).toEqual([seeded.runs.registered]);
    const byRun = await resolveSelection(client, { kind: "runs", runIds: [seeded.runs.raw, seeded.runs.full] });
    expect(byRun.runs.map((r) => r.info.run_id)).toEqual([seeded.runs.raw, seeded.runs.full]);
    const byFilter = await resolveSelection(client, { kind: "filter", filter: "params.random_state = '42'" });
    expect(byFilter.runs.map((r) => r.info.run_id)).toEqual([seeded.runs.registered]);
  });

  it("turns unknown names and refused filters into readable selection errors", async () => {
    const cases: Array<[Selection, RegExp]> = [
      [{ kind: "experiment", experiments: ["no-such-experiment"] }, /experiment "no-such-experiment" does not exist/],
      [
        { kind: "runs", runIds: ["0123456789abcdef0123456789abcdef"] },
        /run 0123456789abcdef0123456789abcdef does not exist/,
      ],
      [{ kind: "model_version", model: seeded.model.name, version: "99" }, /has no version 99/],
      [{ kind: "model_alias", model: "NoSuchModel", alias: "x" }, /"NoSuchModel" has no alias "x"/],
      [
        { kind: "experiment", experiments: ["trace-int"], filter: "params.a = = 1" },
        /--filter .* was refused by the server/,
      ],
    ];
    for (const [sel, message] of cases) {
      const err = await resolveSelection(client, sel).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SelectionError);
      expect((err as Error).message).toMatch(message);
    }
  });

  it("covers 1050 runs: every run collected, logged models of the first, middle and last hundred found", async () => {
    const exp = await client.createExperiment("trace-many");
    const ids = await mapBounded([...Array(1050).keys()], 8, async (i) => {
      const tags: Record<string, string> = { "mlflow.source.name": "gen.py", "mlflow.source.type": "LOCAL" };
      if (i % 2 === 0) tags["seed"] = String(i);
      const run = await client.createRun({ experimentId: exp, runName: `r${i}`, tags });
      return run.info.run_id;
    });
    // Logged models (MLflow 3 REST) for runs in the first, middle and last chunk of 100.
    const withModel = [0, 512, 1049];
    const tmp = mkdtempSync(join(tmpdir(), "trace-many-"));
    try {
      writeFileSync(join(tmp, "requirements.txt"), "scikit-learn==1.9.1\n");
      for (const i of withModel) {
        const res = await fetch(`${server?.url}/api/2.0/mlflow/logged-models`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ experiment_id: exp, name: `m${i}`, source_run_id: ids[i] }),
        });
        expect(res.status).toBe(200);
        const body = (await res.json()) as { model: { info: { model_id: string } } };
        if (i === 1049)
          await client.uploadArtifact({ loggedModelId: body.model.info.model_id }, join(tmp, "requirements.txt"));
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }

    const t0 = performance.now();
    const { runs } = await resolveSelection(client, { kind: "experiment", experiments: ["trace-many"] });
    const subjects = await collectSubjects(client, runs, { concurrency: 8 });
    const doc = buildTraceDocument(subjects, {
      trackingUri: server?.url ?? "",
      selection: { kind: "experiment", experiments: ["trace-many"] },
      generatedAt: new Date(),
    });
    const seconds = (performance.now() - t0) / 1000;
    console.log(`trace over ${doc.runs.length} runs (resolve + collect + document): ${seconds.toFixed(2)} s`);

    expect(doc.runs).toHaveLength(1050);
    expect(new Set(doc.runs.map((r) => r.runId))).toEqual(new Set(ids));
    const cov = Object.fromEntries(doc.score.coverage.map((c) => [c.id, c]));
    expect(cov["seed"]).toMatchObject({ present: 525, missing: 525 });
    expect(cov["source"]).toMatchObject({ present: 1050 });
    expect(cov["env_model"]).toMatchObject({ present: 1, missing: 2, notApplicable: 1047 });
    const modelRuns = doc.runs.filter((r) => r.items.find((i) => i.id === "env_model")?.status !== "not_applicable");
    expect(modelRuns.map((r) => r.runId).sort()).toEqual(withModel.map((i) => ids[i]).sort());
  }, 300_000);
});
