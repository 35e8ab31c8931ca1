/**
 * How long drift scoring takes for a large audit: 100 runs × 10 replays ×
 * 20 metrics, each metric with a 1000-step history.
 *
 *   npm run build && node dist/bench/drift-scoring.js [--runs 100] [--replays 10] [--metrics 20] [--steps 1000] [--repeat 3]
 *
 * Data come from a seeded PRNG (synthetic-audit.ts), one run at a time (the whole audit as objects
 * would be ~22M history points). Only scoreRun is timed. The baseline, timed on
 * the same data in the same process, is a naive loop that only sums every
 * value scoring has to read: the ratio says how much the statistics, ULP
 * arithmetic, alignment and sentences cost on top of touching the data once.
 */
import { performance } from "node:perf_hooks";
import { scoreAudit, scoreRun, type ScoreRunInput } from "../harness/drift/score.js";
import { type AuditShape, syntheticScoringInput } from "./synthetic-audit.js";

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

const SHAPE: AuditShape = { runs: RUNS, replays: REPLAYS, metrics: METRICS, steps: STEPS };
const makeRun = (runIndex: number): ScoreRunInput => syntheticScoringInput(runIndex, SHAPE);

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
