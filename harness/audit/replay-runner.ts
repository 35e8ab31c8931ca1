import { createHash, randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ExecAbortedError, type ExecResult, type ExecSpec, type Executor, type MountSpec } from "../exec/executor.js";
import { dockerEnvRuntime } from "../exec/docker-env.js";
import { parseProbeOutput, probeCommand } from "../fingerprint/probe.js";
import { isSecretName, redactText } from "../fingerprint/redact.js";
import type { ReplayPlan } from "../plan/plan.js";
import { Tags } from "../plan/recorded-run.js";
import type { MlflowClient } from "../tracking/client.js";
import { captureMetrics } from "./capture.js";
import { type EnvironmentRecord, Journal, type ReplayRecord, pendingIndexes } from "./journal.js";

// Runs a plan's replays: for each index not yet in the journal, create the replay
// run on the tracking server (linked to the original by tags), execute the command
// with the plan's limits, mark the run FINISHED or FAILED, capture the metrics and
// journal the result. Up to `parallel` at once. An abort (Ctrl-C) stops what runs;
// aborted replays are marked KILLED on the server and are not journaled, so a
// resume redoes exactly them.

export const DEFAULT_AUDIT_EXPERIMENT = "repro-audit";
const CODE_DIR = "/code";
const OUT_DIR = "/out";
/** Tracking credentials an authenticated server needs; passed only into the replay. */
const PASS_THROUGH_ENV = ["MLFLOW_TRACKING_TOKEN", "MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_INSECURE_TLS"];

export type ReplayEvent =
  | { type: "begin"; total: number; done: number }
  | { type: "probe"; record: EnvironmentRecord }
  | { type: "start"; index: number; replayRunId?: string }
  | { type: "output"; index: number; stream: "stdout" | "stderr"; chunk: Buffer }
  | { type: "done"; record: ReplayRecord }
  | { type: "aborted"; index: number };

export interface ReplayRunOptions {
  plan: ReplayPlan;
  replays: number;
  parallel: number;
  executor: Executor;
  /** image ID for the docker executor (built or resolved by the caller) */
  imageId?: string;
  imageInfo?: { mismatches: EnvironmentRecord["mismatches"]; seconds?: number; built?: boolean };
  auditId: string;
  journal: Journal;
  /** folder for per-replay outputs (results/<audit-id>) */
  auditDir: string;
  client: MlflowClient;
  trackingUri: string;
  auditExperiment?: string;
  /** give replays the tracking server (host network); defaults to capture mode mlflow */
  passTracking?: boolean;
  /** host environment, read for docker_env variables to copy and tracking credentials */
  hostEnv?: Record<string, string | undefined>;
  signal?: AbortSignal;
  onEvent?: (e: ReplayEvent) => void;
  /** run the container probe (default true) */
  probe?: boolean;
}

export interface ReplayRunSummary {
  auditId: string;
  /** replays this audit holds: the larger of the request and what the journal was started with */
  replays: number;
  records: ReplayRecord[];
  /** indexes that were skipped because the journal already had them */
  resumed: number[];
  aborted: boolean;
  environment?: EnvironmentRecord;
}

/** A digest of what a replay executes, so a resume can refuse a changed plan. */
export function planDigest(plan: ReplayPlan): string {
  const { notes: _notes, code, ...rest } = plan;
  // A checkout lives in a fresh scratch worktree each time: its commit and diff
  // identify the code, its path does not.
  const { path: _path, ...codeIdentity } = code;
  const digestCode = code.source === "checkout" ? codeIdentity : code;
  return createHash("sha256").update(JSON.stringify({ ...rest, code: digestCode })).digest("hex").slice(0, 16);
}

export function newAuditId(runId: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z").replace("T", "-");
  return `${stamp}-${runId.slice(0, 8)}-${randomBytes(2).toString("hex")}`;
}

/** Values of the variables handed to a replay that must not reach a journal or a report. */
function secretValues(env: Readonly<Record<string, string>>): string[] {
  return Object.entries(env).filter(([k]) => PASS_THROUGH_ENV.includes(k) || isSecretName(k)).map(([, v]) => v);
}

function failureOf(res: ExecResult): ReplayRecord["failure"] {
  if (res.timedOut) return { kind: "timeout", message: "killed at the wall-clock timeout" };
  if (res.oomKilled) return { kind: "oom", message: "killed for exceeding the memory limit" };
  if (res.exitCode === null) return { kind: "signal", message: `ended by signal ${res.signal ?? "?"}` };
  if (res.exitCode !== 0) {
    const last = res.stderrTail.trim().split("\n").slice(-1)[0] ?? "";
    return { kind: "exit", message: `exit code ${res.exitCode}${last ? `: ${last.slice(0, 300)}` : ""}` };
  }
  return undefined;
}

