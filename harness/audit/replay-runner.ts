import { createHash, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { dockerEnvRequest, dockerEnvRuntime } from "../exec/docker-env.js";
import { AUDIT_LABEL, PROBE_LABEL, REPLAY_LABEL, RUN_LABEL } from "../exec/container-labels.js";
import { ExecAbortedError, type ExecResult, type ExecSpec, type Executor, type MountSpec } from "../exec/executor.js";
import { engineGone } from "../exec/engine-endpoints.js";
import type { EngineExecutor, ImageInfo } from "../exec/executors.js";
import { type ExecUsage, USAGE_DIR, USAGE_FILE, measuredCommand, parseUsage } from "../exec/usage.js";
import { type WorkTreeRecord, diffWorkTree } from "../exec/work-tree-diff.js";
import {
  DEFAULT_WORK_TREE_LIMITS,
  type WorkTreeLimits,
  WorkTreeTooLargeError,
  copyWorkTree,
  listWorkTree,
  measureCodeTree,
  removeWorkTree,
  withHashes,
} from "../exec/work-tree.js";
import { parseProbeOutput, probeCommand } from "../fingerprint/probe.js";
import { isSecretName, redactText } from "../fingerprint/redact.js";
import type { ReplayPlan } from "../plan/plan.js";
import { planSecretValues, redactPlan } from "../plan/redact-plan.js";
import type { MlflowClient } from "../tracking/client.js";
import { readSandboxStore } from "../tracking/sandbox-store.js";
import { captureMetrics } from "./replay-metrics.js";
import { type EnvironmentRecord, type Journal, type JournalReplay, pendingIndexes } from "./journal.js";
import { mlflowReplayRecorder } from "./mlflow-replay-recorder.js";
import { EngineDownError, EnginePools } from "./engine-pools.js";
import { ReplayRunBook } from "./replay-runs.js";
import { chooseSandboxRun, importSandboxRun } from "./sandbox-import.js";

// Runs a plan's replays, each sealed: no network, nothing of the host but its own
// writable copy of the code (the code folder itself is never mounted writable), its
// output folder and its own sandbox tracking store (an MLflow file store the workload
// logs into instead of the real server). For each index not yet in the journal: copy
// the code, execute with the plan's limits, list what it wrote in its copy and remove
// the copy, read the sandbox, create (or take over) the replay run on the real server,
// import what the workload logged, mark the run FINISHED or FAILED, capture the
// metrics and journal the result. Up to `parallel` at once, or in the audit's shared
// pool (replay-pool.ts) when it passes one. The environment probe runs beside the
// replays, not before them, once per image per audit when the audit passes its probe
// cache. An abort (Ctrl-C) stops what runs and journals nothing for it, so a resume
// redoes exactly that. A fault of the engine or the server is retried,
// then journaled as an infrastructure failure, which a resume also redoes. With
// several engines, a replay runs on the engine its pool slot is on; one whose engine
// is gone while others are up is journaled as infrastructure and redone on another
// at once (engine-pools.ts), without the retries' waits.

const CODE_DIR = "/code";
const OUT_DIR = "/out";
/** The replay's sandbox folder, as the workload sees it. */
const TRACKING_DIR = "/repro/tracking";
/** The store inside it: MLflow creates its default experiment only in a store folder that does not exist yet. */
const STORE_SUBDIR = "mlruns";
/** Attempts at an execution the engine failed (not the workload), and the waits between them. */
const ENGINE_RETRY_DELAYS_MS = [2_000, 5_000];

export type ReplayEvent =
  | { type: "begin"; total: number; done: number }
  | { type: "probe"; record: EnvironmentRecord }
  | { type: "start"; index: number; replayRunId?: string; engine?: string }
  | { type: "output"; index: number; stream: "stdout" | "stderr"; chunk: Buffer }
  | { type: "retry"; index: number; message: string }
  | { type: "done"; record: JournalReplay }
  | { type: "aborted"; index: number };

export interface ReplayRunOptions {
  plan: ReplayPlan;
  replays: number;
  parallel: number;
  executor: Executor;
  /** the image the executor runs replays in (prepared by the caller); absent for one that runs none */
  image?: ImageInfo;
  auditId: string;
  journal: Journal;
  /** folder for per-replay outputs (results/<audit-id>) */
  auditDir: string;
  client: MlflowClient;
  auditExperiment?: string;
  /** host environment, read for docker_env variables to copy */
  hostEnv?: Record<string, string | undefined>;
  signal?: AbortSignal;
  onEvent?: (e: ReplayEvent) => void;
  /** run the container probe (default true) */
  probe?: boolean;
  /**
   * The audit's replay pools, one per engine: every run's replays share their limits
   * (then `parallel` is not used). Without them, this call makes its own pool of `parallel`.
   */
  pool?: EnginePools;
  /** the engines the prepared image is on (prepare's `engines`), by pool name; absent: every replay on `executor` */
  engines?: readonly EngineExecutor[];
  /** the audit's probe results by image, so each image is probed once per audit */
  probes?: ProbeCache;
  /** waits between attempts at an execution the engine failed (default 2 s, 5 s) */
  engineRetryDelaysMs?: readonly number[];
  /** how big a code folder may be to get a writable copy per replay (default 512 MiB, 50,000 files) */
  workTreeLimits?: WorkTreeLimits;
  /**
   * "sandbox" (default): MLflow inside the replay points at its own sandbox store.
   * "none": no MLFLOW_* variable at all (compare's untracked arm); whatever the
   * workload still logs lands in its copy of the code (./mlruns), where its outputs show it.
   */
  tracking?: "sandbox" | "none";
  /** run the command under the usage wrapper (exec/usage.ts) and journal what it cost (default false) */
  measureUsage?: boolean;
}

/** What the container probe found in one image: its fingerprint, or why there is none. */
export interface ProbeOutcome {
  container?: EnvironmentRecord["container"];
  probeError?: string;
  imageId?: string;
}

/** An audit's probe outcomes by executor and image (the promise, so runs sharing an image wait for one probe). */
export type ProbeCache = Map<string, Promise<ProbeOutcome>>;

export interface ReplayRunSummary {
  auditId: string;
  /** replays this audit holds: the larger of the request and what the journal was started with */
  replays: number;
  records: JournalReplay[];
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
  return createHash("sha256")
    .update(JSON.stringify({ ...rest, code: digestCode }))
    .digest("hex")
    .slice(0, 16);
}

export function newAuditId(runId: string, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")
    .replace("T", "-");
  return `${stamp}-${runId.slice(0, 8)}-${randomBytes(2).toString("hex")}`;
}

/** Values of the variables handed to a replay that must not reach a journal or a report. */
function secretValues(env: Readonly<Record<string, string>>): string[] {
  return Object.entries(env)
    .filter(([k]) => isSecretName(k))
    .map(([, v]) => v);
}

function failureOf(res: ExecResult): JournalReplay["failure"] {
  if (res.timedOut) return { kind: "timeout", message: "killed at the wall-clock timeout" };
  if (res.oomKilled) return { kind: "oom", message: "killed for exceeding the memory limit" };
  if (res.exitCode === null) return { kind: "signal", message: `ended by signal ${res.signal ?? "?"}` };
  if (res.exitCode !== 0) {
    const last = res.stderrTail.trim().split("\n").slice(-1)[0] ?? "";
    return { kind: "exit", message: `exit code ${res.exitCode}${last ? `: ${last.slice(0, 300)}` : ""}` };
  }
  return undefined;
}

/**
 * The environment every sealed replay gets: its own folders, and MLflow pointed at its
 * sandbox store (with tracking "none", no MLflow variable: the workload is not told to track).
 */
export function sandboxEnv(
  auditId: string,
  index: number,
  tracking: "sandbox" | "none" = "sandbox",
): Record<string, string> {
  const own = {
    HOME: "/tmp",
    REPRO_OUTPUT_DIR: OUT_DIR,
    REPRO_REPLAY_INDEX: String(index),
    REPRO_AUDIT_ID: auditId,
    // The replay image has no git: MLflow's git probe would only warn about it on every run.
    GIT_PYTHON_REFRESH: "quiet",
  };
  if (tracking === "none") return own;
  const store = `file:${TRACKING_DIR}/${STORE_SUBDIR}`;
  return {
    ...own,
    MLFLOW_TRACKING_URI: store,
    MLFLOW_REGISTRY_URI: store,
    // MLflow 3 refuses the file store unless asked; 2.x ignores this.
    MLFLOW_ALLOW_FILE_STORE: "true",
    // A workload that hard-codes a server URL finds no network: fail at once, not after minutes of retries.
    MLFLOW_HTTP_REQUEST_MAX_RETRIES: "0",
    MLFLOW_HTTP_REQUEST_TIMEOUT: "5",
    // MLflow 3 reports usage to a remote endpoint; a replay has no network, and a local
    // replay must not reach beyond loopback either.
    MLFLOW_DISABLE_TELEMETRY: "true",
  };
}

interface ReplaySetup {
  limits: ExecSpec["limits"];
  /** where the command runs in the container */
  workdir: string;
  image: string | undefined;
  /** the code folder as the harness holds it: mounted read-only for the probe, copied for each replay */
  codeMount: MountSpec;
  /**
   * what each replay gets a writable copy of: the code folder at /code, or, where the command runs in a named
   * image's own WORKDIR, that WORKDIR's files there (the code folder then stays read-only at /code)
   */
  workSource: { host: string; container: string };
  /** said once per replay's work tree: where its copy came from, when not the code folder */
  workNote?: string;
  /** why the replays get the code read-only instead of a copy each (too big to copy) */
  noCopy?: string;
  dockerEnv: ReturnType<typeof dockerEnvRuntime> | undefined;
}

export async function runReplays(opts: ReplayRunOptions): Promise<ReplayRunSummary> {
  const { plan, journal } = opts;
  startOrCheckJournal(opts);
  const replays = Math.max(opts.replays, journal.snapshot.header?.replays ?? 0);
  const pending = pendingIndexes(journal.snapshot, replays);
  const resumed = [...journal.snapshot.replays.values()]
    .filter((r) => !pending.includes(r.index))
    .map((r) => r.index)
    .sort((a, b) => a - b);

  const book = new ReplayRunBook(mlflowReplayRecorder(opts.client), {
    auditId: opts.auditId,
    originalRunId: plan.runId,
    ...(opts.auditExperiment ? { experimentName: opts.auditExperiment } : {}),
  });
  await book.load();
  await book.settle(new Map([...journal.snapshot.replays].filter(([i]) => !pending.includes(i))));

  const setup = replaySetup(opts);
  // The container fingerprint: once per image per audit, without network, beside the
  // replays (it only reads the image, so it need not hold them up). A resumed journal has it.
  const probing =
    !journal.snapshot.environment && opts.probe !== false && !opts.signal?.aborted ? probeOnce(opts, setup) : undefined;

  opts.onEvent?.({ type: "begin", total: replays, done: replays - pending.length });
  const pool =
    opts.pool ??
    (opts.engines !== undefined && opts.engines.length > 1
      ? new EnginePools(opts.engines.map((e) => ({ engine: e.name, limit: Math.max(1, opts.parallel) })))
      : EnginePools.single(Math.max(1, Math.min(opts.parallel, pending.length || 1))));
  const outcomes = await Promise.allSettled(
    pending.map((index) =>
      pool.run(async (engine) =>
        opts.signal?.aborted ? "aborted" : await replayOnce(opts, setup, book, index, onEngine(opts, pool, engine)),
      ),
    ),
  );
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
  // As before the pool: an interrupt while this run's replays ran makes its batch aborted.
  let aborted =
    opts.signal?.aborted === true || outcomes.some((o) => o.status === "fulfilled" && o.value === "aborted");

  let environment = journal.snapshot.environment;
  if (probing !== undefined) {
    const probed = await probing;
    if (probed === "aborted") aborted = true;
    else {
      // Journaled even when a replay failed to run: the next attempt need not probe again.
      environment = probed;
      journal.append(environment);
      opts.onEvent?.({ type: "probe", record: environment });
    }
  }
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

/** Where one replay runs: the engine its slot is on, and whether a gone engine is redone elsewhere. */
interface ReplayEngine {
  executor: Executor;
  /** the engine's name; absent without an engine list (one engine, or the local executor) */
  name?: string;
  /** another engine is up: a gone engine is redone there rather than retried */
  failover: boolean;
}

function onEngine(opts: ReplayRunOptions, pool: EnginePools, engine: string): ReplayEngine {
  if (opts.engines === undefined) return { executor: opts.executor, failover: false };
  const found = opts.engines.find((e) => e.name === engine);
  // Prepared without it (the image could not be made present there): it runs none of this run's replays.
  if (found === undefined) throw new EngineDownError(engine, "the pinned image could not be made present there");
  return { executor: found.executor, name: engine, failover: pool.upCount > 1 };
}

/**
 * The environment record of this run: the probe's outcome for its image (run now, or
 * shared with the other runs of the audit in that image) with this run's image facts.
 * "aborted" when an interrupt stopped the probe: nothing is journaled, a resume probes.
 */
async function probeOnce(opts: ReplayRunOptions, setup: ReplaySetup): Promise<EnvironmentRecord | "aborted"> {
  const key = `${opts.executor.kind}:${setup.image ?? "host"}`;
  let outcome = opts.probes?.get(key);
  if (outcome === undefined) {
    outcome = probeContainer(opts, setup.image, setup.codeMount, setup.limits);
    opts.probes?.set(key, outcome);
  }
  try {
    const found = await outcome;
    return {
      type: "environment",
      executor: opts.executor.kind,
      ...(setup.image ? { imageId: setup.image } : {}),
      mismatches: opts.image?.mismatches ?? [],
      ...(opts.image ? { imageBuildSeconds: opts.image.seconds, imageBuilt: opts.image.built } : {}),
      ...found,
    };
  } catch (err) {
    if (err instanceof ExecAbortedError) {
      // Forgotten, so no run takes an outcome that never came for its record.
      opts.probes?.delete(key);
      return "aborted";
    }
    throw err;
  }
}

/** A new journal gets its header; an existing one must be this run's, with the same plan. */
function startOrCheckJournal(opts: ReplayRunOptions): void {
  const { plan, journal } = opts;
  const header = journal.snapshot.header;
  const digest = planDigest(plan);
  if (!header) {
    // The journal keeps the plan as it may be shown; the digest is of the plan that runs.
    journal.append({
      type: "header",
      auditId: opts.auditId,
      runId: plan.runId,
      replays: opts.replays,
      createdAt: new Date().toISOString(),
      plan: redactPlan(plan),
      planDigest: digest,
    });
    return;
  }
  if (header.runId !== plan.runId) {
    throw new Error(
      `audit ${opts.auditId} replays run ${header.runId}, not ${plan.runId}: resume it with --run ${header.runId}`,
    );
  }
  if (header.planDigest !== digest) {
    throw new Error(
      `audit ${opts.auditId} was started with a different plan (command, environment, code or limits changed); ` +
        "start a new audit instead of resuming this one",
    );
  }
}

function replaySetup(opts: ReplayRunOptions): ReplaySetup {
  const { plan } = opts;
  const workdir = replayWorkdir(plan, opts.image);
  const fromImage = workdir !== CODE_DIR ? opts.image?.workdirFiles : undefined;
  const workSource =
    fromImage !== undefined && "dir" in fromImage
      ? { host: fromImage.dir, container: workdir }
      : { host: plan.code.path, container: CODE_DIR };
  const workNote =
    fromImage === undefined
      ? undefined
      : "dir" in fromImage
        ? `the command ran in the image's working directory ${workdir}: its own writable copy of the files the image holds there (the checkout is read-only at ${CODE_DIR})`
        : `${fromImage.notCopied}; the command ran there as the image has it, with no writable copy`;
  const noCopy = tooLargeToCopy(workSource.host, opts.workTreeLimits ?? DEFAULT_WORK_TREE_LIMITS);
  return {
    ...(noCopy !== undefined ? { noCopy } : {}),
    workSource,
    ...(workNote !== undefined ? { workNote } : {}),
    limits: {
      memoryBytes: plan.limits.memoryMb * 1024 * 1024,
      nanoCpus: Math.round(plan.limits.cpus * 1e9),
      pids: plan.limits.pids,
      timeoutMs: Math.round(plan.limits.timeoutSeconds * 1000),
    },
    image: plan.environment.dockerImage ?? opts.image?.imageId,
    workdir,
    codeMount: { host: plan.code.path, container: CODE_DIR, readOnly: true },
    dockerEnv:
      plan.environment.source === "docker_env"
        ? dockerEnvRuntime(dockerEnvRequest(plan.environment), plan.code.path, opts.hostEnv ?? process.env)
        : undefined,
  };
}

/** Why the code folder gets no copy per replay (measured once, before the first), or undefined. */
function tooLargeToCopy(codeDir: string, limits: WorkTreeLimits): string | undefined {
  try {
    measureCodeTree(codeDir, limits);
    return undefined;
  } catch (err) {
    if (!(err instanceof WorkTreeTooLargeError)) throw err;
    return `${err.message}: the replays got it read-only instead of a writable copy each (raise the limit with ${WORK_TREE_ENV})`;
  }
}

/** The variable that raises the per-replay copy's size limit (MiB), read by replayJob. */
export const WORK_TREE_ENV = "REPRO_AUDIT_WORK_TREE_MAX_MB";

/**
 * Where a replay's command runs: the project folder (/code), or, for a docker_env run
 * that `mlflow run` ran without --build-image, the image's own working directory
 * (plan/docker-workdir.ts has MLflow's rule), "/" when the image sets none, as
 * `docker run` does. Without an image (the local executor) there is none: /code.
 */
export function replayWorkdir(plan: Pick<ReplayPlan, "environment">, image: ImageInfo | undefined): string {
  if (plan.environment.dockerWorkdir !== "image" || image?.workingDir === undefined) return CODE_DIR;
  return image.workingDir === "" ? "/" : image.workingDir;
}

/** A fresh, empty folder the replay's unprivileged user may write. */
function freshFolder(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o777);
  return dir;
}

/** A replay's own folders on the host: its /out, its sandbox store and its copy of the code, fresh each attempt. */
interface ReplayFolders {
  outDir: string;
  trackingDir: string;
  /** where its copy of the code goes (made by `workTreeFor`, removed after the replay) */
  workDir: string;
  /** where the usage wrapper writes what the execution cost (only when measured) */
  usageDir?: string;
}

function replayFolders(auditDir: string, index: number, measure: boolean): ReplayFolders {
  const replayDir = join(auditDir, "replays", String(index));
  const workDir = join(replayDir, "work");
  // A harness killed mid-replay left its copy: this attempt starts from the code again.
  rmSync(workDir, { recursive: true, force: true });
  return {
    outDir: freshFolder(join(replayDir, "out")),
    trackingDir: freshFolder(join(replayDir, "tracking")),
    workDir,
    ...(measure ? { usageDir: freshFolder(join(replayDir, "usage")) } : {}),
  };
}

/** What the usage wrapper wrote (exec/usage.ts); a note instead when it wrote nothing readable. */
function readUsage(folders: ReplayFolders): { usage?: ExecUsage; note?: string } {
  if (folders.usageDir === undefined) return {};
  const file = join(folders.usageDir, USAGE_FILE);
  const text = existsSync(file) ? readFileSync(file, "utf8").slice(0, 4096) : undefined;
  const parsed = parseUsage(text);
  return "usage" in parsed ? { usage: parsed.usage } : { note: `usage not measured: ${parsed.error}` };
}

/** The replay's /code: its own writable copy, or (too big to copy, or the copy failed) the code read-only. */
interface WorkTree {
  mount: MountSpec;
  /** the copy's listing right after it was made; absent when there is no copy */
  before?: ReturnType<typeof listWorkTree>;
  notes: string[];
}

function workTreeFor(setup: ReplaySetup, workDir: string): WorkTree {
  const said = setup.workNote !== undefined ? [setup.workNote] : [];
  if (setup.noCopy !== undefined) return { mount: setup.codeMount, notes: [...said, setup.noCopy] };
  try {
    const { listing, notes } = copyWorkTree(setup.workSource.host, workDir);
    return {
      mount: { host: workDir, container: setup.workSource.container, readOnly: false },
      before: listing,
      notes: [...said, ...notes],
    };
  } catch (err) {
    removeWorkTree(workDir);
    const why = `the code could not be copied for this replay (${(err as Error).message}): it got the code read-only`;
    return { mount: setup.codeMount, notes: [...said, why] };
  }
}

/** What the replay wrote in its copy (listed, small files hashed), then the copy removed. */
function settleWorkTree(tree: WorkTree, workDir: string): WorkTreeRecord {
  if (tree.before === undefined) return { copied: false, outputs: [], omitted: 0, notes: tree.notes };
  const after = listWorkTree(workDir);
  const { outputs, omitted } = diffWorkTree(tree.before, after);
  const hashed = withHashes(workDir, outputs);
  const removed = removeWorkTree(workDir);
  return {
    copied: true,
    outputs: hashed,
    omitted,
    notes: [...tree.notes, ...(after.incomplete ? [after.incomplete] : []), ...(removed ? [removed] : [])],
  };
}

/** What the sealed replay runs: the plan's command in /code, its folders, its sandbox's variables, no network. */
function replaySpec(
  opts: ReplayRunOptions,
  setup: ReplaySetup,
  index: number,
  { outDir, trackingDir, usageDir }: ReplayFolders,
  code: MountSpec,
): ExecSpec {
  const { plan } = opts;
  return {
    ...(opts.image ? { image: opts.image.imageId } : {}),
    command: usageDir !== undefined ? measuredCommand(plan.command) : { shell: plan.command },
    workdir: setup.workdir,
    mounts: [
      code,
      // The copy is of the image's WORKDIR: the checkout is still there, read-only, as the note says.
      ...(code.container !== CODE_DIR ? [setup.codeMount] : []),
      { host: outDir, container: OUT_DIR, readOnly: false },
      { host: trackingDir, container: TRACKING_DIR, readOnly: false },
      ...(usageDir !== undefined ? [{ host: usageDir, container: USAGE_DIR, readOnly: false }] : []),
      ...(setup.dockerEnv?.mounts ?? []),
    ],
    env: { ...(setup.dockerEnv?.env ?? {}), ...sandboxEnv(opts.auditId, index, opts.tracking) },
    network: "none",
    limits: setup.limits,
    labels: { [AUDIT_LABEL]: opts.auditId, [RUN_LABEL]: plan.runId, [REPLAY_LABEL]: String(index) },
  };
}

/** One sealed replay, in steps: fresh folders, execute, import what it logged into its replay run, capture, journal. */
async function replayOnce(
  opts: ReplayRunOptions,
  setup: ReplaySetup,
  book: ReplayRunBook,
  index: number,
  engine: ReplayEngine,
): Promise<"done" | "aborted"> {
  const { plan } = opts;
  const t0 = performance.now();
  const startedAt = new Date();
  const folders = replayFolders(opts.auditDir, index, opts.measureUsage === true);
  const { outDir, trackingDir } = folders;
  opts.onEvent?.({ type: "start", index, ...(engine.name !== undefined ? { engine: engine.name } : {}) });
  const tree = workTreeFor(setup, folders.workDir);
  const spec = replaySpec(opts, setup, index, folders, tree.mount);
  const env = spec.env;

  let executed: Executed;
  let workTree: WorkTreeRecord;
  try {
    executed = await executeWithRetries(opts, engine, spec, index);
  } finally {
    // Whatever happened, the copy does not outlive the execution; what it wrote is listed first.
    workTree = settleWorkTree(tree, folders.workDir);
  }
  if (executed.kind === "aborted") {
    opts.onEvent?.({ type: "aborted", index });
    return "aborted";
  }
  const base = { index, startedAt: startedAt.toISOString(), t0, ...(engine.name ? { engine: engine.name } : {}) };
  if (executed.kind === "infrastructure")
    return journalRecord(opts, infrastructureRecord(base, executed.message, engine.executor.kind));
  if (executed.kind === "engine-down") {
    // Journaled so the journal shows what happened, then redone on another engine (its record replaces this one).
    const message = `${executed.message}; redone on another engine`;
    journalRecord(opts, infrastructureRecord(base, message, engine.executor.kind));
    throw new EngineDownError(engine.name ?? "the engine", executed.message);
  }

  const secrets = [...secretValues(env), ...planSecretValues(plan)];
  const res: ExecResult = {
    ...executed.result,
    stdoutTail: redactText(executed.result.stdoutTail, secrets),
    stderrTail: redactText(executed.result.stderrTail, secrets),
  };
  let failure = failureOf(res);
  if (opts.signal?.aborted && failure?.kind === "signal") {
    // Killed by our own abort but reported as a signal: not a result.
    opts.onEvent?.({ type: "aborted", index });
    return "aborted";
  }

  // The workload has run; everything from here talks to the real server, never the workload.
  const choice = chooseSandboxRun(readSandboxStore(join(trackingDir, STORE_SUBDIR)));
  const measured = readUsage(folders);
  const notes = [...choice.notes, ...(measured.note !== undefined ? [measured.note] : [])];
  let replayRunId: string | undefined;
  try {
    replayRunId = await book.runFor(
      index,
      {
        command: redactPlan(plan).command,
        executor: engine.executor.kind,
        ...(setup.image ? { imageId: setup.image } : {}),
      },
      startedAt.getTime(),
    );
    if (choice.run) notes.push(...(await importSandboxRun(opts.client, replayRunId, choice.run)));
    await book.finish(replayRunId, failure ? "FAILED" : "FINISHED");
  } catch (err) {
    if (replayRunId !== undefined) await book.finish(replayRunId, "FAILED").catch(() => undefined);
    const message = `the replay ran, but importing it into the tracking server failed: ${(err as Error).message}`;
    return journalRecord(opts, {
      ...infrastructureRecord(base, message, res),
      ...(replayRunId ? { replayRunId } : {}),
    });
  }

  const captured = await captureMetrics({
    spec: plan.capture,
    outDir,
    stdout: res.stdoutTail,
    ...(choice.run ? { sandboxRun: choice.run } : {}),
    originalMetricNames: Object.keys(plan.originalMetrics),
  });
  if (!failure && captured.error && Object.keys(captured.metrics).length === 0)
    failure = { kind: "capture", message: captured.error };
  return journalRecord(opts, {
    ...resultFields(base, res),
    status: failure ? "failed" : "finished",
    ...(failure ? { failure } : {}),
    replayRunId,
    metrics: captured.metrics,
    missingMetrics: captured.missing,
    notes,
    workTree,
    ...(measured.usage !== undefined ? { usage: measured.usage } : {}),
  });
}

/**
 * How an execution ended, before anything is journaled: the workload ran (whatever
 * its exit), the engine failed under it (journaled as infrastructure, redone on
 * resume), or an abort stopped it (journaled not at all).
 */
type Executed =
  | { kind: "ran"; result: ExecResult }
  | { kind: "infrastructure"; message: string }
  | { kind: "engine-down"; message: string }
  | { kind: "aborted" };

/**
 * Runs the spec; an engine that fails (throws, rather than reporting the workload's end)
 * is tried again, unless it is gone and another engine is up to redo the replay on.
 */
async function executeWithRetries(
  opts: ReplayRunOptions,
  engine: ReplayEngine,
  spec: ExecSpec,
  index: number,
): Promise<Executed> {
  const delays = opts.engineRetryDelaysMs ?? ENGINE_RETRY_DELAYS_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await engine.executor.run(spec, {
        ...(opts.signal ? { signal: opts.signal } : {}),
        onOutput: (stream, chunk) => opts.onEvent?.({ type: "output", index, stream, chunk }),
      });
      // The engine ended it, not the workload: with another engine up, redone there; else an
      // infrastructure fault (the run is incomplete, --resume redoes it), never the workload's exit.
      if (result.stoppedBy !== undefined) {
        const message = `the engine${engine.name !== undefined ? ` ${engine.name}` : ""} ended the replay: ${result.stoppedBy}`;
        return engine.failover ? { kind: "engine-down", message } : { kind: "infrastructure", message };
      }
      return { kind: "ran", result };
    } catch (err) {
      if (err instanceof ExecAbortedError || opts.signal?.aborted) return { kind: "aborted" };
      const where = engine.name !== undefined ? ` on ${engine.name}` : "";
      const message = `the ${engine.executor.kind} executor failed${where}: ${(err as Error).message}`;
      if (engine.failover && engineGone(err)) return { kind: "engine-down", message };
      const delay = delays[attempt];
      if (delay === undefined) return { kind: "infrastructure", message: `${message} (after ${attempt + 1} attempts)` };
      opts.onEvent?.({ type: "retry", index, message: `${message}; retrying in ${Math.round(delay / 1000)} s` });
      if (!(await sleepUnlessAborted(delay, opts.signal))) return { kind: "aborted" };
    }
  }
}

