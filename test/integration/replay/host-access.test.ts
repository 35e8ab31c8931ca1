import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replayJob } from "../../../harness/audit/replay-pipeline.js";
import { docker } from "../../../harness/exec/engine.js";
import { ensureEnvImage } from "../../../harness/exec/env-image.js";
import { readCodeFolder, resolveEnvironment } from "../../../harness/plan/code-folder.js";
import { PlanError } from "../../../harness/plan/plan.js";
import { MlflowClient } from "../../../harness/tracking/client.js";
import { buildCli, runCliProcess } from "../../support/cli.js";
import { dockerAvailable as dockerOk } from "../../support/engine-available.js";
import { type TestServer, startTestServer } from "../../support/mlflow-server.js";
import { recordScenarioRun } from "../../support/record-run.js";

// A hostile MLproject (fixtures/host-access) whose docker_env mounts the host's /etc,
// /proc and the results folder and copies AWS_SECRET_ACCESS_KEY: refused before any
// replay runs. Allowed by name, a harmless folder and variable reach the replay, and
// nothing else does; /proc stays refused even when named.

const root = new URL("../../../", import.meta.url).pathname;
const basic = join(root, "scenarios/basic");
const fixture = join(root, "test/integration/replay/fixtures/host-access");
const IMAGE_REPO = "repro-audit-test/host-access";
const IMAGE_NAME = `${IMAGE_REPO}:1`;
const SECRET = "aws-secret-from-host-do-not-leak";
const AUDIT_EXPERIMENT = "host-access-replays";

interface Seen {
  env: string[];
  harmless: string | null;
  mounts: string[];
  marker: string | null;
  dataWritable: boolean | null;
}

