import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, sep } from "node:path";
import { dockerEnvRequest, dockerEnvRuntime, parseVolume } from "../exec/docker-env.js";
import { engineEndpoint } from "../exec/engine.js";
import { EXECUTORS, type ExecutorKind, type ImageInfo, type PreparedExecutor } from "../exec/executors.js";
import { DEFAULT_WORK_TREE_LIMITS, type WorkTreeLimits } from "../exec/work-tree.js";
import { ALLOW_ENV_FLAG, ALLOW_MOUNT_FLAG, decideHostAccess } from "../exec/host-access.js";
import { protectedHostPaths, requestedHostAccess, resolveHostPath } from "../exec/host-paths.js";
import { codeFingerprint } from "../fingerprint/code.js";
import type { CodeFingerprint } from "../fingerprint/schema.js";
import type { OnBuildProgress } from "../exec/build-progress.js";
import { type Checkout, checkoutAtCommit } from "../plan/code-checkout.js";
import { type CodeFolder, readCodeFolder, resolveEnvironment } from "../plan/code-folder.js";
import { type NotebookEntry, notebookEntry } from "../plan/notebook-source.js";
import { originalNotebookArtifact } from "./notebook-evidence.js";
import type { Limits } from "../plan/limits.js";
import {
  type PlanInput,
  type ReplayPlan,
  PlanError,
  buildPlan,
  chooseCommandSource,
  recordedScriptName,
} from "../plan/plan.js";
import { scriptInCheckout } from "../plan/recorded-script.js";
import { mlflowImportIn } from "../plan/code-imports.js";
import type { RecordedMlflow } from "../plan/mlflow-requirement.js";
import { redactPlan } from "../plan/redact-plan.js";
import {
  DIFF_ARTIFACT_PATH,
  type RecordedRun,
  commandSubdir,
  projectSubdir,
  recordedRunFromMlflow,
} from "../plan/recorded-run.js";
import { Tags } from "../tracking/tags.js";
import { AuditIdSchema } from "../report/schema.js";
import { MlflowClient } from "../tracking/client.js";
import { defaultDataDir } from "../tracking/server/data-dir.js";
import { BadInputError } from "../errors.js";
import { type RunPreview, metricsToCompare, replayRefusal } from "./replay-check.js";
import { isHarnessArtifact } from "./run-evidence.js";
import { isSafeRunId } from "./safe-run-id.js";
import { Journal } from "./journal.js";
import { EnginePools } from "./engine-pools.js";
import type { EngineEndpoint } from "../exec/engine-endpoints.js";
import {
  type ProbeCache,
  type ReplayEvent,
  type ReplayRunSummary,
  WORK_TREE_ENV,
  newAuditId,
  runReplays,
} from "./replay-runner.js";

// The whole replay of one run, as `replay` and `audit` use it, as a sequence of
// steps: read the run, get its code (a scratch checkout at its commit, or a scenario
// folder), plan, check docker_env's host access, prepare the executor (its pinned
// image), and run the replays into a journal under results/. Each step returns a new
// plan rather than changing the one it was given.

export interface ReplayJobOptions {
  runId: string;
  /**
   * The run as the caller already read it (`audit` passes its snapshot taken before
   * the first replay); when absent it is read from the server here.
   */
  original?: RecordedRun;
  replays: number;
  parallel: number;
  executor: ExecutorKind;
  /** the docker engines to spread the replays over (--engine); absent: the default engine alone */
  engines?: readonly EngineEndpoint[];
  codePath?: string;
  scenarioDir?: string;
  resumeAuditId?: string;
  auditId?: string;
  /** folder for this run's journal and outputs (default: <resultsDir>/<auditId>); `audit` nests runs in one audit folder */
  runDir?: string;
  limits?: Partial<Limits>;
  extraParams?: "append" | "ignore";
  /** the mlflow version the original recorded (its logged model's files, as the audit's snapshot read them) */
  recordedMlflow?: RecordedMlflow;
  auditExperiment?: string;
  /** host paths an MLproject's docker_env may mount (read-only): --allow-mount */
  allowMounts?: string[];
  /** host variables an MLproject's docker_env may copy ("NAME" entries): --allow-env */
  allowEnv?: string[];
  /** data folders of tracking servers on this host: never mounted (the embedded default is always protected) */
  trackingDataDirs?: string[];
  resultsDir: string;
  trackingUri: string;
  client?: MlflowClient;
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  onEvent?: (e: ReplayEvent) => void;
  onStage?: (message: string) => void;
  onBuildProgress?: OnBuildProgress;
  /** the audit's replay pools, one per engine (engine-pools.ts); without them, up to `parallel` of this run's replays at once on each engine */
  pool?: EnginePools;
  /** the audit's probe results by image: each image is probed once per audit */
  probes?: ProbeCache;
  /** keeps this run's fixed work for its next batch (an auto count's looks); absent: done and removed per call */
  keep?: KeptPreparation;
}