export async function runReplays(opts: ReplayRunOptions): Promise<ReplayRunSummary> {
  const { plan, journal, client } = opts;
  const hostEnv = opts.hostEnv ?? process.env;
  const state = journal.snapshot;
  const digest = planDigest(plan);
  if (state.header) {
    if (state.header.runId !== plan.runId) {
      throw new Error(`audit ${opts.auditId} replays run ${state.header.runId}, not ${plan.runId}: resume it with --run ${state.header.runId}`);
    }
    if (state.header.planDigest !== digest) {
      throw new Error(
        `audit ${opts.auditId} was started with a different plan (command, environment, code or limits changed); ` +
          "start a new audit instead of resuming this one",
      );
    }
  } else {
    journal.append({ type: "header", auditId: opts.auditId, runId: plan.runId, replays: opts.replays, createdAt: new Date().toISOString(), plan, planDigest: digest });
  }
  const replays = Math.max(opts.replays, state.header?.replays ?? 0);
  const pending = pendingIndexes(journal.snapshot, replays);
  const resumed = [...journal.snapshot.replays.keys()].sort((a, b) => a - b);

  const passTracking = opts.passTracking ?? plan.capture.mode === "mlflow";
  const network: ExecSpec["network"] = passTracking ? "host" : "none";
  const limits = {
    memoryBytes: plan.limits.memoryMb * 1024 * 1024,
    nanoCpus: Math.round(plan.limits.cpus * 1e9),
    pids: plan.limits.pids,
    timeoutMs: Math.round(plan.limits.timeoutSeconds * 1000),
  };
  const image = plan.environment.dockerImage ?? opts.imageId;
  const dockerEnv =
    plan.environment.source === "docker_env"
      ? dockerEnvRuntime({ image: plan.environment.dockerImage ?? "", volumes: plan.environment.dockerVolumes, environment: plan.environment.dockerEnvironment }, plan.code.path, hostEnv)
      : undefined;
  const codeMount: MountSpec = { host: plan.code.path, container: CODE_DIR, readOnly: true };

  // The container fingerprint: once per audit, in the same image, without network.
  let environment = journal.snapshot.environment;
  if (!environment && opts.probe !== false && !opts.signal?.aborted) {
    environment = await probeEnvironment(opts, image, codeMount, limits);
    journal.append(environment);
    opts.onEvent?.({ type: "probe", record: environment });
  }

  opts.onEvent?.({ type: "begin", total: replays, done: replays - pending.length });

  let experimentId: string | undefined;
  const experiment = async () => (experimentId ??= (await client.getOrCreateExperiment(opts.auditExperiment ?? DEFAULT_AUDIT_EXPERIMENT)).experiment_id);

  const records: ReplayRecord[] = [];
  const queue = [...pending];
  let aborted = false;

  const runOne = async (index: number): Promise<void> => {
    const t0 = performance.now();
    const startedAt = new Date().toISOString();
    const outDir = join(opts.auditDir, "replays", String(index), "out");
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir, { recursive: true });
    // Written by the replay's unprivileged user.
    chmodSync(outDir, 0o777);

    const run = await client.createRun({
      experimentId: await experiment(),
      runName: `replay-${index}-of-${plan.runId.slice(0, 8)}`,
      tags: {
        [Tags.replayOf]: plan.runId,
        [Tags.auditId]: opts.auditId,
        [Tags.replayIndex]: String(index),
        [Tags.reproCommand]: plan.command,
        "repro.executor": opts.executor.kind,
        ...(image ? { "repro.image_id": image } : {}),
      },
    });
    const replayRunId = run.info.run_id;
    opts.onEvent?.({ type: "start", index, replayRunId });

    const env: Record<string, string> = {
      ...(dockerEnv?.env ?? {}),
      HOME: "/tmp",
      REPRO_OUTPUT_DIR: OUT_DIR,
      REPRO_REPLAY_INDEX: String(index),
      REPRO_AUDIT_ID: opts.auditId,
    };
    if (passTracking) {
      env["MLFLOW_TRACKING_URI"] = opts.trackingUri;
      env["MLFLOW_RUN_ID"] = replayRunId;
      env["MLFLOW_EXPERIMENT_ID"] = run.info.experiment_id;
      for (const k of PASS_THROUGH_ENV) {
        const v = hostEnv[k];
        if (v !== undefined) env[k] = v;
      }
    }
    const spec: ExecSpec = {
      ...(opts.executor.kind === "docker" && image ? { image } : {}),
      command: { shell: plan.command },
      workdir: CODE_DIR,
      mounts: [codeMount, { host: outDir, container: OUT_DIR, readOnly: false }, ...(dockerEnv?.mounts ?? [])],
      env,
      network,
      limits,
    };

    let res: ExecResult;
    try {
      res = await opts.executor.run(spec, {
        ...(opts.signal ? { signal: opts.signal } : {}),
        onOutput: (stream, chunk) => opts.onEvent?.({ type: "output", index, stream, chunk }),
      });
    } catch (err) {
      if (err instanceof ExecAbortedError || opts.signal?.aborted) {
        aborted = true;
        await client.updateRun(replayRunId, { status: "KILLED", endTime: Date.now() }).catch(() => undefined);
        opts.onEvent?.({ type: "aborted", index });
        return;
      }
      await client.updateRun(replayRunId, { status: "FAILED", endTime: Date.now() }).catch(() => undefined);
      throw err;
    }

    const secrets = secretValues(env);
    res = { ...res, stdoutTail: redactText(res.stdoutTail, secrets), stderrTail: redactText(res.stderrTail, secrets) };
    let failure = failureOf(res);
    // The workload has run: from here on a server hiccup must not lose the result, so
    // it is journaled as an infrastructure failure instead of aborting the audit.
    // A status that could not be set leaves the replay run RUNNING on the server; the
    // measured result still counts.
    await client.updateRun(replayRunId, { status: failure ? "FAILED" : "FINISHED", endTime: Date.now() }).catch(() => undefined);
    let captured: Awaited<ReturnType<typeof captureMetrics>>;
    try {
      captured = await captureMetrics({
        spec: plan.capture,
        outDir,
        stdout: res.stdoutTail,
        client,
        replayRunId,
        originalMetricNames: Object.keys(plan.originalMetrics),
      });
    } catch (err) {
      captured = { metrics: {}, missing: [], error: `reading the replay's metrics back failed: ${(err as Error).message}` };
      failure ??= { kind: "infrastructure", message: captured.error as string };
    }
    if (!failure && captured.error && Object.keys(captured.metrics).length === 0) {
      failure = { kind: "capture", message: captured.error };
    }
    const record: ReplayRecord = {
      type: "replay",
      index,
      status: failure ? "failed" : "finished",
      ...(failure ? { failure } : {}),
      replayRunId,
      exitCode: res.exitCode,
      ...(res.signal !== undefined ? { signal: res.signal } : {}),
      oomKilled: res.oomKilled,
      timedOut: res.timedOut,
      durationMs: res.durationMs,
      wallMs: performance.now() - t0,
      metrics: captured.metrics,
      missingMetrics: captured.missing,
      stdoutTail: res.stdoutTail.slice(-4000),
      stderrTail: res.stderrTail.slice(-4000),
      executor: res.executor,
      isolated: res.isolated,
      pinned: res.pinned,
      ...(res.imageId !== undefined ? { imageId: res.imageId } : {}),
      startedAt,
      finishedAt: new Date().toISOString(),
    };
    if (opts.signal?.aborted && failure?.kind === "signal") {
      // Killed by our own abort but reported as a signal: not a result.
      aborted = true;
      opts.onEvent?.({ type: "aborted", index });
      return;
    }
    journal.append(record);
    records.push(record);
    opts.onEvent?.({ type: "done", record });
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      if (opts.signal?.aborted) {
        aborted = true;
        return;
      }
      const index = queue.shift();
      if (index === undefined) return;
      await runOne(index);
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(opts.parallel, pending.length || 1)) }, () => worker());
  const settled = await Promise.allSettled(workers);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) throw failed.reason;

  return {
    auditId: opts.auditId,
    replays,
    records: [...journal.snapshot.replays.values()].sort((a, b) => a.index - b.index),
    resumed,
    aborted,
    ...(environment ? { environment } : {}),
  };
}

