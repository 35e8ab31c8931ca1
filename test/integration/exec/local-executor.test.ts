import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExecAbortedError, ExecResult, type ExecSpec } from "../../../harness/exec/executor.js";
import { LocalExecutor } from "../../../harness/exec/local-executor.js";

// Real processes on the host: the same contract as the docker executor, minus isolation.
describe("LocalExecutor contract", () => {
  const exec = new LocalExecutor();
  let code = "";
  let out = "";
  const spec = (over: Partial<ExecSpec> = {}): ExecSpec => ({
    command: ["sh", "-c", "echo hi"],
    workdir: "/code",
    mounts: [
      { host: code, container: "/code", readOnly: true },
      { host: out, container: "/out", readOnly: false },
    ],
    env: {},
    network: "none",
    limits: { memoryBytes: 256 * 1024 ** 2, nanoCpus: 1_000_000_000, pids: 64, timeoutMs: 20_000 },
    ...over,
  });

  beforeAll(async () => {
    code = await mkdtemp(join(tmpdir(), "ra-lcode-"));
    out = await mkdtemp(join(tmpdir(), "ra-lout-"));
    await writeFile(
      join(code, "train.py"),
      "import json, os, sys\njson.dump({'cwd': os.getcwd(), 'arg': sys.argv[1]}, open(os.environ['OUT_FILE'], 'w'))\nprint('done')\n",
    );
  });
  afterAll(async () => {
    await rm(code, { recursive: true, force: true });
    await rm(out, { recursive: true, force: true });
  });

  it("runs in the mapped workdir with container paths mapped to the host, and says it is not isolated or pinned", async () => {
    const res = ExecResult.parse(
      await exec.run(
        spec({ command: ["python3", "/code/train.py", "--x=/out/y"], env: { OUT_FILE: "/out/result.json" } }),
      ),
    );
    expect(res.stderrTail).toBe("");
    expect(res).toMatchObject({
      exitCode: 0,
      stdoutTail: "done\n",
      isolated: false,
      pinned: false,
      executor: "local",
      timedOut: false,
      oomKilled: false,
    });
    expect(res.imageId).toBeUndefined();
    const written = JSON.parse(await readFile(join(out, "result.json"), "utf8")) as { cwd: string; arg: string };
    expect(written).toEqual({ cwd: code, arg: `--x=${out}/y` });
  });

  it("passes only PATH, HOME, LANG and the spec's env, not the whole host environment", async () => {
    process.env.REPRO_AUDIT_TEST_SECRET = "must-not-leak";
    try {
      const res = await exec.run(spec({ command: ["env"], env: { MLFLOW_RUN_ID: "abc" } }));
      const names = res.stdoutTail
        .trim()
        .split("\n")
        .map((l) => l.split("=")[0]);
      expect(names).toContain("PATH");
      expect(names).toContain("MLFLOW_RUN_ID");
      expect(names).not.toContain("REPRO_AUDIT_TEST_SECRET");
      expect(names.every((n) => ["PATH", "HOME", "LANG", "MLFLOW_RUN_ID"].includes(n ?? ""))).toBe(true);
    } finally {
      delete process.env.REPRO_AUDIT_TEST_SECRET;
    }
  });

  it("kills the whole process group at the timeout and reports it", async () => {
    const t0 = Date.now();
    const res = await exec.run(
      spec({
        command: { shell: "sleep 60 & echo $! > /out/child.pid; wait" },
        limits: { ...spec().limits, timeoutMs: 1_000 },
      }),
    );
    expect(res.timedOut).toBe(true);
    expect(res.exitCode).toBeNull();
    expect(res.signal).toBe("SIGKILL");
    expect(Date.now() - t0).toBeLessThan(10_000);
    const childPid = Number.parseInt(await readFile(join(out, "child.pid"), "utf8"), 10);
    await sleep(200);
    // Gone, or a zombie waiting for a reaper (this machine's PID 1 may not reap): either way not running.
    const stat = await readFile(`/proc/${childPid}/stat`, "utf8").catch(() => "");
    expect(stat === "" || / Z /.test(stat)).toBe(true);
  });

  it("a failing script gives its exit code and stderr tail", async () => {
    const res = await exec.run(
      spec({ command: ["python3", "-c", "import sys; sys.stderr.write('bad things\\n'); sys.exit(4)"] }),
    );
    expect(res.exitCode).toBe(4);
    expect(res.stderrTail).toBe("bad things\n");
  });

  it("a missing command is exit 127 with the reason on stderr", async () => {
    const res = await exec.run(spec({ command: ["no-such-command-xyz"] }));
    expect(res.exitCode).toBe(127);
    expect(res.stderrTail).toMatch(/no-such-command-xyz/);
  });

  it("bounds captured output to the tail", async () => {
    const res = await exec.run(
      spec({ command: ["python3", "-c", "for i in range(50000): print(i)"], outputLimitBytes: 100 }),
    );
    expect(res.stdoutTruncated).toBe(true);
    expect(Buffer.byteLength(res.stdoutTail)).toBeLessThanOrEqual(100);
    expect(res.stdoutTail.endsWith("49998\n49999\n")).toBe(true);
  });

  it("an abort kills the process and rejects", async () => {
    const ctl = new AbortController();
    const p = exec.run(spec({ command: ["sleep", "60"] }), { signal: ctl.signal });
    setTimeout(() => ctl.abort(), 300);
    await expect(p).rejects.toBeInstanceOf(ExecAbortedError);
  });
});
