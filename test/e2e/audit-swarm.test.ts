import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseJournal } from "../../harness/audit/journal.js";
import { ensureBaseImage } from "../../harness/exec/base-image.js";
import { CONTAINER_LABEL } from "../../harness/exec/container-labels.js";
import { docker } from "../../harness/exec/engine.js";
import type { Report } from "../../harness/report/schema.js";
import { parseReport } from "../../harness/report/serialize.js";
import { buildCli, runCliProcess } from "../support/cli.js";
import { dockerAvailable } from "../support/engine-available.js";
import { type ExtraEngine, copyImage, extraEngineUnavailable, startExtraEngine } from "../support/extra-engine.js";
import { type TestServer, startTestServer } from "../support/mlflow-server.js";
import { recordScenarioRun } from "../support/record-run.js";
import { type LocalRegistry, registryUnavailable, startRegistry } from "../support/registry.js";

// `repro-audit audit --executor swarm` end to end against `--executor docker`: the
// same recorded run of scenarios/basic audited twice, once in the project's engine,
// once as swarm jobs on a second, real dockerd that is a one-node swarm manager
// (DOCKER_HOST), its image pushed to Debian's registry on loopback. The report must
// give the same verdicts from the same bits in the same image.

describe.skipIf(!dockerAvailable || extraEngineUnavailable !== undefined || registryUnavailable !== undefined)(
  "repro-audit audit --executor swarm (CLI, real server, real swarm, real registry)",
  () => {
    let server: TestServer;
    let engine: ExtraEngine;
    let registry: LocalRegistry;
    let results: string;
    let runId: string;

    const audit = (auditId: string, executor: string, env: NodeJS.ProcessEnv, extra: string[] = []) =>
      runCliProcess(
        [
          "audit",
          "--run",
          runId,
          "--scenario",
          "scenarios/basic",
          "--results-dir",
          results,
          "--replays",
          "2",
          "--parallel",
          "1",
          "--executor",
          executor,
          "--audit-id",
          auditId,
          ...extra,
        ],
        env,
      );
    const readDoc = (auditId: string): Report => {
      const path = join(results, auditId, "report.json");
      return parseReport(readFileSync(path, "utf8"), path);
    };

    beforeAll(async () => {
      const build = buildCli("dist/harness/cli/commands/audit-action.js");
      [server, engine, registry] = await Promise.all([
        startTestServer({ shared: true }),
        startExtraEngine({ swarm: true }),
        startRegistry(),
      ]);
      results = mkdtempSync(join(tmpdir(), "repro-audit-swarm-e2e-"));
      runId = await recordScenarioRun(server.url, ["--experiment", "audit-swarm", "--seed", "42"]);
      await build;
    }, 400_000);
    afterAll(async () => {
      await server?.stop();
      await engine?.stop();
      await registry?.stop();
      if (results) rmSync(results, { recursive: true, force: true });
    });

    it("gives the same verdicts as the docker executor, from replays that ran as swarm services", async () => {
      const base: NodeJS.ProcessEnv = { ...process.env, MLFLOW_TRACKING_URI: server.url };
      delete base["MLFLOW_TRACKING_TOKEN"];
      delete base["DOCKER_HOST"];
      const local = await audit("swarm-e2e-docker", "docker", base);
      expect(local.stderr).not.toMatch(/repro-audit audit: /);
      expect(local.code).toBe(0);
      const docDocker = readDoc("swarm-e2e-docker");
      const imageId = docDocker.runs[0]?.image.id ?? "";
      expect(imageId).toMatch(/^sha256:/);

      // The manager's engine gets the base and the env image by their tags (as a build there
      // would make them), so the swarm audit finds the same image cached instead of building it.
      const tags = [(await ensureBaseImage()).tag, ...((await docker().getImage(imageId).inspect()).RepoTags ?? [])];
      for (const tag of tags) await copyImage(docker(), engine.client, tag);

      const t0 = performance.now();
      // The manager by DOCKER_HOST, the registry by --registry (REPRO_AUDIT_REGISTRY's spelling on the command line).
      const swarm = await audit("swarm-e2e-swarm", "swarm", { ...base, DOCKER_HOST: engine.host }, [
        "--registry",
        registry.address,
      ]);
      console.log(`swarm audit of 1 run x 2 replays: ${Math.round(performance.now() - t0)} ms`);
      expect(swarm.stderr).not.toMatch(/repro-audit audit: /);
      expect(swarm.code).toBe(0);
      const docSwarm = readDoc("swarm-e2e-swarm");

      const verdicts = (doc: Report) =>
        doc.runs.map((r) => ({
          verdict: r.score.verdict,
          metrics: r.metrics.map((m) => [m.name, m.verdict, m.replays]),
          artifacts: r.artifacts.map((a) => [a.path, a.identical]),
          replays: r.replays.map((x) => [x.status, x.isolated, x.pinned]),
          image: r.image.id,
        }));
      expect(verdicts(docSwarm)).toEqual(verdicts(docDocker));
      expect(docSwarm.runs[0]?.score.verdict).toBe("reproduced");

      // They really ran in the swarm: journaled as its replays, and no service or container left.
      const journal = parseJournal(
        readFileSync(join(results, "swarm-e2e-swarm", "runs", runId, "journal.jsonl"), "utf8"),
      );
      expect([...journal.replays.values()].map((r) => [r.executor, r.imageId])).toEqual([
        ["swarm", imageId],
        ["swarm", imageId],
      ]);
      expect(journal.environment?.executor).toBe("swarm");
      expect(journal.environment?.container?.python.version).toMatch(/^3\./);
      expect(await engine.client.listServices({ filters: { label: [CONTAINER_LABEL] } })).toEqual([]);
      expect(await engine.client.listContainers({ all: true, filters: { label: [CONTAINER_LABEL] } })).toEqual([]);
    }, 400_000);
  },
);