export interface ReplayJobResult {
  run: RecordedRun;
  plan: ReplayPlan;
  summary: ReplayRunSummary;
  auditDir: string;
  /** the code the replays ran, fingerprinted before a scratch checkout is removed */
  code?: CodeFingerprint;
  image?: ImageInfo;
}

/** What one run's replays need before the first of them, done once per run. */
interface PreparedRun {
  run: RecordedRun;
  plan: ReplayPlan;
  prepared: PreparedExecutor;
  auditId: string;
  auditDir: string;
  journal: Journal;
  treeLimits: WorkTreeLimits;
  checkout?: Checkout;
  /** the code's fingerprint (git), taken once after the first batch */
  code?: Promise<CodeFingerprint | undefined>;
}

/**
 * The fixed work of one run's replays (the code and its scratch checkout, the plan,
 * the prepared executor and its image check, the journal, the code's fingerprint),
 * kept across the batches of that run (an auto count's looks: each is one more
 * `replayJob` call) so it is done once. The caller closes it when the run is done,
 * which removes the scratch checkout.
 */
export class KeptPreparation {
  prepared: Promise<PreparedRun> | undefined;

  async close(): Promise<void> {
    const p = await this.prepared?.catch(() => undefined);
    this.prepared = undefined;
    await p?.checkout?.remove();
  }
}

export async function replayJob(opts: ReplayJobOptions): Promise<ReplayJobResult> {
  const env = opts.env ?? process.env;
  const client = opts.client ?? MlflowClient.fromEnv({ ...env, MLFLOW_TRACKING_URI: opts.trackingUri });
  const stage = opts.onStage ?? (() => undefined);
  const kept = opts.keep;
  let ready: PreparedRun | undefined;
  try {
    const preparing = kept?.prepared ?? prepareRun(opts, client, env, stage);
    if (kept !== undefined) kept.prepared = preparing;
    ready = await preparing;
    const { run, plan, prepared, auditId, auditDir, journal } = ready;
    stage(`running ${opts.replays} replay(s) of ${run.runId} (audit ${auditId})`);
    const pool = opts.pool ?? ownEnginePools(opts, prepared, stage);
    const summary = await runReplays({
      plan,
      replays: opts.replays,
      parallel: opts.parallel,
      ...(pool ? { pool } : {}),
      ...(opts.probes ? { probes: opts.probes } : {}),
      executor: prepared.executor,
      ...(prepared.engines ? { engines: prepared.engines } : {}),
      ...(prepared.image ? { image: prepared.image } : {}),
      auditId,
      journal,
      auditDir,
      client,
      ...(opts.auditExperiment ? { auditExperiment: opts.auditExperiment } : {}),
      hostEnv: env,
      workTreeLimits: ready.treeLimits,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    });
    ready.code ??= codeFingerprint(plan.code.path).catch(() => undefined);
    const codeFp = await ready.code;
    return {
      run,
      plan,
      summary,
      auditDir,
      ...(codeFp ? { code: codeFp } : {}),
      ...(prepared.image ? { image: prepared.image } : {}),
    };
  } finally {
    // Kept for the run's next batch; the caller's close() removes it.
    if (kept === undefined) await ready?.checkout?.remove();
  }
}

/**
 * `replay` on several engines (no audit's pools to share): a pool of `--parallel` on each
 * engine the image is on, stated, and an engine going down said; one engine: none (runReplays' own).
 */
function ownEnginePools(
  opts: Pick<ReplayJobOptions, "parallel">,
  prepared: PreparedExecutor,
  stage: (message: string) => void,
): EnginePools | undefined {
  const engines = prepared.engines ?? [];
  if (engines.length < 2) return undefined;
  for (const e of engines) stage(`engine ${e.name}: parallel ${opts.parallel}: as --parallel asked`);
  return new EnginePools(
    engines.map((e) => ({ engine: e.name, limit: Math.max(1, opts.parallel) })),
    (engine, reason) =>
      stage(`engine ${engine} is down for the rest of the replay (${reason}): its replays are redone on the others`),
  );
}