function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = (): void => {
      clearTimeout(t);
      resolve(false);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

interface RecordBase {
  index: number;
  startedAt: string;
  t0: number;
  /** the engine it ran on, where the replays have several (or were named one) */
  engine?: string;
}

function resultFields(base: RecordBase, res: ExecResult) {
  return {
    type: "replay" as const,
    index: base.index,
    exitCode: res.exitCode,
    ...(res.signal !== undefined ? { signal: res.signal } : {}),
    oomKilled: res.oomKilled,
    timedOut: res.timedOut,
    durationMs: res.durationMs,
    wallMs: performance.now() - base.t0,
    stdoutTail: res.stdoutTail.slice(-4000),
    stderrTail: res.stderrTail.slice(-4000),
    executor: res.executor,
    isolated: res.isolated,
    pinned: res.pinned,
    ...(res.imageId !== undefined ? { imageId: res.imageId } : {}),
    ...(base.engine !== undefined ? { engine: base.engine } : {}),
    startedAt: base.startedAt,
    finishedAt: new Date().toISOString(),
  };
}

/** The engine or the server failed, not the workload: journaled so it shows, and redone on resume. */
function infrastructureRecord(base: RecordBase, message: string, res: ExecResult | Executor["kind"]): JournalReplay {
  const notRun: ExecResult = {
    exitCode: null,
    oomKilled: false,
    timedOut: false,
    durationMs: 0,
    stdoutTail: "",
    stderrTail: "",
    stdoutTruncated: false,
    stderrTruncated: false,
    isolated: false,
    pinned: false,
    executor: "docker",
  };
  const fields = resultFields(base, typeof res === "string" ? { ...notRun, executor: res } : res);
  return {
    ...fields,
    status: "failed",
    failure: { kind: "infrastructure", message },
    metrics: {},
    missingMetrics: [],
    notes: [],
  };
}

function journalRecord(opts: ReplayRunOptions, record: JournalReplay): "done" {
  opts.journal.append(record);
  opts.onEvent?.({ type: "done", record });
  return "done";
}

/** The probe in the image, without network, the code read-only; an interrupt rejects with ExecAbortedError. */
async function probeContainer(
  opts: ReplayRunOptions,
  image: string | undefined,
  codeMount: MountSpec,
  limits: ExecSpec["limits"],
): Promise<ProbeOutcome> {
  try {
    const res = await opts.executor.run(
      {
        ...(image ? { image } : {}),
        command: probeCommand("python3"),
        workdir: CODE_DIR,
        mounts: [codeMount],
        env: { HOME: "/tmp" },
        network: "none",
        limits: { ...limits, timeoutMs: Math.min(limits.timeoutMs, 120_000) },
        outputLimitBytes: 4 * 1024 * 1024,
        // Found by the next harness if this one dies while it runs (it runs beside the replays).
        labels: { [PROBE_LABEL]: opts.auditId, [RUN_LABEL]: opts.plan.runId },
      },
      opts.signal ? { signal: opts.signal } : {},
    );
    if (res.exitCode !== 0) return { probeError: `probe exited ${res.exitCode}: ${res.stderrTail.trim().slice(-300)}` };
    const container = parseProbeOutput(res.stdoutTail);
    return { container, ...(res.imageId ? { imageId: res.imageId } : {}) };
  } catch (err) {
    if (err instanceof ExecAbortedError) throw err;
    return { probeError: (err as Error).message };
  }
}
