/**
 * What the replay pool buys on a CPU-bound workload: one audit of one run with 2
 * replays at `--parallel 1` against the same at `--parallel 2` (issue 13, target:
 * ≥ 1.8× with 2 cores), scenarios/mlp (MLPClassifier on digits, one BLAS/OpenMP
 * thread per replay by threadpoolctl, each replay limited to 1 CPU), with more
 * epochs than its default so the replays, not the fixed work, dominate.
 *
 *   npm run build && node dist/bench/parallel.js [--n 3] [--epochs 200] [--replays 2]
 *
 * Whole processes (`repro-audit audit --run ID --scenario scenarios/mlp --replays 2
 * --parallel K`), alternating, the order flipped every pair, after one warm-up.
 * Prints medians with min-max of the whole process and of the replay phase (first
 * replay's start to last replay's end, from the journal), and the speedups
 * (parallel 1 / parallel 2), with the load average: the machine is shared.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { projectRoot } from "../harness/project-root.js";
import { startEmbeddedServer, stopEmbeddedServer } from "../harness/tracking/server/embedded-server.js";
import { alternate, arg, load, median, positiveInt, recordRun, spread, timedCli } from "./bench-support.js";

const N = positiveInt("--n", 3);
const EPOCHS = positiveInt("--epochs", 200);
const REPLAYS = positiveInt("--replays", 2);
const root = projectRoot();
const scenario = resolve(root, arg("--scenario") ?? "scenarios/mlp");
const work = mkdtempSync(join(tmpdir(), "repro-bench-parallel-"));
const dataDir = join(work, "mlflow");
const results = join(work, "results");

try {
  const loadBefore = load();
  const { state } = await startEmbeddedServer({ dataDir });
  const env = { ...process.env, MLFLOW_TRACKING_URI: state.url };
  const runId = await recordRun(state.url, [
    "--experiment",
    "mlp",
    "--train",
    join(scenario, "train.py"),
    "--param",
    `epochs=${EPOCHS}`,
  ]);

  const audit = async (parallel: number, label: string) => {
    const auditId = `bench-p${parallel}-${label}`;
    const { ms } = await timedCli(
      [
        "audit",
        "--run",
        runId,
        "--scenario",
        scenario,
        "--replays",
        String(REPLAYS),
        "--parallel",
        String(parallel),
        "--no-publish",
        "--audit-id",
        auditId,
        "--results-dir",
        results,
      ],
      env,
    );
    const replays = readFileSync(join(results, auditId, "runs", runId, "journal.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; status?: string; startedAt?: string; finishedAt?: string })
      .filter((r) => r.type === "replay");
    if (replays.length !== REPLAYS || replays.some((r) => r.status !== "finished"))
      throw new Error(`${auditId}: not every replay finished`);
    const start = Math.min(...replays.map((r) => Date.parse(r.startedAt ?? "")));
    const end = Math.max(...replays.map((r) => Date.parse(r.finishedAt ?? "")));
    return { ms, replayPhaseMs: end - start };
  };

  await audit(1, "warm");
  const { a: one, b: two } = await alternate(
    N,
    (i) => audit(1, String(i)),
    (i) => audit(2, String(i)),
  );
  const speedup = (pick: (x: { ms: number; replayPhaseMs: number }) => number) =>
    (median(one.map(pick)) / median(two.map(pick))).toFixed(2);
  console.log(
    `${REPLAYS} replays of ${scenario.replace(`${root}/`, "")} (epochs ${EPOCHS}), --parallel 1 vs 2, ${N} alternating pairs, ${cpus().length} host CPUs`,
  );
  console.log(
    `  whole process   parallel 1 ${spread(one.map((x) => x.ms))}   parallel 2 ${spread(two.map((x) => x.ms))}`,
  );
  console.log(
    `  replay phase    parallel 1 ${spread(one.map((x) => x.replayPhaseMs))}   parallel 2 ${spread(two.map((x) => x.replayPhaseMs))}`,
  );
  console.log(
    `  speedup: whole process ${speedup((x) => x.ms)}x, replay phase ${speedup((x) => x.replayPhaseMs)}x (target >= 1.8)`,
  );
  console.log(`  load average (1, 5, 15 min): before ${loadBefore}, after ${load()}`);
} finally {
  await stopEmbeddedServer(dataDir).catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
}
