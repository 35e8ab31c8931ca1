import { chmod, cp, mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseJournal } from "../../harness/audit/journal.js";
import { ensureBaseImage } from "../../harness/exec/base-image.js";
import {
  AUDIT_LABEL,
  CONTAINER_LABEL,
  DEADLINE_LABEL,
  PROBE_LABEL,
  RUN_LABEL,
} from "../../harness/exec/container-labels.js";
import { docker } from "../../harness/exec/engine.js";
import { ExecAbortedError, ExecResult, type ExecSpec } from "../../harness/exec/executor.js";
import { SwarmExecutor } from "../../harness/exec/swarm-executor.js";
import { reapServices } from "../../harness/exec/swarm-reap.js";
import { serviceSpec } from "../../harness/exec/swarm-service.js";
import type { Report } from "../../harness/report/schema.js";
import { parseReport } from "../../harness/report/serialize.js";
import { buildCli, runCliProcess } from "../support/cli.js";
import { dockerAvailable } from "../support/engine-available.js";
import { type ExtraEngine, copyImage, extraEngineUnavailable, startExtraEngine } from "../support/extra-engine.js";
import { type TestServer, startTestServer } from "../support/mlflow-server.js";
import { recordScenarioRun } from "../support/record-run.js";
import { type LocalRegistry, registryUnavailable, startRegistry } from "../support/registry.js";

// Everything that needs a real swarm, on ONE of each: a second dockerd made a swarm
// manager, Debian's registry on loopback, the base image copied from the project's
// engine to the manager and pushed by digest from there once. On it, in order: the
// swarm executor service by service; a worker dockerd joined and stopped under its
// task (a node that leaves mid-replay); then `repro-audit audit --executor swarm`
// end to end against `--executor docker` on scenarios/basic. One file, because each
// swarm + registry + push costs tens of seconds on these machines.

const FIXTURE = new URL("../fixtures/exec/isolation/", import.meta.url).pathname;
const MiB = 1024 ** 2;
const TEST_LABEL = "org.repro-audit.test";

