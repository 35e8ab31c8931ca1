/**
 * What sealing costs per replay: the current CLI (network none, a sandbox file
 * store imported by the harness afterwards) against a build of the design before
 * it (host network, the workload logging straight into the real server), both as
 * whole processes, alternating, on one embedded MLflow server and one env image.
 *
 *   npm run build && node dist/bench/sealed-overhead.js --baseline-cli DIR/dist/harness/cli/main.js [--n 7]
 *
 * The baseline is any other build of the CLI; bench/README.md says how to make the
 * pre-sealing one (a worktree at the commit before sealing, `npx tsc`). Each pair
 * runs `replay --run ID --scenario scenarios/basic --replays 1 --json` once with
 * each CLI, the order flipped every pair. Prints medians of the whole process and
 * of the replay's journaled wallMs (execution plus, for the sealed design, reading
 * and importing the sandbox), and the ratios current / baseline.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { projectRoot } from "../harness/project-root.js";
import { startEmbeddedServer, stopEmbeddedServer } from "../harness/tracking/server/embedded-server.js";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const N = Number(arg("--n") ?? 7);
const baselineCli = arg("--baseline-cli");
if (!Number.isInteger(N) || N < 1) throw new Error("--n must be a positive integer");
if (!baselineCli)
  throw new Error("--baseline-cli PATH is required: the main.js of another build of the CLI (see bench/README.md)");

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

const root = projectRoot();
const currentCli = join(root, "dist/harness/cli/main.js");
const work = mkdtempSync(join(tmpdir(), "repro-bench-sealed-"));
const dataDir = join(work, "mlflow");

try {
  const { state } = await startEmbeddedServer({ dataDir });
  const env = { ...process.env, MLFLOW_TRACKING_URI: state.url };
  const recorded = await execa(join(root, ".venv/bin/python"), [
    join(root, "test/python/record_scenario_run.py"),
    "--tracking-uri",
    state.url,
  ]);
  const runId = (JSON.parse(recorded.stdout.trim().split("\n").at(-1) ?? "{}") as { run_id: string }).run_id;

  const once = async (cli: string, label: string, i: number) => {
    const t0 = performance.now();
    const r = await execa(
      process.execPath,
      [
        cli,
        "replay",
        "--run",
        runId,
        "--scenario",
        join(root, "scenarios/basic"),
        "--replays",
        "1",
        "--json",
        "--results-dir",
        join(work, `${label}-${i}`),
      ],
      { env, cwd: root, reject: false },
    );
    const processMs = performance.now() - t0;
    if (r.exitCode !== 0) throw new Error(`${label} replay exited ${r.exitCode}: ${r.stderr.slice(-500)}`);
    const doc = JSON.parse(r.stdout) as { replays: Array<{ status: string; wallMs: number; durationMs: number }> };
    const rec = doc.replays[0];
    if (rec?.status !== "finished") throw new Error(`${label}: the replay did not finish`);
    return { processMs, wallMs: rec.wallMs, durationMs: rec.durationMs };
  };

  // Warm-up: the image check, the first container start and the page cache, once each.
  await once(currentCli, "warm-current", 0);
  await once(baselineCli, "warm-baseline", 0);
  const current: Array<Awaited<ReturnType<typeof once>>> = [];
  const baseline: Array<Awaited<ReturnType<typeof once>>> = [];
  for (let i = 0; i < N; i++) {
    if (i % 2 === 0) {
      current.push(await once(currentCli, "current", i));
      baseline.push(await once(baselineCli, "baseline", i));
    } else {
      baseline.push(await once(baselineCli, "baseline", i));
      current.push(await once(currentCli, "current", i));
    }
  }
  const row = (what: string, pick: (x: (typeof current)[number]) => number) => {
    const c = median(current.map(pick));
    const b = median(baseline.map(pick));
    console.log(
      `${what.padEnd(34)} baseline ${b.toFixed(0).padStart(6)} ms   sealed ${c.toFixed(0).padStart(6)} ms   +${(c - b).toFixed(0)} ms   ratio ${(c / b).toFixed(3)}`,
    );
  };
  console.log(`sealed replay vs the unsealed baseline, scenarios/basic, median of ${N} alternating pairs`);
  row("whole process (replay --replays 1)", (x) => x.processMs);
  row("replay wallMs (journaled)", (x) => x.wallMs);
  row("container run (durationMs)", (x) => x.durationMs);
} finally {
  await stopEmbeddedServer(dataDir).catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
}
