// What the whole-process benches share: flags, statistics over alternating samples,
// the machine's load (stated beside every figure: the machine is shared), and a run
// recorded with the real MLflow client on an embedded server of the bench's own.
import { loadavg } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { projectRoot } from "../harness/project-root.js";

export function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

export function positiveInt(name: string, fallback: number): number {
  const n = Number(arg(name) ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  return n;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** "6512 ms [6301-7020]": the median and the range. */
export function spread(xs: readonly number[]): string {
  return `${median(xs).toFixed(0)} ms [${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}]`;
}

/** The 1-minute load average, for the record: on a shared machine it decides how much the figures mean. */
export function load(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
}

/**
 * A and B alternately, n pairs, the order flipped every pair (A B, B A, ...), so a
 * trend in the machine's load falls on both sides alike.
 */
export async function alternate<T>(
  n: number,
  a: (i: number) => Promise<T>,
  b: (i: number) => Promise<T>,
): Promise<{ a: T[]; b: T[] }> {
  const out = { a: [] as T[], b: [] as T[] };
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      out.a.push(await a(i));
      out.b.push(await b(i));
    } else {
      out.b.push(await b(i));
      out.a.push(await a(i));
    }
    process.stderr.write(`pair ${i + 1}/${n} done (load ${load()})\n`);
  }
  return out;
}

/** A run of a bundled scenario recorded with the real MLflow client (test/python/record_scenario_run.py). */
export async function recordRun(trackingUri: string, args: readonly string[] = []): Promise<string> {
  const root = projectRoot();
  const recorded = await execa(join(root, ".venv/bin/python"), [
    join(root, "test/python/record_scenario_run.py"),
    "--tracking-uri",
    trackingUri,
    ...args,
  ]);
  return (JSON.parse(recorded.stdout.trim().split("\n").at(-1) ?? "{}") as { run_id: string }).run_id;
}

/** The CLI as a whole process (this build's, or `cli`: another build's main.js), timed; it must exit 0. */
export async function timedCli(
  args: readonly string[],
  env: Record<string, string | undefined>,
  cli = join(projectRoot(), "dist/harness/cli/main.js"),
): Promise<{ ms: number; stdout: string }> {
  const root = projectRoot();
  const t0 = performance.now();
  const r = await execa(process.execPath, [cli, ...args], {
    env,
    cwd: root,
    reject: false,
  });
  const ms = performance.now() - t0;
  if (r.exitCode !== 0) throw new Error(`repro-audit ${args[0]} exited ${r.exitCode}: ${r.stderr.slice(-800)}`);
  return { ms, stdout: r.stdout };
}