/** Code, plan, refusal check, audit folder, journal, prepared executor and plan.json: everything before the first replay. */
async function prepareRun(
  opts: ReplayJobOptions,
  client: MlflowClient,
  env: Record<string, string | undefined>,
  stage: (message: string) => void,
): Promise<PreparedRun> {
  // Read before anything is built, so a bad value costs nothing.
  const treeLimits = workTreeLimits(env);
  const run = await originalRun(opts, client, stage);
  const planned = await planRun(run, opts, client, env, stage);
  try {
    // The check a preview prints, here before the audit folder, the image and any replay run.
    const refusal = replayRefusal(run, planned.plan);
    if (refusal !== undefined) throw new PlanError(refusal);
    const { auditId, auditDir, journalPath } = planned;
    mkdirSync(auditDir, { recursive: true });
    const journal = Journal.open(journalPath);
    const prepared = await EXECUTORS[opts.executor].prepare({
      environment: planned.plan.environment,
      codePath: planned.plan.code.path,
      auditId,
      // Later runs are prepared while earlier runs replay: reaping stays within this run.
      runId: planned.plan.runId,
      ...(opts.engines !== undefined ? { engines: opts.engines } : {}),
      hostEnv: env,
      onStage: stage,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onBuildProgress ? { onBuildProgress: opts.onBuildProgress } : {}),
    });
    const plan = withPreparedExecutor(planned.plan, prepared, env);
    // Stored for the reader: secret-named params redacted; the replays get the real plan.
    writeFileSync(join(auditDir, "plan.json"), `${JSON.stringify(redactPlan(plan), null, 2)}\n`);
    return {
      run,
      plan,
      prepared,
      auditId,
      auditDir,
      journal,
      treeLimits,
      ...(planned.checkout ? { checkout: planned.checkout } : {}),
    };
  } catch (err) {
    await planned.checkout?.remove();
    throw err;
  }
}

/** The per-replay copy's size limit: the default, or REPRO_AUDIT_WORK_TREE_MAX_MB when set to a positive number. */
function workTreeLimits(env: Record<string, string | undefined>): WorkTreeLimits {
  const raw = env[WORK_TREE_ENV];
  if (raw === undefined || raw.trim() === "") return DEFAULT_WORK_TREE_LIMITS;
  const mb = Number(raw);
  if (!Number.isFinite(mb) || mb <= 0)
    throw new BadInputError(`${WORK_TREE_ENV}=${JSON.stringify(raw)}: give the limit in MiB, a positive number`);
  return { ...DEFAULT_WORK_TREE_LIMITS, maxBytes: Math.round(mb * 1024 ** 2) };
}

/** What a preview of one run's replay needs: the replay's options without the count, the pool and the callbacks of running. */
export type ReplayPreviewOptions = Omit<
  ReplayJobOptions,
  "replays" | "parallel" | "resumeAuditId" | "signal" | "onEvent" | "onBuildProgress" | "pool" | "probes" | "keep"
> & {
  /**
   * false: leave the original's artifact listing out of `compared` (the audit's check
   * before it writes: the refusal does not depend on it, and the snapshot lists them
   * anyway, so listing here would be one more request per run). Default: listed.
   */
  listArtifacts?: boolean;
};

/**
 * The replay of one run as it would go, with nothing built, run or written (`--dry-run`,
 * and the audit's check before it starts): the same planning as `replayJob` (code,
 * command, environment, docker_env host access), the same refusal, the image the
 * executor would use read from the engine only, and what would be compared. A run
 * that cannot be planned gets the refusal the replay would fail with.
 */