describe.skipIf(!dockerAvailable || extraEngineUnavailable !== undefined || registryUnavailable !== undefined)(
  "a real swarm (one manager, one registry)",
  () => {
    const testId = `${process.pid}-${Date.now()}`;
    let engine: ExtraEngine;
    let registry: LocalRegistry;
    let exec: SwarmExecutor;
    let imageId = "";
    let code = "";
    let out = "";
    let server: Server;
    let port = 0;
    /** The e2e audit's MLflow server, recorded run and built CLI: made beside the swarm's setup, awaited by the e2e. */
    let e2eParts: Promise<{ mlflow: TestServer; runId: string }> | undefined;

    const spec = (over: Partial<ExecSpec> = {}): ExecSpec => ({
      image: imageId,
      command: ["python3", "-c", "print('hi')"],
      workdir: "/code",
      mounts: [
        { host: code, container: "/code", readOnly: true },
        { host: out, container: "/out", readOnly: false },
      ],
      env: {},
      network: "none",
      limits: { memoryBytes: 256 * MiB, nanoCpus: 1_000_000_000, pids: 64, timeoutMs: 30_000 },
      ...over,
    });

    /** Services and containers of this file still there (the engine is this file's own, but be exact). */
    async function leftovers(): Promise<{ services: number; containers: number }> {
      const label = [`${TEST_LABEL}=${testId}`];
      const services = await engine.client.listServices({ filters: { label } });
      const containers = await engine.client.listContainers({ all: true, filters: { label } });
      return { services: services.length, containers: containers.length };
    }

    beforeAll(async () => {
      const t0 = performance.now();
      // Not awaited here: the server, the recording and the build overlap the swarm's setup and first tests.
      e2eParts = (async () => {
        const build = buildCli("dist/harness/cli/commands/audit-action.js");
        const mlflow = await startTestServer({ shared: true });
        const runId = await recordScenarioRun(mlflow.url, ["--experiment", "audit-swarm", "--seed", "42"]);
        await build;
        return { mlflow, runId };
      })();
      e2eParts.catch(() => undefined);
      const base = ensureBaseImage();
      [engine, registry] = await Promise.all([startExtraEngine({ swarm: true }), startRegistry()]);
      imageId = (await base).imageId;
      await copyImage(docker(), engine.client, imageId);
      exec = new SwarmExecutor(registry.address, engine.client, { [TEST_LABEL]: testId });
      await exec.pin(imageId);
      code = await mkdtemp(join(tmpdir(), "ra-code-"));
      out = await mkdtemp(join(tmpdir(), "ra-out-"));
      await cp(FIXTURE, code, { recursive: true });
      await chmod(code, 0o755);
      await chmod(out, 0o777);
      server = createServer((s) => {
        s.on("error", () => undefined);
        s.end("hello\n");
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      port = (server.address() as { port: number }).port;
      console.log(`swarm + registry up, image copied and pushed in ${Math.round(performance.now() - t0)} ms`);
    });

    afterAll(async () => {
      await (await e2eParts?.catch(() => undefined))?.mlflow.stop();
      server?.close();
      await engine?.stop();
      await registry?.stop();
      if (code) await rm(code, { recursive: true, force: true });
      if (out) await rm(out, { recursive: true, force: true });
    });

    describe("SwarmExecutor, service by service", () => {
      it("pins the image by digest in the registry: the service names registry/repo@sha256, the result the image ID", async () => {
        const { ref, imageId: id } = await exec.pin(imageId);
        expect(id).toBe(imageId);
        expect(ref).toMatch(
          new RegExp(`^${registry.address.replace(/\./g, "\\.")}/repro-audit/replay@sha256:[0-9a-f]{64}$`),
        );
        const manifest = await fetch(
          `http://${registry.address}/v2/repro-audit/replay/manifests/${ref.split("@")[1] ?? ""}`,
          { headers: { Accept: "application/vnd.docker.distribution.manifest.v2+json" } },
        );
        expect(manifest.status).toBe(200);
        const config = ((await manifest.json()) as { config: { digest: string } }).config.digest;
        expect(config).toBe(imageId);
      });

      it("isolates as the docker executor: only lo, no route to the host, read-only root and code, uid 65534, no capabilities", async () => {
        const res = ExecResult.parse(
          await exec.run(
            spec({ command: ["python3", "probe_isolation.py", String(port)], env: { REPRO_TEST_VALUE: "passed-in" } }),
          ),
        );
        expect(res.stderrTail).toBe("");
        expect(res.exitCode).toBe(0);
        const probe = JSON.parse(res.stdoutTail) as Record<string, unknown>;
        expect(probe.interfaces).toEqual(["lo"]);
        expect(String(probe.connectHost)).toMatch(/^failed/);
        expect(probe.writeCode).toBe("errno 30");
        expect(probe.writeRoot).toBe("errno 30");
        expect(probe.writeTmp).toBe("ok");
        expect(probe.writeOut).toBe("ok");
        expect(probe.uid).toBe(65534);
        expect(probe.gid).toBe(65534);
        expect(probe.capEff).toBe("0000000000000000");
        expect(probe.env).toBe("passed-in");
        expect(probe.cwd).toBe("/code");
        expect(res).toMatchObject({ isolated: true, pinned: true, imageId, executor: "swarm", timedOut: false });
        expect(await readdir(out)).toContain("written-by-replay.txt");
        expect(await leftovers()).toEqual({ services: 0, containers: 0 });
      });

      it("a task that writes an output and exits 3 gives exit code 3, its stdout and stderr, and the file", async () => {
        const res = await exec.run(
          spec({
            command: { shell: "echo result > /out/result.txt; echo starting; echo 'boom: bad input' >&2; exit 3" },
          }),
        );
        expect(res.exitCode).toBe(3);
        expect(res.stdoutTail).toBe("starting\n");
        expect(res.stderrTail).toBe("boom: bad input\n");
        expect(res.oomKilled).toBe(false);
        expect(await readFile(join(out, "result.txt"), "utf8")).toBe("result\n");
        expect(await leftovers()).toEqual({ services: 0, containers: 0 });
      });

      it("removes the service at the deadline and reports a timeout, as the docker executor does", async () => {
        const t0 = Date.now();
        const res = await exec.run(spec({ command: ["sleep", "60"], limits: { ...spec().limits, timeoutMs: 1_500 } }));
        expect(res).toMatchObject({ timedOut: true, exitCode: null, signal: "SIGKILL", executor: "swarm" });
        expect(res.durationMs).toBeGreaterThanOrEqual(1_400);
        expect(Date.now() - t0).toBeLessThan(20_000);
        expect(await leftovers()).toEqual({ services: 0, containers: 0 });
      });

      it("reports an out-of-memory kill as such", async () => {
        const res = await exec.run(
          spec({
            command: ["python3", "-c", "x = b'\\x01' * (300 * 1024 * 1024); print(len(x))"],
            limits: { ...spec().limits, memoryBytes: 64 * MiB },
          }),
        );
        expect(res.oomKilled).toBe(true);
        expect(res.exitCode).not.toBe(0);
        expect(res.timedOut).toBe(false);
      });

      it("keeps only the tail of a large output", async () => {
        const res = await exec.run(
          spec({
            command: ["python3", "-c", "import sys\nfor i in range(20000): print(f'line {i:06d}')\nprint('THE END')"],
            outputLimitBytes: 1_000,
          }),
        );
        expect(res.exitCode).toBe(0);
        expect(res.stdoutTruncated).toBe(true);
        expect(Buffer.byteLength(res.stdoutTail)).toBeLessThanOrEqual(1_000);
        expect(res.stdoutTail.endsWith("line 019999\nTHE END\n")).toBe(true);
      });

      it("an abort (Ctrl-C) removes the service and rejects", async () => {
        const ctl = new AbortController();
        const p = exec.run(spec({ command: ["sleep", "60"] }), { signal: ctl.signal });
        setTimeout(() => ctl.abort(), 1_500);
        await expect(p).rejects.toBeInstanceOf(ExecAbortedError);
        expect(await leftovers()).toEqual({ services: 0, containers: 0 });
      });

      it("a task the swarm rejects is the infrastructure's failure (thrown, for the runner to retry), not an exit", async () => {
        const missing = join(out, "no-such-folder");
        const p = exec.run(spec({ mounts: [{ host: missing, container: "/code", readOnly: true }] }));
        await expect(p).rejects.toThrow(
          /the swarm ended the replay's task without a result \(task rejected: .*bind source path does not exist/,
        );
        expect(await leftovers()).toEqual({ services: 0, containers: 0 });
      });

      it("reaps this run's leftover services and anyone's overdue, never another run's or another audit's live ones", async () => {
        const { ref } = await exec.pin(imageId);
        // Services whose task no node may take: reaping reads only the services' labels, and a
        // container started for one would outlive its removal and count as a later test's leftover.
        const make = (name: string, now: number, labels: Record<string, string>) => {
          const opts = serviceSpec(spec({ command: ["sleep", "60"], labels }), {
            imageRef: ref,
            name,
            labels: { [TEST_LABEL]: testId },
            now,
          });
          return engine.client.createService({
            ...opts,
            TaskTemplate: { ...opts.TaskTemplate, Placement: { Constraints: ["node.labels.repro-audit-none==1"] } },
          });
        };
        const audit = (run: string) => ({ [AUDIT_LABEL]: "audit-a", [RUN_LABEL]: run });
        await make("ra-overdue", Date.now() - 3_600_000, { [AUDIT_LABEL]: "audit-b", [RUN_LABEL]: "r9" });
        await make("ra-this-run", Date.now(), audit("r1"));
        await make("ra-this-run-probe", Date.now(), { [PROBE_LABEL]: "audit-a", [RUN_LABEL]: "r1" });
        await make("ra-other-run", Date.now(), audit("r2"));
        await make("ra-other-audit", Date.now(), { [AUDIT_LABEL]: "audit-b", [RUN_LABEL]: "r1" });
        const removed = await reapServices(engine.client, { auditId: "audit-a", runId: "r1" });
        expect(removed.sort()).toEqual(["ra-overdue", "ra-this-run", "ra-this-run-probe"]);
        const left = await engine.client.listServices({ filters: { label: [`${CONTAINER_LABEL}=swarm`] } });
        expect(left.map((s) => s.Spec?.Name).sort()).toEqual(["ra-other-audit", "ra-other-run"]);
        expect(left.every((s) => Number(s.Spec?.Labels?.[DEADLINE_LABEL]) > Date.now())).toBe(true);
        // The audit alone (nothing of it may run): all of its services.
        expect(await reapServices(engine.client, { auditId: "audit-a" })).toEqual(["ra-other-run"]);
        for (const s of await engine.client.listServices({ filters: { label: [`${TEST_LABEL}=${testId}`] } }))
          await engine.client.getService(s.ID).remove();
        expect(await leftovers()).toEqual({ services: 0, containers: 0 });
      });
    });

    describe("a worker node that leaves mid-replay", () => {
      let worker: ExtraEngine | undefined;
      afterAll(async () => {
        await worker?.stop();
      });

      /** The manager's node: its ID and the spec to update it with (a node update must name its version). */
      const managerNode = async () => {
        const id = ((await engine.client.info()) as { Swarm: { NodeID: string } }).Swarm.NodeID;
        return engine.client.getNode(id);
      };
      const setAvailability = async (availability: "active" | "drain") => {
        const node = await managerNode();
        const view = (await node.inspect()) as { Version: { Index: number }; Spec: Record<string, unknown> };
        await node.update({
          _query: { version: view.Version.Index },
          _body: { ...view.Spec, Availability: availability },
        });
      };

      it("its task is the infrastructure's failure (thrown, for the runner to redo), not an exit; redone on the manager once active", async () => {
        const w = await startExtraEngine();
        worker = w;
        const swarm = (await engine.client.swarmInspect()) as { JoinTokens: { Worker: string } };
        const managerAddr = ((await engine.client.info()) as { Swarm: { RemoteManagers: { Addr: string }[] } }).Swarm
          .RemoteManagers[0]?.Addr;
        await w.client.swarmJoin({
          ListenAddr: `127.0.0.1:${20000 + Math.floor(Math.random() * 20000)}`,
          AdvertiseAddr: "127.0.0.1",
          RemoteAddrs: [managerAddr],
          JoinToken: swarm.JoinTokens.Worker,
        });
        const workerId = ((await w.client.info()) as { Swarm: { NodeID: string } }).Swarm.NodeID;
        for (let i = 0; ; i++) {
          const n = (await engine.client.getNode(workerId).inspect()) as { Status: { State: string } };
          if (n.Status.State === "ready") break;
          if (i > 100) throw new Error(`worker node not ready: ${n.Status.State}`);
          await new Promise((r) => setTimeout(r, 200));
        }
        console.log("worker joined and ready: draining the manager");
        await setAvailability("drain");
        try {
          // A deadline far beyond the test's: only the node's going may end this replay.
          const running = exec.run(
            spec({ command: ["sleep", "600"], limits: { ...spec().limits, timeoutMs: 900_000 } }),
          );
          running.catch(() => undefined);
          for (let i = 0; ; i++) {
            const services = await engine.client.listServices({ filters: { label: [`${TEST_LABEL}=${testId}`] } });
            const tasks = (
              services.length === 0
                ? []
                : await engine.client.listTasks({ filters: { service: services.map((s) => s.ID) } })
            ) as { NodeID?: string; Status?: { State?: string } }[];
            if (tasks.some((t) => t.NodeID === workerId && t.Status?.State === "running")) break;
            if (i > 300) throw new Error(`no task running on the worker: ${JSON.stringify(tasks)}`);
            await new Promise((r) => setTimeout(r, 200));
          }
          const t0 = performance.now();
          console.log("its task runs on the worker: stopping the worker's dockerd");
          await w.stop();
          worker = undefined;
          await expect(running).rejects.toThrow(
            /the node running the replay's task is (down|unknown|disconnected|gone)/,
          );
          const detectMs = performance.now() - t0;
          console.log(`worker stopped -> its replay thrown as infrastructure in ${Math.round(detectMs)} ms`);
          expect(detectMs).toBeLessThan(45_000);
          expect(await engine.client.listServices({ filters: { label: [`${TEST_LABEL}=${testId}`] } })).toEqual([]);
        } finally {
          await setAvailability("active");
        }
        // The runner's retry: the same replay again, now on the manager.
        const t1 = performance.now();
        const redone = await exec.run(spec({ command: { shell: "echo redone" } }));
        console.log(`redone on the manager in ${Math.round(performance.now() - t1)} ms`);
        expect(redone).toMatchObject({ exitCode: 0, stdoutTail: "redone\n", timedOut: false, executor: "swarm" });
        expect(await leftovers()).toEqual({ services: 0, containers: 0 });
        await engine.client.getNode(workerId).remove({ force: true });
      }, 90_000);
    });

    describe("repro-audit audit --executor swarm (CLI, real server), against --executor docker", () => {
      let mlflow: TestServer;
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
        if (e2eParts === undefined) throw new Error("the swarm's setup did not start the e2e's server");
        ({ mlflow, runId } = await e2eParts);
        results = mkdtempSync(join(tmpdir(), "repro-audit-swarm-e2e-"));
      }, 400_000);
      afterAll(async () => {
        if (results) rmSync(results, { recursive: true, force: true });
      });

      it("gives the same verdicts as the docker executor, from replays that ran as swarm services", async () => {
        const base: NodeJS.ProcessEnv = { ...process.env, MLFLOW_TRACKING_URI: mlflow.url };
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
    });
  },
);