async function probeEnvironment(
  opts: ReplayRunOptions,
  image: string | undefined,
  codeMount: MountSpec,
  limits: ExecSpec["limits"],
): Promise<EnvironmentRecord> {
  const base: EnvironmentRecord = {
    type: "environment",
    executor: opts.executor.kind,
    ...(image ? { imageId: image } : {}),
    mismatches: opts.imageInfo?.mismatches ?? [],
    ...(opts.imageInfo?.seconds !== undefined ? { imageBuildSeconds: opts.imageInfo.seconds } : {}),
    ...(opts.imageInfo?.built !== undefined ? { imageBuilt: opts.imageInfo.built } : {}),
  };
  try {
    const res = await opts.executor.run(
      {
        ...(opts.executor.kind === "docker" && image ? { image } : {}),
        command: probeCommand("python3"),
        workdir: CODE_DIR,
        mounts: [codeMount],
        env: { HOME: "/tmp" },
        network: "none",
        limits: { ...limits, timeoutMs: Math.min(limits.timeoutMs, 120_000) },
        outputLimitBytes: 4 * 1024 * 1024,
      },
      opts.signal ? { signal: opts.signal } : {},
    );
    if (res.exitCode !== 0) return { ...base, probeError: `probe exited ${res.exitCode}: ${res.stderrTail.trim().slice(-300)}` };
    const container = parseProbeOutput(res.stdoutTail);
    return { ...base, container, ...(res.imageId ? { imageId: res.imageId } : {}) };
  } catch (err) {
    if (err instanceof ExecAbortedError) throw err;
    return { ...base, probeError: (err as Error).message };
  }
}
