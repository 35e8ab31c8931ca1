/**
 * What a whole audit of one run with one replay costs over a bare `docker run` of
 * the same image, command, mounts, variables and flags (issue 13, target ≤ 1.10×).
 *
 *   npm run build && node dist/bench/audit-overhead.js [--n 5] [--scenario scenarios/basic] [--cli PATH]
 *
 * --cli: the main.js of another build of the CLI to time instead of this one (a
 * before/after comparison: e.g. a worktree of the commit before the replay pool).
 *
 * A: `repro-audit audit --run ID --scenario DIR --replays 1 --parallel 1` as a whole
 *    process: start, engine check, selection, the check before writing, traceability,
 *    snapshot, image check (cached), the environment probe (on), the sealed replay,
 *    import into MLflow, evidence, the check after, the report in every format and
 *    publishing to the run. Nothing left out.
 * B: `docker run --rm` of the plan's image and command with the executor's flags
 *    (network none, read-only root, tmpfs /tmp, all capabilities dropped,
 *    no-new-privileges, the plan's memory/CPU/pids limits, --init, uid 65534, no log
 *    driver), a writable copy of the code at /code, fresh /out and sandbox store
 *    folders, and the replay's variables (its MLflow sandbox store), also whole.
 * A and B alternate, the order flipped every pair, after one warm-up of each (the
 * image is cached by then). Prints medians with min-max, the ratio of the medians,
 * and the load average before and after: the machine is shared.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execa } from "execa";
import { sandboxEnv } from "../harness/audit/replay-runner.js";
import type { ReplayPlan } from "../harness/plan/plan.js";
import { projectRoot } from "../harness/project-root.js";
import { startEmbeddedServer, stopEmbeddedServer } from "../harness/tracking/server/embedded-server.js";
import { alternate, arg, load, median, positiveInt, recordRun, spread, timedCli } from "./bench-support.js";

const N = positiveInt("--n", 5);
const cli = arg("--cli");
const root = projectRoot();
const scenario = resolve(root, arg("--scenario") ?? "scenarios/basic");
const work = mkdtempSync(join(tmpdir(), "repro-bench-audit-"));
const dataDir = join(work, "mlflow");
const results = join(work, "results");

try {
  const loadBefore = load();
  const { state } = await startEmbeddedServer({ dataDir });
  const env = { ...process.env, MLFLOW_TRACKING_URI: state.url };
  const runId = await recordRun(state.url, ["--train", join(scenario, "train.py")]);

  const audit = async (label: string) => {
    const auditId = `bench-${label}`;
    const args = ["audit", "--run", runId, "--scenario", scenario, "--replays", "1", "--parallel", "1"];
    const { ms } = await timedCli(
      [...args, "--audit-id", auditId, "--results-dir", results],
      env,
      ...(cli !== undefined ? [resolve(cli)] : []),
    );
    return { ms, runDir: join(results, auditId, "runs", runId) };
  };

  // Warm-up, and what the bare run needs: the plan's command, limits and the image the replay ran in.
  const warm = await audit("warm");
  const plan = JSON.parse(readFileSync(join(warm.runDir, "plan.json"), "utf8")) as ReplayPlan;
  const journal = readFileSync(join(warm.runDir, "journal.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { type: string; imageId?: string; status?: string });
  const imageId = journal.find((r) => r.type === "replay")?.imageId;
  if (imageId === undefined || journal.find((r) => r.type === "replay")?.status !== "finished")
    throw new Error("the warm-up audit's replay did not finish");

  const bare = async (label: string) => {
    const dir = join(work, "bare", label);
    const code = join(dir, "code");
    // Made before the clock starts: the harness's own copy is part of its time, not the baseline's.
    cpSync(plan.code.path, code, { recursive: true });
    for (const d of [dir, code, join(dir, "out"), join(dir, "tracking")]) {
      mkdirSync(d, { recursive: true });
      await chmod(d, 0o777);
    }
    for (const f of readdirSync(code)) await chmod(join(code, f), 0o777);
    const mb = `${plan.limits.memoryMb}m`;
    const vars = Object.entries(sandboxEnv(`bench-bare-${label}`, 0)).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    const t0 = performance.now();
    await execa("docker", [
      "run",
      "--rm",
      "--network",
      "none",
      "--read-only",
      "--tmpfs",
      "/tmp:rw,nosuid,nodev,size=256m",
      "--cap-drop",
      "ALL",
      "--security-opt",
      "no-new-privileges",
      "--memory",
      mb,
      "--memory-swap",
      mb,
      "--cpus",
      String(plan.limits.cpus),
      "--pids-limit",
      String(plan.limits.pids),
      "--init",
      "--user",
      "65534:65534",
      "--log-driver",
      "none",
      "-v",
      `${code}:/code`,
      "-v",
      `${join(dir, "out")}:/out`,
      "-v",
      `${join(dir, "tracking")}:/repro/tracking`,
      "-w",
      "/code",
      ...vars,
      imageId,
      "/bin/sh",
      "-c",
      plan.command,
    ]);
    const ms = performance.now() - t0;
    rmSync(dir, { recursive: true, force: true });
    return { ms };
  };
  await bare("warm");

  const { a, b } = await alternate(
    N,
    (i) => audit(String(i)),
    (i) => bare(String(i)),
  );
  const am = a.map((x) => x.ms);
  const bm = b.map((x) => x.ms);
  console.log(`audit 1 run x 1 replay vs bare docker run, ${scenario.replace(`${root}/`, "")}, ${N} alternating pairs`);
  console.log(`  command: ${plan.command}   image: ${imageId.slice(0, 19)}   CLI: ${cli ?? "this build"}`);
  console.log(`  bare docker run            ${spread(bm)}`);
  console.log(`  repro-audit audit (whole)  ${spread(am)}`);
  console.log(
    `  overhead ${(median(am) - median(bm)).toFixed(0)} ms, ratio ${(median(am) / median(bm)).toFixed(3)} (target <= 1.10)`,
  );
  console.log(`  load average (1, 5, 15 min): before ${loadBefore}, after ${load()}`);
} finally {
  await stopEmbeddedServer(dataDir).catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
}
