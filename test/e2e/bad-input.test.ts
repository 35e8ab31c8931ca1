import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli, type CliResult, runCliProcess } from "../support/cli.js";

// Bad flags, unusable results folders and a missing engine, as the user meets them:
// each is one line `repro-audit <command>: <kind>: <message>` on stderr, exit 2, no
// stack trace, and it comes before any work (the tracking URI here answers nothing,
// so a check that came after contacting it would hang in retries and time out).

const NOWHERE = "http://127.0.0.1:9";
let scratch: string;
let env: NodeJS.ProcessEnv;

const audit = (args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
  runCliProcess(
    [
      "audit",
      "--run",
      "0123456789abcdef",
      "--scenario",
      "scenarios/basic",
      "--results-dir",
      join(scratch, "results"),
      ...args,
    ],
    { ...env, ...extraEnv },
    30_000,
  );

function expectOneLine(r: CliResult, command: string, kind: string, ...parts: Array<string | RegExp>): void {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trim().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^repro-audit ${command}: ${kind}: `));
  for (const p of parts)
    expect(lines[0]).toMatch(typeof p === "string" ? new RegExp(p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) : p);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).not.toMatch(/"code":|ZodError/);
}

/** A tmpfs at a fresh folder (root only); undefined where mounting is not allowed. */
function mountTmpfs(options: string): string | undefined {
  const dir = mkdtempSync(join(scratch, "mnt-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir], { stdio: "ignore" });
    return dir;
  } catch {
    return undefined;
  }
}
const mounted: string[] = [];

describe("repro-audit: bounds and messages (CLI)", () => {
  beforeAll(async () => {
    await buildCli("dist/harness/cli/commands/audit-action.js");
    scratch = mkdtempSync(join(tmpdir(), "repro-audit-bad-input-"));
    env = { ...process.env, MLFLOW_TRACKING_URI: NOWHERE };
  }, 200_000);
  afterAll(() => {
    for (const m of mounted) {
      try {
        execFileSync("umount", [m], { stdio: "ignore" });
      } catch {
        // already gone
      }
    }
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it.each([
    [["--replays", "1e9"], "--replays", "from 1 to 1000", '"1e9"', "e.g. --replays 5"],
    [["--replays", "0"], "--replays", "from 1 to 1000", '"0"', "e.g. --replays 5"],
    [["--parallel", "500"], "--parallel", "from 1 to 64", '"500"', "e.g. --parallel 2"],
    [["--memory", "1"], "--memory", "from 16 to 1048576", "MiB", "e.g. --memory 2048"],
    [["--timeout", "0"], "--timeout", "from 1 to 604800", "seconds", "e.g. --timeout 600"],
    [["--timeout", "abc"], "--timeout", "from 1 to 604800", '"abc"', "e.g. --timeout 600"],
    [["--cpus", "0"], "--cpus", "from 0.01 to 1024", "e.g. --cpus 1.5"],
    [["--pids", "2"], "--pids", "from 16 to 1000000", "e.g. --pids 256"],
  ] as Array<[string[], ...string[]]>)(
    "%j is refused with the flag, its bounds and an example",
    async (args, ...parts) => {
      const r = await audit(args);
      expectOneLine(r, "audit", "bad input", ...parts);
    },
  );

  it("replay checks its flags the same way", async () => {
    const r = await runCliProcess(
      ["replay", "--run", "0123456789abcdef", "--scenario", "scenarios/basic", "--replays", "1e9"],
      env,
      30_000,
    );
    expectOneLine(r, "replay", "bad input", "--replays", "from 1 to 1000");
  });

  it("a results folder under /proc is refused at once (it used to spin at 100% CPU)", async () => {
    const r = await audit(["--results-dir", "/proc/repro-audit-results"]);
    expectOneLine(r, "audit", "bad input", "/proc/repro-audit-results", /not a writable filesystem \(proc\)/);
  });

  it("a results folder that is a file: not a directory", async () => {
    const file = join(scratch, "a-file");
    writeFileSync(file, "x");
    const r = await audit(["--results-dir", join(file, "results")]);
    expectOneLine(r, "audit", "bad input", file, "not a directory");
  });

  it("a read-only results folder says read-only, not ENOENT", async (ctx) => {
    const ro = mountTmpfs("ro,size=1m");
    if (ro === undefined) return ctx.skip();
    mounted.push(ro);
    const r = await audit(["--results-dir", join(ro, "results")]);
    expectOneLine(r, "audit", "bad input", join(ro, "results"), "read-only");
    expect(r.stderr).not.toContain("ENOENT");
  });

  it("a full results filesystem says there is no space", async (ctx) => {
    const full = mountTmpfs("size=256k");
    if (full === undefined) return ctx.skip();
    mounted.push(full);
    try {
      execFileSync("dd", ["if=/dev/zero", `of=${join(full, "fill")}`, "bs=4k"], { stdio: "ignore" });
    } catch {
      // dd stops with ENOSPC: the filesystem is full, as wanted
    }
    const r = await audit(["--results-dir", full]);
    expectOneLine(r, "audit", "bad input", full, "no space");
  });

  it("a DOCKER_HOST where no engine answers names Docker and DOCKER_HOST", async () => {
    const r = await audit([], { DOCKER_HOST: "unix:///nope.sock" });
    expectOneLine(r, "audit", "container engine unavailable", "Docker", "DOCKER_HOST", "unix:///nope.sock");
  });
});
