/**
 * The harness's overhead per replay, against a plain `docker run` of the same
 * command with the same isolation flags; and the env image build time, warm
 * (and cold with --cold, which removes the scenario's env image first).
 *
 *   npm run build && node dist/bench/replay-overhead.js [--n 5] [--cold]
 *
 * Two pairs, each the median of n executions, all measured in this one process:
 *  - untracked: docker run (network none) vs a harness replay capturing metrics.json
 *  - tracked:   docker run (host network, MLFLOW_RUN_ID of a run made beforehand)
 *               vs a harness replay that creates the run, passes it in, marks it
 *               FINISHED and reads the metrics back from the server.
 * Harness time per replay is its journaled wallMs: run creation, container start
 * to removal, status update, metric capture, fsync'd journal line.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { Journal } from "../harness/audit/journal.js";
import { runReplays } from "../harness/audit/replay-runner.js";
import { DockerExecutor } from "../harness/exec/docker-executor.js";
import { docker } from "../harness/exec/engine.js";
import { ensureEnvImage } from "../harness/exec/env-image.js";
import { readCodeFolder, resolveEnvironment } from "../harness/plan/code-folder.js";
import { type ReplayPlan, buildPlan } from "../harness/plan/plan.js";
import { projectRoot } from "../harness/project-root.js";
import { MlflowClient } from "../harness/tracking/client.js";
import { startEmbeddedServer, stopEmbeddedServer } from "../harness/tracking/server/embedded-server.js";

const nIndex = process.argv.indexOf("--n");
const N = nIndex >= 0 ? Number(process.argv[nIndex + 1]) : 5;
if (!Number.isInteger(N) || N < 1) throw new Error("--n must be a positive integer");
const COLD = process.argv.includes("--cold");

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const ms = (x: number) => `${x.toFixed(0)} ms`;

const root = projectRoot();
const scenarioDir = join(root, "scenarios", "basic");
const work = mkdtempSync(join(tmpdir(), "repro-bench-"));
const dataDir = join(work, "mlflow");
mkdirSync(dataDir);

try {
  const { state } = await startEmbeddedServer({ dataDir });
  const client = new MlflowClient({ baseUrl: state.url });
  const folder = readCodeFolder(scenarioDir);
  const environment = resolveEnvironment(folder, "scenario");

  // ---- image build times ----
  const request = {
    requirements: environment.requirements,
    ...(environment.python ? { python: environment.python } : {}),
    ignored: environment.ignored ?? [],
  };
  if (COLD) {
    const existing = await ensureEnvImage(request);
    await docker()
      .getImage(existing.tag)
      .remove()
      .catch((e: Error) => console.warn(`could not remove ${existing.tag}: ${e.message}`));
    const cold = await ensureEnvImage(request);
    console.log(
      `env image cold build (base present, wheel cache as it is): ${cold.seconds.toFixed(1)} s (built: ${cold.built})`,
    );
  }
  const warm = await ensureEnvImage(request);
  console.log(
    `env image warm (cached by input hash): ${warm.seconds.toFixed(2)} s (built: ${warm.built}) ${warm.imageId}`,
  );

  const exp = await client.getOrCreateExperiment("bench-original");
  const original = await client.createRun({ experimentId: exp.experiment_id });
  await client.logBatch(original.info.run_id, {
    params: [
      { key: "alpha", value: "0.5" },
      { key: "l1_ratio", value: "0.1" },
      { key: "seed", value: "42" },
    ],
  });
  const run = {
    runId: original.info.run_id,
    experimentId: exp.experiment_id,
    params: { alpha: "0.5", l1_ratio: "0.1", seed: "42" },
    tags: {},
    metrics: {},
  };
  const planFor = (capture: ReplayPlan["capture"]): ReplayPlan =>
    buildPlan({
      run,
      ...(folder.scenario ? { scenario: folder.scenario } : {}),
      environment,
      code: { source: "scenario", path: folder.dir, diffAvailable: false },
      options: { capture },
    });
  const untrackedPlan = planFor({
    mode: "json",
    file: "metrics.json",
    paths: { rmse: "$.rmse", mae: "$.mae", r2: "$.r2" },
  });
  const trackedPlan = planFor({ mode: "mlflow", names: ["rmse", "mae", "r2"] });

  // ---- plain docker run, same flags as the docker executor ----
  const out = join(work, "plain-out");
  mkdirSync(out, { mode: 0o777 });
  await execa("chmod", ["777", out]);
  const plain = async (tracked: boolean): Promise<number> => {
    const extra: string[] = [];
    if (tracked) {
      const r = await client.createRun({ experimentId: exp.experiment_id });
      extra.push("-e", `MLFLOW_TRACKING_URI=${state.url}`, "-e", `MLFLOW_RUN_ID=${r.info.run_id}`);
    }
    const t0 = performance.now();
    await execa("docker", [
      "run",
      "--rm",
      "--network",
      tracked ? "host" : "none",
      "--read-only",
      "--tmpfs",
      "/tmp:rw,nosuid,nodev",
      "--cap-drop",
      "ALL",
      "--security-opt",
      "no-new-privileges",
      "--memory",
      `${trackedPlan.limits.memoryMb}m`,
      "--pids-limit",
      String(trackedPlan.limits.pids),
      "--cpus",
      String(trackedPlan.limits.cpus),
      "--init",
      "--user",
      "65534:65534",
      "-v",
      `${folder.dir}:/code:ro`,
      "-v",
      `${out}:/out`,
      "-w",
      "/code",
      "-e",
      "HOME=/tmp",
      "-e",
      "REPRO_OUTPUT_DIR=/out",
      ...extra,
      warm.imageId,
      "/bin/sh",
      "-c",
      untrackedPlan.command,
    ]);
    return performance.now() - t0;
  };

  const executorMs: Record<string, number[]> = {};
  const harness = async (plan: ReplayPlan, label: string): Promise<number[]> => {
    const auditDir = join(work, label);
    const summary = await runReplays({
      plan,
      replays: N,
      parallel: 1,
      executor: new DockerExecutor(),
      image: { imageId: warm.imageId, built: warm.built, seconds: warm.seconds, mismatches: warm.mismatches },
      auditId: label,
      journal: Journal.open(join(auditDir, "journal.jsonl")),
      auditDir,
      client,
      probe: false,
    });
    const failed = summary.records.filter((r) => r.status !== "finished");
    if (failed.length > 0)
      throw new Error(`${label}: ${failed.length} replay(s) failed: ${failed[0]?.failure?.message}`);
    executorMs[label] = summary.records.map((r) => r.durationMs);
    return summary.records.map((r) => r.wallMs);
  };

  // Warm-up: first container start after a build pays for page cache.
  await plain(false);

  const plainUntracked: number[] = [];
  for (let i = 0; i < N; i++) plainUntracked.push(await plain(false));
  const harnessUntracked = await harness(untrackedPlan, "untracked");
  const plainTracked: number[] = [];
  for (let i = 0; i < N; i++) plainTracked.push(await plain(true));
  const harnessTracked = await harness(trackedPlan, "tracked");

  const metrics = JSON.parse(readFileSync(join(out, "metrics.json"), "utf8")) as Record<string, number>;
  console.log(`command: ${untrackedPlan.command}  (rmse ${metrics["rmse"]})`);
  console.log(`median of ${N}:`);
  for (const [label, key, p, h] of [
    ["untracked (network none)", "untracked", plainUntracked, harnessUntracked],
    ["tracked (MLflow run)     ", "tracked", plainTracked, harnessTracked],
  ] as const) {
    const mp = median(p);
    const mh = median(h);
    console.log(
      `  ${label}: docker run ${ms(mp)} | harness replay ${ms(mh)} (container ${ms(median(executorMs[key] ?? []))}) | ` +
        `overhead ${ms(mh - mp)} | ratio ${(mh / mp).toFixed(3)}`,
    );
  }
} finally {
  await stopEmbeddedServer(dataDir).catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
}