export async function previewReplay(opts: ReplayPreviewOptions): Promise<RunPreview> {
  const env = opts.env ?? process.env;
  const client = opts.client ?? MlflowClient.fromEnv({ ...env, MLFLOW_TRACKING_URI: opts.trackingUri });
  const stage = opts.onStage ?? (() => undefined);
  const run = await originalRun(opts, client, stage);
  const head = {
    runId: run.runId,
    ...(run.runName !== undefined ? { runName: run.runName } : {}),
    ...(run.status !== undefined ? { status: run.status } : {}),
  };
  let planned: Awaited<ReturnType<typeof planRun>>;
  try {
    planned = await planRun(run, { ...opts, preview: true }, client, env, stage);
  } catch (err) {
    if (!(err instanceof BadInputError)) throw err;
    return { ...head, compared: { metrics: [] }, refusal: err.message, notes: [] };
  }
  try {
    const { plan } = planned;
    const notes: string[] = [];
    const image = await EXECUTORS[opts.executor].preview(plan.environment, opts.engines?.[0]?.url);
    const listed =
      opts.listArtifacts !== false && plan.capture.mode === "mlflow"
        ? await artifactFiles(client, run.runId, notes)
        : undefined;
    // As the audit does: a notebook run's executed notebook is compared cell by cell, not by hash.
    const executed =
      plan.notebook !== undefined && listed ? originalNotebookArtifact(listed, plan.notebook.path) : undefined;
    const artifacts = listed?.filter((path) => path !== executed);
    const refusal = replayRefusal(run, plan) ?? image.problem;
    return {
      ...head,
      plan,
      image: image.image,
      compared: { metrics: metricsToCompare(run, plan), ...(artifacts ? { artifacts } : {}) },
      ...(refusal !== undefined ? { refusal } : {}),
      notes,
    };
  } finally {
    await planned.checkout?.remove();
  }
}

/** The original's artifact files that replays are compared on (the harness's own left out); undefined, with a note, when they cannot be listed. */
async function artifactFiles(client: MlflowClient, runId: string, notes: string[]): Promise<string[] | undefined> {
  try {
    const files = await client.listArtifactsRecursive({ runId });
    return files
      .filter((f) => !f.is_dir && !isHarnessArtifact(f.path))
      .map((f) => f.path)
      .sort();
  } catch (err) {
    notes.push(`the original's artifacts could not be listed: ${(err as Error).message}`);
    return undefined;
  }
}

/**
 * Everything a replay is planned from, before anything is prepared or written: the
 * code, the plan, the audit's folders (named, not made) and docker_env's host access.
 * `preview`: only look; the stable empty code folder of a command-tag run is named, not made.
 */
export async function planRun(
  run: RecordedRun,
  opts: ReplayPreviewOptions & { resumeAuditId?: string; preview?: boolean },
  client: MlflowClient,
  env: Record<string, string | undefined>,
  stage: (message: string) => void,
): Promise<{ plan: ReplayPlan; checkout?: Checkout; auditId: string; auditDir: string; journalPath: string }> {
  const code = await codeFor(run, opts, client, stage);
  try {
    let plan = planFor(run, code, opts);
    const folder = auditFolder(run, opts);
    if (plan.environment.source === "docker_env") {
      // Before the audit folder, the image and any replay run: a refused plan leaves nothing behind.
      plan = gateDockerEnvHostAccess(plan, opts, env, folder.auditDir);
    }
    return { plan, ...(code.checkout ? { checkout: code.checkout } : {}), ...folder };
  } catch (err) {
    await code.checkout?.remove();
    throw err;
  }
}

/** The run as the caller read it (audit's snapshot), else as the server has it now. */
async function originalRun(
  opts: Pick<ReplayJobOptions, "runId" | "original">,
  client: MlflowClient,
  stage: (message: string) => void,
): Promise<RecordedRun> {
  if (opts.original !== undefined) {
    if (opts.original.runId !== opts.runId)
      throw new PlanError(`internal error: replayJob got run ${opts.original.runId} to replay run ${opts.runId}`);
    return opts.original;
  }
  stage(`reading run ${opts.runId}`);
  return recordedRunFromMlflow(await client.getRun(opts.runId));
}

interface RunCode {
  folder: CodeFolder;
  code: PlanInput["code"];
  /** what getting the code found (a recorded diff that did not apply) */
  notes: string[];
  /** a scratch checkout the caller removes when the replays are done */
  checkout?: Checkout;
}

