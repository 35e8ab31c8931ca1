/**
 * What a command line costs before any work: `repro-audit --help` (and `audit --help`)
 * against `node -e 0`, both whole processes, alternating A B A B so machine drift
 * hits both alike. Target (issue 13): `--help` ≤ 2× `node -e 0`.
 *
 *   npm run build && node dist/bench/cli-start.js [--n 21]
 *
 * Prints per command the median, min and max wall time in ms, and the ratio of the
 * medians against the baseline.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { projectRoot } from "../harness/project-root.js";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const N = Number(arg("--n") ?? 21);
if (!Number.isInteger(N) || N < 1) throw new Error("--n must be a positive integer");

const cli = join(projectRoot(), "dist/harness/cli/main.js");
const arms: Record<string, string[]> = {
  "node -e 0": ["-e", "0"],
  "repro-audit --help": [cli, "--help"],
  "repro-audit audit --help": [cli, "audit", "--help"],
};

function timeOnce(args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: "ignore" });
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const times: Record<string, number[]> = Object.fromEntries(Object.keys(arms).map((k) => [k, []]));
for (let i = 0; i < N; i++) {
  // The order turns every round, so no arm always runs right after another.
  const names = Object.keys(arms);
  for (let j = 0; j < names.length; j++) {
    const name = names[(i + j) % names.length] as string;
    times[name]?.push(timeOnce(arms[name] as string[]));
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const base = median(times["node -e 0"] ?? []);
console.log(`cli start, ${N} rounds, whole process (ms): median [min-max], ratio to node -e 0`);
for (const [name, xs] of Object.entries(times)) {
  const m = median(xs);
  console.log(
    `  ${name.padEnd(26)} ${m.toFixed(0).padStart(5)} [${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}]  ${(m / base).toFixed(2)}×`,
  );
}
