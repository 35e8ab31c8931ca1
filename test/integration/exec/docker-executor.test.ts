import { chmod, cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBaseImage } from "../../../harness/exec/base-image.js";
import { CONTAINER_LABEL } from "../../../harness/exec/container-labels.js";
import { DockerExecutor } from "../../../harness/exec/docker-executor.js";
import { docker } from "../../../harness/exec/engine.js";
import { ExecAbortedError, ExecResult, type ExecSpec } from "../../../harness/exec/executor.js";
import { dockerAvailable } from "../../support/engine-available.js";

const FIXTURE = new URL("../../fixtures/exec/isolation/", import.meta.url).pathname;
const MiB = 1024 ** 2;

describe.skipIf(!dockerAvailable)("DockerExecutor (real engine)", () => {
  // A label unique to this file, so containers of other concurrent users of the engine don't count.
  const runLabel = `org.repro-audit.test=${process.pid}-${Date.now()}`;
  const exec = new DockerExecutor(docker(), { "org.repro-audit.test": runLabel.split("=")[1] ?? "" });
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

  async function leftoverContainers(): Promise<number> {
    return (await docker().listContainers({ all: true, filters: { label: [CONTAINER_LABEL, runLabel] } })).length;
  }

  beforeAll(async () => {
    imageId = (await ensureBaseImage()).imageId;
    code = await mkdtemp(join(tmpdir(), "ra-code-"));
    out = await mkdtemp(join(tmpdir(), "ra-out-"));
    await cp(FIXTURE, code, { recursive: true });
    // The replay runs as nobody: it must read the code and write the output dir, nothing more.
    await chmod(code, 0o755);
    await chmod(out, 0o777);
    // The probe in the container may reset the connection after reading; that is not a test failure.
    server = createServer((s) => {
      s.on("error", () => undefined);
      s.end("hello\n");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as { port: number }).port;
  });

  afterAll(async () => {
    server?.close();
    if (code) await rm(code, { recursive: true, force: true });
    if (out) await rm(out, { recursive: true, force: true });
  });

  it("isolates by default: only lo, no route to the host, read-only code and root, uid 65534, no capabilities", async () => {
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
    expect(probe.writeCode).toBe("errno 30"); // EROFS
    expect(probe.writeRoot).toBe("errno 30");
    expect(probe.writeTmp).toBe("ok");
    expect(probe.writeOut).toBe("ok");
    expect(probe.uid).toBe(65534);
    expect(probe.gid).toBe(65534);
    expect(probe.capEff).toBe("0000000000000000");
    expect(probe.env).toBe("passed-in");
    expect(probe.cwd).toBe("/code");
    expect(res).toMatchObject({
      isolated: true,
      pinned: true,
      imageId,
      executor: "docker",
      oomKilled: false,
      timedOut: false,
    });
    expect(await readdir(out)).toContain("written-by-replay.txt");
    expect(await leftoverContainers()).toBe(0);
  });

  it("host networking reaches a loopback server (the control that shows the probe can see a network)", async () => {
    const res = await exec.run(spec({ network: "host", command: ["python3", "probe_isolation.py", String(port)] }));
    expect(res.exitCode).toBe(0);
    const probe = JSON.parse(res.stdoutTail) as Record<string, unknown>;
    expect(probe.connectHost).toBe("connected");
    expect((probe.interfaces as string[]).length).toBeGreaterThan(1);
    expect(probe.uid).toBe(65534);
  });

  it("kills at the wall-clock timeout and reports it", async () => {
    const t0 = Date.now();
    const res = await exec.run(spec({ command: ["sleep", "60"], limits: { ...spec().limits, timeoutMs: 1_500 } }));
    expect(res.timedOut).toBe(true);
    expect(res.exitCode).toBeNull();
    expect(res.signal).toBe("SIGKILL");
    expect(res.durationMs).toBeGreaterThanOrEqual(1_400);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(await leftoverContainers()).toBe(0);
  });

  it("a watchdog whose sleep dies early (killed on the host, a fork that failed) does not kill the replay", async () => {
    // An odd deadline, so the watchdog's `sleep 57` is this test's and no one else's.
    const run = exec.run(
      spec({
        command: ["python3", "-c", "import time; time.sleep(4); print('done')"],
        limits: { ...spec().limits, timeoutMs: 47_000 },
      }),
    );
    let killed = 1;
    for (let i = 0; i < 40 && killed !== 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      killed = (await execa("pkill", ["-x", "-f", "sleep 57"], { reject: false })).exitCode ?? 1;
    }
    expect(killed, "the watchdog's sleep was found and killed from the host").toBe(0);
    const res = await run;
    expect(res.exitCode).toBe(0);
    expect(res.stdoutTail.trim()).toBe("done");
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
    expect(res.stdoutTail).toBe("");
  });

  it("a failing script gives its exit code and stderr tail", async () => {
    const res = await exec.run(
      spec({
        command: {
          shell: "echo starting; python3 -c 'import sys; print(\"boom: bad input\", file=sys.stderr); sys.exit(3)'",
        },
      }),
    );
    expect(res.exitCode).toBe(3);
    expect(res.stdoutTail).toBe("starting\n");
    expect(res.stderrTail).toContain("boom: bad input");
    expect(res.oomKilled).toBe(false);
  });

  it("a workload's own failure is its own; one the engine ended (docker stop, a shutdown) says so", async () => {
    const own = await exec.run(spec({ command: { shell: "exit 143" } }));
    expect(own.exitCode).toBe(143);
    expect(own.stoppedBy).toBeUndefined();
    // Stopped from outside, as an engine shutting down stops its containers (SIGTERM, exit 143).
    const running = exec.run(spec({ command: ["sleep", "30"] }));
    let id: string | undefined;
    for (let i = 0; i < 100 && id === undefined; i++) {
      await new Promise((r) => setTimeout(r, 100));
      id = (await docker().listContainers({ filters: { label: [runLabel] } }))[0]?.Id;
    }
    await docker()
      .getContainer(id ?? "none")
      .stop({ t: 1 });
    const stopped = await running;
    expect(stopped.exitCode).not.toBe(0);
    expect(stopped.stoppedBy).toMatch(/^the engine killed the container with signal 15/);
  });

  it("a missing command gives a non-zero exit and says why on stderr", async () => {
    const res = await exec.run(spec({ command: ["no-such-command-xyz", "--flag"] }));
    expect(res.exitCode).not.toBe(0);
    expect(res.exitCode).not.toBeNull();
    expect(res.stderrTail).toMatch(/no-such-command-xyz/);
    console.log(`missing command -> exit ${res.exitCode}, stderr: ${res.stderrTail.trim()}`);
    expect(await leftoverContainers()).toBe(0);
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
    expect(res.stderrTruncated).toBe(false);
    expect(Buffer.byteLength(res.stdoutTail)).toBeLessThanOrEqual(1_000);
    expect(res.stdoutTail.endsWith("line 019999\nTHE END\n")).toBe(true);
  });

  it("streams output chunks to onOutput as they come", async () => {
    const seen: string[] = [];
    const res = await exec.run(spec({ command: { shell: "echo out-line; echo err-line >&2" } }), {
      onOutput: (stream, chunk) => seen.push(`${stream}:${chunk.toString().trim()}`),
    });
    expect(res.exitCode).toBe(0);
    expect(seen.sort()).toEqual(["stderr:err-line", "stdout:out-line"]);
  });

  it("an abort (Ctrl-C) stops and removes the container and rejects", async () => {
    const ctl = new AbortController();
    const p = exec.run(spec({ command: ["sleep", "60"] }), { signal: ctl.signal });
    setTimeout(() => ctl.abort(), 1_000);
    const t0 = Date.now();
    await expect(p).rejects.toBeInstanceOf(ExecAbortedError);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(await leftoverContainers()).toBe(0);
  });

  it("refuses an image the engine does not have instead of pulling", async () => {
    await expect(exec.run(spec({ image: "repro-audit/does-not-exist:nope" }))).rejects.toThrow(/never pulls/);
  });
});