/** Where the replays' code comes from: a scratch checkout at the run's commit, a scenario folder, or none for a recorded command. */
async function codeFor(
  run: RecordedRun,
  opts: Pick<ReplayJobOptions, "codePath" | "scenarioDir" | "resultsDir"> & { preview?: boolean },
  client: MlflowClient,
  stage: (message: string) => void,
): Promise<RunCode> {
  if (opts.codePath !== undefined) {
    const commit = run.tags[Tags.gitCommit];
    if (!commit) {
      throw new PlanError(
        `run ${run.runId} recorded no git commit (${Tags.gitCommit}); replay it from a scenario folder with --scenario DIR`,
      );
    }
    const diff = await recordedDiff(client, run);
    stage(`checking out ${commit.slice(0, 12)} from ${opts.codePath}`);
    const checkout = await checkoutAtCommit({ repo: opts.codePath, commit, ...(diff !== undefined ? { diff } : {}) });
    const notes = checkout.diffError ? [`the recorded diff did not apply: ${checkout.diffError}`] : [];
    // `mlflow run repo#subdir`: the project, and its working directory, is that subfolder;
    // a recorded command line runs in the folder it was typed in.
    const launched = projectSubdir(run);
    const typedIn = launched === undefined ? commandSubdir(run) : undefined;
    const projectDir = opts.scenarioDir === undefined ? (launched ?? typedIn) : undefined;
    if (projectDir !== undefined && launched !== undefined)
      notes.push(`the MLproject and working directory are the recorded project folder ${projectDir}`);
    else if (projectDir !== undefined)
      notes.push(`the working directory is ${projectDir}, where the recorded command ran (${Tags.commandCwd})`);
    const sub =
      opts.scenarioDir !== undefined
        ? resolve(checkout.path, opts.scenarioDir)
        : projectDir !== undefined
          ? join(checkout.path, projectDir)
          : checkout.path;
    // Read inside the checkout's lifetime: a folder that fails to read still gets the checkout removed.
    try {
      return {
        folder: readCodeFolder(sub),
        code: {
          source: "checkout",
          path: sub,
          commit,
          diffAvailable: diff !== undefined,
          diffApplied: checkout.diffApplied,
        },
        notes,
        checkout,
      };
    } catch (err) {
      await checkout.remove();
      throw err;
    }
  }
  if (opts.scenarioDir !== undefined) {
    const folder = readCodeFolder(opts.scenarioDir);
    return { folder, code: { source: "scenario", path: folder.dir, diffAvailable: false }, notes: [] };
  }
  if ((run.tags[Tags.reproCommand] ?? "").trim() !== "") {
    // A command tag with no code: an empty /code (each replay gets its own empty copy).
    // One stable empty folder (not a fresh temp dir), so a resumed plan has the same code path.
    const empty = join(resolve(opts.resultsDir), ".empty-code");
    if (opts.preview !== true) {
      mkdirSync(empty, { recursive: true });
      chmodSync(empty, 0o555);
    }
    return { folder: { dir: empty }, code: { source: "scenario", path: empty, diffAvailable: false }, notes: [] };
  }
  throw new PlanError(`run ${run.runId}: say where its code is: --code PATH (a git checkout) or --scenario DIR`);
}

/** The plan for the run in that code: the command source, its environment, and what getting the code noted. */
function planFor(
  run: RecordedRun,
  { folder, code, notes }: RunCode,
  opts: Pick<ReplayJobOptions, "extraParams" | "limits" | "recordedMlflow">,
): ReplayPlan {
  const notebook = notebookFor(run, folder);
  const source = chooseCommandSource(run, {
    project: folder.project !== undefined,
    scenario: folder.scenario !== undefined,
    notebook: notebook !== undefined,
  });
  const recorded = source === "script" ? recordedScriptName(run) : undefined;
  const script = recorded !== undefined ? scriptInCheckout(recorded, filesOf(folder.dir)) : undefined;
  const scriptPath =
    source === "notebook" ? notebook?.path : script !== undefined && "path" in script ? script.path : undefined;
  const environment = source
    ? resolveEnvironment(folder, source, scriptPath)
    : { source: "none" as const, requirements: [] };
  // The code that runs: the project folder, or the recorded script's folder tree.
  const codeDir = scriptPath?.includes("/")
    ? join(folder.dir, scriptPath.slice(0, scriptPath.lastIndexOf("/")))
    : folder.dir;
  const mlflowImportedBy = source !== undefined ? mlflowImportIn(codeDir, folder.dir) : undefined;
  const plan = buildPlan({
    run,
    ...(notebook !== undefined ? { notebook } : {}),
    ...(script !== undefined ? { script } : {}),
    ...(mlflowImportedBy !== undefined ? { mlflowImportedBy } : {}),
    ...(opts.recordedMlflow !== undefined ? { recordedMlflow: opts.recordedMlflow } : {}),
    ...(folder.project ? { project: folder.project } : {}),
    ...(folder.scenario ? { scenario: folder.scenario } : {}),
    environment,
    code,
    options: {
      ...(opts.extraParams ? { extraParams: opts.extraParams } : {}),
      ...(opts.limits ? { limits: opts.limits } : {}),
    },
  });
  return withNotes(plan, notes);
}

