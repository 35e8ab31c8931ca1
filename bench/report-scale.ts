/**
 * Whether a large audit's report gets written, and at what cost: the whole process
 * (bench/report-scale-build.ts: build every run's entry, assemble, validate once,
 * render, write), its wall time and peak RSS, against the targets of issue 13:
 *
 *   histories:    100 runs × 10 replays × 20 metrics × 1000-step histories in ≤ 30 s and ≤ 1 GB
 *   no histories: 1000 runs × 10 replays × 20 metrics in ≤ 30 s and ≤ 1 GB
 *
 *   npm run build && node dist/bench/report-scale.js [--n 3] [--only histories|runs1000]
 *
 * Each target is run `--n` times, one process after another; prints the median and
 * min–max of wall time and peak RSS, the ratio of the median to the target, the
 * time spent generating the synthetic input (not the harness's work) and the sizes
 * written. Exits 1 when a median misses its target.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../harness/project-root.js";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const N = Number(arg("--n") ?? 3);
if (!Number.isInteger(N) || N < 1) throw new Error("--n must be a positive integer");
const only = arg("--only");

interface Target {
  name: string;
  shape: { runs: number; replays: number; metrics: number; steps: number };
  maxWallS: number;
  maxRssMb: number;
}
const TARGETS: Target[] = [
  { name: "histories", shape: { runs: 100, replays: 10, metrics: 20, steps: 1000 }, maxWallS: 30, maxRssMb: 1024 },
  { name: "runs1000", shape: { runs: 1000, replays: 10, metrics: 20, steps: 0 }, maxWallS: 30, maxRssMb: 1024 },
];
if (only !== undefined && !TARGETS.some((t) => t.name === only))
  throw new Error(`--only must be one of ${TARGETS.map((t) => t.name).join(", ")}`);

interface Sample {
  wallMs: number;
  generateMs: number;
  assembleMs: number;
  writeMs: number;
  maxRssMb: number;
  bytes: Record<string, number>;
  files: number;
}

const script = join(projectRoot(), "dist/bench/report-scale-build.js");
function runOnce(t: Target): { processMs: number; sample: Sample } {
  const out = mkdtempSync(join(tmpdir(), "report-scale-"));
  try {
    const args = Object.entries(t.shape).flatMap(([k, v]) => [`--${k}`, String(v)]);
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [script, ...args, "--out", out], { encoding: "utf8", maxBuffer: 1 << 20 });
    const processMs = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`report build (${t.name}) exited ${r.status}: ${r.stderr.slice(-2000)}`);
    return { processMs, sample: JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "") as Sample };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const stat = (xs: number[], digits = 1) =>
  `${median(xs).toFixed(digits)} [${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}]`;
const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

let missed = false;
for (const t of TARGETS.filter((x) => only === undefined || x.name === only)) {
  const s = t.shape;
  console.log(
    `[report-scale] ${t.name}: ${s.runs} runs × ${s.replays} replays × ${s.metrics} metrics × ${s.steps > 1 ? `${s.steps}-step histories` : "no histories"}, ${N} processes`,
  );
  const runs = Array.from({ length: N }, () => runOnce(t));
  const wall = runs.map((r) => r.processMs / 1000);
  const rss = runs.map((r) => r.sample.maxRssMb);
  const harness = runs.map((r) => (r.processMs - r.sample.generateMs) / 1000);
  const w = median(wall);
  const m = median(rss);
  console.log(
    `  whole process     ${stat(wall)} s   ratio to the ${t.maxWallS} s target ${(w / t.maxWallS).toFixed(2)}×`,
  );
  console.log(
    `  peak RSS          ${stat(rss, 0)} MB   ratio to the ${t.maxRssMb} MB target ${(m / t.maxRssMb).toFixed(2)}×`,
  );
  console.log(`  without generating the synthetic input  ${stat(harness)} s`);
  console.log(
    `  phases (median)   generate ${(median(runs.map((r) => r.sample.generateMs)) / 1000).toFixed(1)} s, score+assemble ${(median(runs.map((r) => r.sample.assembleMs)) / 1000).toFixed(1)} s, validate+render+write ${(median(runs.map((r) => r.sample.writeMs)) / 1000).toFixed(1)} s`,
  );
  const b = (runs[0] as { sample: Sample }).sample.bytes;
  console.log(
    `  written           report.json ${mib(b.json ?? 0)}, report.html ${mib(b.html ?? 0)}, report.md ${mib(b.markdown ?? 0)}, junit.xml ${mib(b.junit ?? 0)}, run parts ${mib(b.runParts ?? 0)} (largest run page ${mib(b.largestRunPage ?? 0)})`,
  );
  const ok = w <= t.maxWallS && m <= t.maxRssMb;
  console.log(
    `  target ${ok ? "met" : "MISSED"}: median ${w.toFixed(1)} s ≤ ${t.maxWallS} s and ${m.toFixed(0)} MB ≤ ${t.maxRssMb} MB`,
  );
  if (!ok) missed = true;
}
process.exitCode = missed ? 1 : 0;
