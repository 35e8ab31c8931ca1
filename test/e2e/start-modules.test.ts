import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli, cliEntry, projectDir } from "../support/cli.js";

// `--help` and option errors must not load the work's libraries: an engine client,
// host probes, the schema library, report renderers. Each would cost every command
// line, a CI gate's included, its import time (dockerode alone ~0.5 s). A module
// hook logs each package the CLI resolves; the run fails when a heavy one shows up.

const HEAVY = [
  "dockerode",
  "systeminformation",
  "zod",
  "execa",
  "cli-table3",
  "cli-progress",
  "yaml",
  "diff",
  "jsonpath-plus",
  "tar-fs",
  "playwright-core",
];

describe("what the CLI loads before a command runs (compiled CLI, real node)", () => {
  let dir: string;
  let hook: string;

  beforeAll(async () => {
    const build = buildCli("dist/harness/cli/main.js");
    dir = mkdtempSync(join(tmpdir(), "repro-audit-start-"));
    writeFileSync(
      join(dir, "hooks.mjs"),
      `export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  const m = r.url.match(/node_modules\\/((?:@[^/]+\\/)?[^/]+)/);
  if (m) process.stderr.write("LOADED " + m[1] + "\\n");
  return r;
}
`,
    );
    hook = join(dir, "register.mjs");
    writeFileSync(
      hook,
      `import { register } from "node:module";\nregister(${JSON.stringify(`file://${join(dir, "hooks.mjs")}`)});\n`,
    );
    await build;
  }, 200_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function packagesLoaded(args: string[]): Promise<string[]> {
    // A command that exits non-zero (an option error) still printed what it loaded.
    const r = await promisify(execFile)(process.execPath, ["--import", hook, cliEntry, ...args], {
      cwd: projectDir,
    }).catch((err: { stderr?: string }) => ({ stderr: err.stderr ?? "" }));
    return [...new Set([...r.stderr.matchAll(/^LOADED (\S+)$/gm)].map((m) => m[1] as string))].sort();
  }

  it.each([
    "--help",
    "audit --help",
    "replay --help",
    "trace --help",
    "server --help",
    "scan --help",
    "compare --help",
    "audit --replays 1e9",
  ])("`repro-audit %s` loads none of the heavy packages", async (line) => {
    const packages = await packagesLoaded(line.split(" "));
    expect(packages).toContain("commander");
    expect(packages.filter((p) => HEAVY.includes(p))).toEqual([]);
  });

  it("the hook does see a heavy package when a command really runs (the check can fail)", async () => {
    // server status reads the state file through its zod schema
    const packages = await packagesLoaded(["server", "status", "--data-dir", join(dir, "no-server")]);
    expect(packages).toContain("zod");
  });
});