/**
 * The run's notebook when it is a notebook run: a notebook scenario says so; the run's
 * source tags only where nothing else says what to run (no MLproject, no scenario, no
 * recorded command), as a recorded script is used only then.
 */
function notebookFor(run: RecordedRun, folder: CodeFolder): NotebookEntry | undefined {
  const scenarioNotebook = folder.scenario?.notebook;
  const fromTags =
    folder.project === undefined && folder.scenario === undefined && (run.tags[Tags.reproCommand] ?? "").trim() === "";
  if (scenarioNotebook === undefined && !fromTags) return undefined;
  if (scenarioNotebook !== undefined && !existsSync(join(folder.dir, scenarioNotebook)))
    throw new PlanError(`${folder.scenarioFile ?? folder.dir}: notebook ${scenarioNotebook} is not in ${folder.dir}`);
  const found = notebookEntry(run, {
    ...(scenarioNotebook !== undefined ? { scenarioNotebook } : {}),
    files: scenarioNotebook !== undefined ? [] : filesOf(folder.dir),
  });
  if (found !== undefined && "refusal" in found) throw new PlanError(`run ${run.runId}: ${found.refusal}`);
  return found;
}

/** The files of a code folder, relative to it, the repository's own .git left out. */
function filesOf(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((f) => f.split(sep).join("/"))
    .filter((f) => f !== ".git" && !f.startsWith(".git/"))
    .filter((f) => statSync(join(dir, f), { throwIfNoEntry: false })?.isFile() === true);
}

function withNotes(plan: ReplayPlan, notes: readonly string[]): ReplayPlan {
  return notes.length === 0 ? plan : { ...plan, notes: [...plan.notes, ...notes] };
}

/** The audit's id and folders; both name folders under results/, so neither may climb out of it. */
function auditFolder(
  run: RecordedRun,
  opts: Pick<ReplayJobOptions, "resumeAuditId" | "auditId" | "runDir" | "resultsDir">,
): { auditId: string; auditDir: string; journalPath: string } {
  if (!isSafeRunId(run.runId))
    throw new PlanError(
      `run ID ${JSON.stringify(run.runId)} is not a plain identifier; refusing to use it as a folder name`,
    );
  const auditId = opts.resumeAuditId ?? opts.auditId ?? newAuditId(run.runId);
  const idCheck = AuditIdSchema.safeParse(auditId);
  if (!idCheck.success)
    throw new PlanError(`audit id ${JSON.stringify(auditId)}: ${idCheck.error.issues[0]?.message ?? "invalid"}`);
  const auditDir = opts.runDir !== undefined ? resolve(opts.runDir) : join(resolve(opts.resultsDir), auditId);
  const journalPath = join(auditDir, "journal.jsonl");
  if (opts.resumeAuditId !== undefined && !existsSync(journalPath)) {
    throw new PlanError(`--resume ${opts.resumeAuditId}: no journal at ${journalPath}`);
  }
  return { auditId, auditDir, journalPath };
}

/**
 * The plan as it runs on the prepared executor: an MLproject's named image pinned to
 * the ID it resolved to, and the notes on what the replays get there.
 */
function withPreparedExecutor(
  plan: ReplayPlan,
  prepared: PreparedExecutor,
  env: Record<string, string | undefined>,
): ReplayPlan {
  const pinned: ReplayPlan =
    plan.environment.dockerImage && prepared.image
      ? { ...plan, environment: { ...plan.environment, dockerImage: prepared.image.imageId } }
      : plan;
  return withNotes(pinned, [
    ...prepared.notes,
    ...(pinned.environment.source === "docker_env" ? dockerEnvNotes(pinned, env) : []),
  ]);
}

