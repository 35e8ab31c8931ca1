/**
 * One whole report build, as an audit does it after its replays: each run's facts
 * (synthetic-audit.ts, one run at a time, dropped once assembled), assembleRun,
 * assembleReport, writeReport. Run by bench/report-scale.ts as its own process so
 * its wall time and peak RSS are the whole process's; prints one JSON line.
 *
 *   node dist/bench/report-scale-build.js --runs 100 --replays 10 --metrics 20 --steps 1000 --out DIR
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { assembleReport } from "../harness/audit/assemble-report.js";
import { assembleRun } from "../harness/audit/assemble-run.js";
import { DEFAULT_POLICY } from "../harness/drift/tolerance.js";
import type { ReportRun } from "../harness/report/schema.js";
import { writeReport } from "../harness/report/write.js";
import { type AuditShape, syntheticRunFacts } from "./synthetic-audit.js";

const t0 = performance.now();
function arg(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (v === undefined) throw new Error(`--${name} is required`);
  return v;
}
const count = (name: string): number => {
  const v = Number(arg(name));
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} must be a non-negative integer`);
  return v;
};
const shape: AuditShape = {
  runs: count("runs"),
  replays: count("replays"),
  metrics: count("metrics"),
  steps: count("steps"),
};
const out = arg("out");

let generateMs = 0;
const runs: ReportRun[] = [];
for (let i = 0; i < shape.runs; i++) {
  const g = performance.now();
  const facts = syntheticRunFacts(i, shape);
  generateMs += performance.now() - g;
  runs.push(assembleRun(facts));
}
const doc = assembleReport(
  {
    auditId: "report-scale",
    createdAt: new Date("2026-12-03T12:00:00Z"),
    harnessVersion: "bench",
    nodeVersion: process.version,
    inputs: {
      trackingUri: "http://127.0.0.1:5000",
      selection: { experiment: "synthetic" },
      replays: shape.replays,
      parallel: 1,
      executor: "docker",
      tolerance: DEFAULT_POLICY,
    },
  },
  runs,
);
const tWrite = performance.now();
const paths = await writeReport(doc, out);
const tEnd = performance.now();

const size = (p: string) => statSync(p).size;
let partBytes = 0;
let largestPage = 0;
for (const r of paths.runs) {
  partBytes += size(r.json) + size(r.html);
  largestPage = Math.max(largestPage, size(r.html));
}
console.log(
  JSON.stringify({
    wallMs: tEnd - t0,
    generateMs,
    assembleMs: tWrite - t0 - generateMs,
    writeMs: tEnd - tWrite,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    bytes: {
      json: size(paths.json),
      html: size(paths.html),
      markdown: size(paths.markdown),
      junit: size(paths.junit),
      runParts: partBytes,
      largestRunPage: largestPage,
    },
    files: readdirSync(join(paths.dir, "runs")).length,
  }),
);
