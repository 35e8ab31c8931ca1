import { chmod, cp, mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBaseImage } from "../../../harness/exec/base-image.js";
import {
  AUDIT_LABEL,
  CONTAINER_LABEL,
  DEADLINE_LABEL,
  PROBE_LABEL,
  RUN_LABEL,
} from "../../../harness/exec/container-labels.js";
import { docker } from "../../../harness/exec/engine.js";
import { ExecAbortedError, ExecResult, type ExecSpec } from "../../../harness/exec/executor.js";
import { SwarmExecutor } from "../../../harness/exec/swarm-executor.js";
import { reapServices } from "../../../harness/exec/swarm-reap.js";
import { serviceSpec } from "../../../harness/exec/swarm-service.js";
import { dockerAvailable } from "../../support/engine-available.js";
import { type ExtraEngine, copyImage, extraEngineUnavailable, startExtraEngine } from "../../support/extra-engine.js";
import { type LocalRegistry, registryUnavailable, startRegistry } from "../../support/registry.js";

// The swarm executor on a real swarm: a second dockerd made a one-node swarm manager,
// Debian's registry on loopback, the base image copied from the project's engine to
// the manager and pushed by digest from there. Every execution is a real service.

const FIXTURE = new URL("../../fixtures/exec/isolation/", import.meta.url).pathname;
const MiB = 1024 ** 2;
const TEST_LABEL = "org.repro-audit.test";

describe.skipIf(!dockerAvailable || extraEngineUnavailable !== undefined || registryUnavailable !== undefined)(
  "SwarmExecutor (real one-node swarm, real registry)",
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
      server?.close();
      await engine?.stop();
      await registry?.stop();
      if (code) await rm(code, { recursive: true, force: true });
      if (out) await rm(out, { recursive: true, force: true });
    });

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
      const make = (name: string, now: number, labels: Record<string, string>) =>
        engine.client.createService(
          serviceSpec(spec({ command: ["sleep", "60"], labels }), {
            imageRef: ref,
            name,
            labels: { [TEST_LABEL]: testId },
            now,
          }),
        );
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
    });
  },
);
