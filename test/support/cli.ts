import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { inject } from "vitest";

// The compiled CLI as a child process, as users and CI run it: real exit codes,
// real stdout/stderr, real signals.

export const projectDir = fileURLToPath(new URL("../..", import.meta.url));
export const cliEntry = `${projectDir}dist/harness/cli/main.js`;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Compiles the project (tsc emits even with type errors elsewhere) and checks `expected`
 * came out. Once per `vitest run`: a marker in dist/ holds the run's token
 * (test/support/global-setup.ts), and a later file finding it skips the compile.
 */
export async function buildCli(expected: string): Promise<void> {
  const token = inject("buildToken");
  if (readMarker() !== token) {
    await promisify(execFile)("npx", ["tsc", "-p", "tsconfig.json"], { cwd: projectDir, timeout: 170_000 }).catch(
      (err: unknown) => err,
    );
    writeFileSync(buildMarker, token);
  }
  if (!existsSync(`${projectDir}${expected}`)) throw new Error(`tsc did not produce ${expected}`);
}

const buildMarker = `${projectDir}dist/.test-build-token`;

function readMarker(): string | undefined {
  try {
    return readFileSync(buildMarker, "utf8");
  } catch {
    return undefined;
  }
}

export async function runCliProcess(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 300_000): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cliEntry, ...args], {
      env,
      cwd: projectDir,
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== "number") throw err;
    return { code: e.code, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

/** Starts the CLI and lets the test act on its output while it runs (e.g. send SIGINT). */
export function spawnCli(
  args: string[],
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; output: () => string; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [cliEntry, ...args], { env, cwd: projectDir });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
  return { child, output: () => stdout + stderr, done };
}
