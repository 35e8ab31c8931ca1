import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replayJob } from "../../../harness/audit/replay-pipeline.js";
import { docker } from "../../../harness/exec/engine.js";
import { ensureEnvImage } from "../../../harness/exec/env-image.js";
import { readCodeFolder, resolveEnvironment } from "../../../harness/plan/code-folder.js";
import { MlflowClient } from "../../../harness/tracking/client.js";
import { dockerAvailable as dockerOk } from "../../support/engine-available.js";
import { type TestServer, startTestServer } from "../../support/mlflow-server.js";
import { recordScenarioRun } from "../../support/record-run.js";

// An MLproject with docker_env: the replay runs in the image the project names,
// resolved locally to its ID (no registry here, so the test gives the scenario's
// env image that name first), with the project's environment variables set.

const root = new URL("../../../", import.meta.url).pathname;
const basic = join(root, "scenarios/basic");
const fixture = join(root, "test/integration/replay/fixtures/docker-env");
const IMAGE_REPO = "repro-audit-test/docker-env";
const IMAGE_TAG = "1";
const IMAGE_NAME = `${IMAGE_REPO}:${IMAGE_TAG}`;

describe.skipIf(!dockerOk)("replay of an MLproject with docker_env (real server, real engine)", () => {
  let server: TestServer;
  let client: MlflowClient;
  let engine: Docker;
  let results: string;
  let imageId = "";
  let tagged = false;
  // The fixture's MLproject with scenarios/basic/train.py beside it (a symlink would point outside /code).
  let project = "";

  beforeAll(async () => {
    project = mkdtempSync(join(tmpdir(), "repro-audit-dockerenv-project-"));
    chmodSync(project, 0o755); // replays run as uid 65534: mkdtemp's 0700 would hide the code

    cpSync(join(fixture, "MLproject"), join(project, "MLproject"));
    cpSync(join(basic, "train.py"), join(project, "train.py"));
    engine = docker();
    // The scenario's pinned image, as replay-pipeline builds it (reused when present).
    const folder = readCodeFolder(basic);
    const env = resolveEnvironment(folder, "scenario");
    const t0 = Date.now();
    const built = await ensureEnvImage({
      requirements: env.requirements,
      ...(env.python ? { python: env.python } : {}),
      ignored: env.ignored ?? [],
      client: engine,
    });
    console.log(
      `docker_env: env image ${built.built ? `built in ${built.seconds.toFixed(1)}s` : "reused"} (${((Date.now() - t0) / 1000).toFixed(1)}s)`,
    );
    await engine.getImage(built.imageId).tag({ repo: IMAGE_REPO, tag: IMAGE_TAG });
    tagged = true;
    imageId = (await engine.getImage(IMAGE_NAME).inspect()).Id;
    expect(imageId).toBe(built.imageId);

    server = await startTestServer({ shared: true });
    client = new MlflowClient({ baseUrl: server.url });
    results = mkdtempSync(join(tmpdir(), "repro-audit-dockerenv-results-"));
  }, 900_000); // a cold image build takes minutes on 2 cores
  afterAll(async () => {
    // Untags only: the image keeps its repro-audit/env tag.
    if (tagged)
      await engine
        .getImage(IMAGE_NAME)
        .remove({ noprune: true })
        .catch((e: Error) => console.warn(`could not remove ${IMAGE_NAME}: ${e.message}`));
    await server?.stop();
    if (results) rmSync(results, { recursive: true, force: true });
    if (project) rmSync(project, { recursive: true, force: true });
  });

  async function recordFromProject(): Promise<string> {
    // The entryPoint tag is what `mlflow run` sets; it makes the plan take the MLproject.
    return recordScenarioRun(server.url, [
      "--experiment",
      "docker-env",
      "--train",
      join(project, "train.py"),
      "--tag",
      "mlflow.project.entryPoint=main",
    ]);
  }

  it("runs in the named image pinned to its ID, with the docker_env variables, and brings the metrics back", async () => {
    const runId = await recordFromProject();
    const original = (await client.getRun(runId)).data.metrics;
    expect(original.map((m) => m.key).sort()).toEqual(["mae", "r2", "rmse"]);

    const t0 = Date.now();
    const res = await replayJob({
      runId,
      replays: 1,
      parallel: 1,
      executor: "docker",
      scenarioDir: project,
      resultsDir: results,
      trackingUri: server.url,
      client,
      env: { ...process.env, REPRO_DOCKER_ENV_FROM_HOST: "copied-from-host" },
      allowEnv: ["REPRO_DOCKER_ENV_FROM_HOST"], // host passthrough is opt-in by name
    });
    console.log(`docker_env: 1 replay in ${((Date.now() - t0) / 1000).toFixed(1)}s`);

    expect(res.plan.commandSource).toBe("mlproject");
    expect(res.plan.entryPoint).toBe("main");
    expect(res.plan.environment.source).toBe("docker_env");
    // The name is replaced by the ID it resolved to, in the plan and in what ran.
    expect(imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(res.plan.environment.dockerImage).toBe(imageId);
    // workingDir: the named image's own WORKDIR (the test image is built FROM the env image, WORKDIR /tmp),
    // recorded so a run made by `mlflow run` without --build-image replays where MLflow ran it.
    expect(res.image).toEqual({ imageId, built: false, seconds: 0, mismatches: [], workingDir: "/tmp" });
    const planOnDisk = JSON.parse(readFileSync(join(res.auditDir, "plan.json"), "utf8")) as {
      environment: { dockerImage: string };
    };
    expect(planOnDisk.environment.dockerImage).toBe(imageId);
    expect(res.summary.environment?.imageId).toBe(imageId);

    expect(res.summary.records).toHaveLength(1);
    const r = res.summary.records[0];
    expect(r?.status, `${r?.failure?.message ?? ""}\n${r?.stderrTail ?? ""}`).toBe("finished");
    expect(r?.imageId).toBe(imageId);
    expect(r?.pinned && r.isolated).toBe(true);
    // Both kinds of docker_env entry reached the container: a [name, value] pair and a name copied from the host env.
    expect(r?.stderrTail).toContain("docker_env: mark=set-by-mlproject host=copied-from-host");
    for (const m of original) expect(r?.metrics[m.key], m.key).toBe(m.value);

    const replay = await client.getRun(r?.replayRunId ?? "");
    const tag = (k: string) => replay.data.tags.find((t) => t.key === k)?.value;
    expect(tag("repro.replay_of")).toBe(runId);
    expect(tag("repro.image.id")).toBe(imageId);
  }, 300_000);

  it("refuses a docker_env image the engine does not have, saying it never pulls", async () => {
    const runId = await recordFromProject();
    const missing = mkdtempSync(join(tmpdir(), "repro-audit-dockerenv-missing-"));
    try {
      cpSync(project, missing, { recursive: true });
      const mlproject = readFileSync(join(missing, "MLproject"), "utf8").replace(IMAGE_NAME, `${IMAGE_REPO}:absent`);
      writeFileSync(join(missing, "MLproject"), mlproject);
      await expect(
        replayJob({
          runId,
          replays: 1,
          parallel: 1,
          executor: "docker",
          scenarioDir: missing,
          resultsDir: results,
          trackingUri: server.url,
          client,
          allowEnv: ["REPRO_DOCKER_ENV_FROM_HOST"],
        }),
      ).rejects.toThrow(/not present in the engine.*never pulls/);
    } finally {
      rmSync(missing, { recursive: true, force: true });
    }
  });
});
