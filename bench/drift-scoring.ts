/**
 * How long drift scoring takes for a large audit: 100 runs × 10 replays ×
 * 20 metrics, each metric with a 1000-step history.
 *
 *   npm run build && node dist/bench/drift-scoring.js [--runs 100] [--replays 10] [--metrics 20] [--steps 1000] [--repeat 3]
 *
 * Data come from a seeded PRNG, one run at a time (the whole audit as objects
 * would be ~22M history points). Only scoreRun is timed. The baseline, timed on
 * the same data in the same process, is a naive loop that only sums every
 * value scoring has to read: the ratio says how much the statistics, ULP
 * arithmetic, alignment and sentences cost on top of touching the data once.
 */
import { performance } from "node:perf_hooks";
import { scoreAudit, scoreRun, type ScoreRunInput } from "../harness/drift/score.js";
import type { ExecutionRecord, ReplayRecord } from "../harness/drift/schema.js";
import { DEFAULT_POLICY } from "../harness/drift/tolerance.js";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer`);
  return v;
}

const RUNS = arg("runs", 100);
const REPLAYS = arg("replays", 10);
const METRICS = arg("metrics", 20);
const STEPS = arg("steps", 1000);
const REPEAT = arg("repeat", 3);

/** mulberry32: small, fast, and the same sequence on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Metric k of a run behaves like one of four kinds, so every verdict path runs:
 * bit-identical, rounding noise (equivalent), seed noise (varies / not
 * reproduced), and a NaN now and then.
 */
function makeRun(runIndex: number): ScoreRunInput {
  const rand = prng(0x5eed + runIndex);
  const noise = (k: number): number => {
    switch (k % 4) {
      case 0:
        return 0;
      case 1:
        return (rand() - 0.5) * 1e-15;
      case 2:
        return (rand() - 0.5) * 1e-2;
      default:
        return rand() < 0.01 ? Number.NaN : (rand() - 0.5) * 1e-3;
    }
  };
  const centres = Array.from({ length: METRICS }, () => 0.5 + rand());
  const record = (): ExecutionRecord => {
    const metrics: Record<string, number> = {};
    const histories: Record<string, Array<{ step: number; value: number }>> = {};
    const artifacts: Record<string, string> = { "model.pkl": rand() < 0.5 ? "a".repeat(64) : "b".repeat(64) };
    for (let k = 0; k < METRICS; k++) {
      const c = centres[k] as number;
      const name = `metric_${k}`;
      const hist = new Array<{ step: number; value: number }>(STEPS);
      for (let s = 0; s < STEPS; s++) hist[s] = { step: s, value: c * (1 + 1 / (s + 1)) * (1 + noise(k)) };
      histories[name] = hist;
      metrics[name] = c * (1 + noise(k));
    }
    return { metrics, histories, artifacts };
  };
  const original = record();
  const replays: ReplayRecord[] = Array.from({ length: REPLAYS }, () => ({ ok: rand() > 0.02, ...record() }));
  return { runId: `run-${runIndex}`, original, replays, policy: DEFAULT_POLICY };
}

/** The baseline: read every value scoring reads, and add them up. */
function naiveSum(input: ScoreRunInput): number {
  let acc = 0;
  for (const rec of [input.original, ...input.replays]) {
    for (const v of Object.values(rec.metrics)) acc += v;
    for (const h of Object.values(rec.histories ?? {})) for (const p of h) acc += p.value + p.step;
  }
  return acc;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

const totals: number[] = [];
const baselines: number[] = [];
let sink = 0;
let verdicts = "";
for (let rep = 0; rep < REPEAT; rep++) {
  let scoring = 0;
  let baseline = 0;
  const scores = [];
  for (let r = 0; r < RUNS; r++) {
    const input = makeRun(r);
    let t0 = performance.now();
    sink += naiveSum(input);
    baseline += performance.now() - t0;
    t0 = performance.now();
    scores.push(scoreRun(input));
    scoring += performance.now() - t0;
  }
  const audit = scoreAudit(scores);
  totals.push(scoring);
  baselines.push(baseline);
  const counts = { identical: 0, equivalent: 0, varies: 0, inconclusive: 0, not_reproduced: 0, failed: 0 };
  for (const s of scores) for (const m of s.metrics) counts[m.verdict]++;
  verdicts = `audit score ${audit.score?.toFixed(3) ?? "none"}; metric verdicts ${JSON.stringify(counts)}`;
}

const total = median(totals);
const base = median(baselines);
console.log(
  `drift scoring: ${RUNS} runs × ${REPLAYS} replays × ${METRICS} metrics × ${STEPS}-step histories (${REPEAT} repeats, median)`,
);
console.log(`  scoring total   ${total.toFixed(1)} ms  (runs: ${totals.map((t) => t.toFixed(0)).join(", ")} ms)`);
console.log(`  per run         ${(total / RUNS).toFixed(2)} ms`);
console.log(`  baseline (sum)  ${base.toFixed(1)} ms`);
console.log(`  ratio           ${(total / base).toFixed(1)}× the naive sum over the same values`);
console.log(`  ${verdicts}`);
if (Number.isNaN(sink) && sink === 0) console.log(""); // keeps the baseline's result alive