/**
 * Refuses (PlanError) a docker_env that mounts or copies from the host what the command
 * line did not allow, or what is never given (host-access.ts). What is allowed is
 * rewritten to its resolved path, so the engine mounts what was checked even if a
 * symlink changes later. The plan returned has those paths, and notes that say what was allowed.
 */
function gateDockerEnvHostAccess(
  plan: ReplayPlan,
  opts: Pick<ReplayJobOptions, "resultsDir" | "trackingDataDirs" | "allowMounts" | "allowEnv" | "engines">,
  env: Record<string, string | undefined>,
  auditDir: string,
): ReplayPlan {
  const e = plan.environment;
  const request = requestedHostAccess(dockerEnvRequest(e), plan.code.path);
  const folders = [
    { path: resolve(opts.resultsDir), what: "the results folder" },
    { path: auditDir, what: "this audit's folder" },
    ...[defaultDataDir(env), ...(opts.trackingDataDirs ?? [])].map((path) => ({
      path,
      what: "the tracking server's data folder",
    })),
  ];
  const decision = decideHostAccess(request, {
    allowMounts: (opts.allowMounts ?? []).map((p) => resolveHostPath(p, process.cwd()).path),
    allowEnv: opts.allowEnv ?? [],
    // The engines this process talks to, and the one the caller's environment names.
    protectedPaths: protectedHostPaths({
      folders,
      dockerHosts: [engineEndpoint(), env["DOCKER_HOST"], ...(opts.engines ?? []).map((e) => e.url)],
    }),
  });
  if (decision.refusals.length > 0) {
    throw new PlanError(
      [
        `the MLproject in ${plan.code.path} asks docker_env for host access that is not allowed:`,
        ...decision.refusals.map((r) => `  - ${r}`),
        `A replay gets no host path and no host variable unless named with ${ALLOW_MOUNT_FLAG} PATH or ${ALLOW_ENV_FLAG} NAME (both repeatable).`,
      ].join("\n"),
    );
  }
  const resolved = new Map(decision.mounts.map((m) => [m.entry, m.host]));
  const dockerVolumes = e.dockerVolumes.map((v) => {
    const host = resolved.get(v);
    if (host === undefined) return v;
    const { container, mode } = parseVolume(v);
    return [host, container, ...(mode ? [mode] : [])].join(":");
  });
  return withNotes({ ...plan, environment: { ...e, dockerVolumes } }, [
    ...decision.mounts.map(
      (m) =>
        `docker_env volume ${JSON.stringify(m.entry)}: ${m.host} mounted read-only by ${ALLOW_MOUNT_FLAG} ${m.allowedBy}`,
    ),
    ...decision.env.map((name) => `docker_env: ${name} copied from the host by ${ALLOW_ENV_FLAG} ${name}`),
  ]);
}

/** What a docker_env replay will not get as the MLproject asked: unset host variables, writable volumes. */
function dockerEnvNotes(plan: ReplayPlan, env: Record<string, string | undefined>): string[] {
  const rt = dockerEnvRuntime(dockerEnvRequest(plan.environment), plan.code.path, env);
  const notes: string[] = [];
  if (rt.missingHostVars.length > 0)
    notes.push(
      `docker_env asks to copy ${rt.missingHostVars.join(", ")} from the host (allowed by ${ALLOW_ENV_FLAG}), but it is not set here: the replay runs without it`,
    );
  if (rt.forcedReadOnly.length > 0)
    notes.push(
      `docker_env volume(s) ${rt.forcedReadOnly.join(", ")} mounted read-only: replays write only to their output folder`,
    );
  return notes;
}

/** The uncommitted changes a dirty original recorded: MLflow 3's diff tag, or the repro/diff.patch artifact. */
async function recordedDiff(client: MlflowClient, run: RecordedRun): Promise<string | undefined> {
  const tag = run.tags[Tags.gitDiff];
  if (tag !== undefined && tag.trim() !== "") return tag;
  const dir = mkdtempSync(join(tmpdir(), "repro-audit-diff-"));
  try {
    const listing = await client.listArtifacts(run.runId, "repro").catch(() => []);
    if (!listing.some((f) => f.path === DIFF_ARTIFACT_PATH)) return undefined;
    const file = join(dir, "diff.patch");
    await client.downloadArtifact(run.runId, DIFF_ARTIFACT_PATH, file);
    return readFileSync(file, "utf8");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