describe.skipIf(!dockerOk)("docker_env host access is opt-in (real server, real engine)", () => {
  let server: TestServer;
  let client: MlflowClient;
  let engine: Docker;
  let tagged = false;
  // <base>/project (the MLproject, probe.py, train.py), <base>/results, <base>/harmless
  let base = "";
  let project = "";
  let results = "";
  let harmless = "";

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), "repro-audit-host-access-"));
    chmodSync(base, 0o755); // replays run as uid 65534
    project = join(base, "project");
    results = join(base, "results");
    harmless = join(base, "harmless");
    for (const d of [project, results, harmless]) mkdirSync(d, { mode: 0o755 });
    writeFileSync(join(harmless, "marker.txt"), "harmless-marker\n");
    chmodSync(harmless, 0o777); // writable by the replay's user, so only the read-only mount can stop a write
    cpSync(join(fixture, "probe.py"), join(project, "probe.py"));
    cpSync(join(basic, "train.py"), join(project, "train.py"));
    useMlproject("MLproject");

    engine = docker();
    const folder = readCodeFolder(basic);
    const env = resolveEnvironment(folder, "scenario");
    const built = await ensureEnvImage({
      requirements: env.requirements,
      ...(env.python ? { python: env.python } : {}),
      ignored: env.ignored ?? [],
      client: engine,
    });
    await engine.getImage(built.imageId).tag({ repo: IMAGE_REPO, tag: "1" });
    tagged = true;

    server = await startTestServer({ shared: true });
    client = new MlflowClient({ baseUrl: server.url });
    await buildCli("dist/harness/cli/main.js");
  }, 900_000); // a cold image build takes minutes on 2 cores
  afterAll(async () => {
    if (tagged)
      await engine
        .getImage(IMAGE_NAME)
        .remove({ noprune: true })
        .catch((e: Error) => console.warn(`could not remove ${IMAGE_NAME}: ${e.message}`));
    await server?.stop();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  function useMlproject(name: "MLproject" | "MLproject.allowed"): void {
    cpSync(join(fixture, name), join(project, "MLproject"));
  }

  const hostEnv = () => ({
    ...process.env,
    AWS_SECRET_ACCESS_KEY: SECRET,
    REPRO_HARMLESS: "harmless-value",
    REPRO_NOT_NAMED: "not-named",
  });

  async function record(): Promise<string> {
    return recordScenarioRun(server.url, [
      "--experiment",
      "host-access",
      "--train",
      join(project, "train.py"),
      "--tag",
      "mlflow.project.entryPoint=main",
    ]);
  }

  async function replayRunsOf(runId: string): Promise<number> {
    const exp = await client.getExperimentByName(AUDIT_EXPERIMENT);
    if (!exp) return 0;
    const runs = await client.searchRuns({
      experimentIds: [exp.experiment_id],
      filter: `tags.\`repro.replay_of\` = '${runId}'`,
    });
    return runs.length;
  }

  const job = (runId: string, more: { allowMounts?: string[]; allowEnv?: string[] } = {}) =>
    replayJob({
      runId,
      replays: 1,
      parallel: 1,
      executor: "docker",
      scenarioDir: project,
      resultsDir: results,
      trackingUri: server.url,
      client,
      auditExperiment: AUDIT_EXPERIMENT,
      trackingDataDirs: [server.dataDir],
      env: hostEnv(),
      ...more,
    });

  it("refuses the hostile docker_env by default, naming each entry and the flag, before any replay runs", async () => {
    useMlproject("MLproject");
    const runId = await record();
    const err = await job(runId).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PlanError);
    const message = (err as Error).message;
    expect(message).toMatch(/volume "\/etc:\/host\/etc".*never/);
    expect(message).toMatch(/volume "\/proc:\/host\/proc".*never/);
    expect(message).toMatch(new RegExp(`volume "\\.\\./results:/host/results": ${results}.*results folder.*never`));
    expect(message).toMatch(/environment "AWS_SECRET_ACCESS_KEY".*--allow-env AWS_SECRET_ACCESS_KEY/);
    expect(message).not.toContain(SECRET);
    expect(await replayRunsOf(runId)).toBe(0);
    expect(readdirSync(results)).toEqual([]); // no audit folder, no journal
  });

  it("still refuses /proc and the results folder when they are named with --allow-mount", async () => {
    useMlproject("MLproject");
    const runId = await record();
    const err = await job(runId, { allowMounts: ["/proc", "/etc", results], allowEnv: ["AWS_SECRET_ACCESS_KEY"] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PlanError);
    const message = (err as Error).message;
    expect(message).toMatch(/\/proc.*never mounted, even when named with --allow-mount/);
    expect(message).toMatch(/results folder.*never/);
    expect(await replayRunsOf(runId)).toBe(0);
  });

  it("with --allow-mount of a harmless folder and --allow-env of a harmless variable, the replay sees exactly those", async () => {
    useMlproject("MLproject.allowed");
    const runId = await record();
    const res = await job(runId, { allowMounts: [harmless], allowEnv: ["REPRO_HARMLESS"] });
    const r = res.summary.records[0];
    expect(r?.status, `${r?.failure?.message ?? ""}\n${r?.stderrTail ?? ""}`).toBe("finished");
    const seen = JSON.parse(
      readFileSync(join(res.auditDir, "replays", "0", "out", "host-access.json"), "utf8"),
    ) as Seen;
    expect(seen.harmless).toBe("harmless-value");
    expect(seen.env).toContain("REPRO_MARK");
    expect(seen.env).not.toContain("AWS_SECRET_ACCESS_KEY");
    expect(seen.env).not.toContain("REPRO_NOT_NAMED");
    // The host binds: the code, the replay's output folder, and the one allowed.
    // /repro/tracking is the replay's own sandbox tracking store, a fresh folder under its audit.
    expect(seen.mounts).toEqual(["/code", "/data", "/out", "/repro/tracking"]);
    expect(seen.marker).toBe("harmless-marker");
    expect(seen.dataWritable).toBe(false);
    expect(existsSync(join(harmless, "written-by-replay"))).toBe(false);
    // The plan says what was allowed.
    expect(res.plan.notes.join("\n")).toContain(`mounted read-only by --allow-mount ${harmless}`);
    expect(res.plan.notes.join("\n")).toContain("REPRO_HARMLESS copied from the host by --allow-env");
  }, 300_000);

  it("the CLI: exit 2 with the message; --allow-mount /proc --allow-env AWS_SECRET_ACCESS_KEY still refuses /proc", async () => {
    useMlproject("MLproject");
    const runId = await record();
    const args = [
      "replay",
      "--run",
      runId,
      "--scenario",
      project,
      "--replays",
      "1",
      "--results-dir",
      results,
      "--tracking-uri",
      server.url,
      "--audit-experiment",
      AUDIT_EXPERIMENT,
    ];
    const plain = await runCliProcess(args, hostEnv());
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(
      /repro-audit replay: bad input: the MLproject in .* asks docker_env for host access that is not allowed/,
    );
    expect(plain.stderr).toMatch(/--allow-env AWS_SECRET_ACCESS_KEY/);
    const named = await runCliProcess(
      [...args, "--allow-mount", "/proc", "--allow-env", "AWS_SECRET_ACCESS_KEY"],
      hostEnv(),
    );
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/\/proc is \/proc \(the host's processes\); it is never mounted/);
    expect(named.stderr).not.toMatch(/environment "AWS_SECRET_ACCESS_KEY"/); // allowed by name, unlike /proc
    expect(`${plain.stderr}${named.stderr}`).not.toContain(SECRET);
    expect(await replayRunsOf(runId)).toBe(0);
  }, 300_000);
});
