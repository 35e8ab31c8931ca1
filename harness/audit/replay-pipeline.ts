import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { dockerEnvRuntime, parseVolume } from "../exec/docker-env.js";
import { docker, engineEndpoint } from "../exec/engine.js";
import { ALLOW_ENV_FLAG, ALLOW_MOUNT_FLAG, decideHostAccess } from "../exec/host-access.js";
import { protectedHostPaths, requestedHostAccess, resolveHostPath } from "../exec/host-paths.js";
import { DockerExecutor } from "../exec/docker-executor.js";
import { reapLeftovers } from "../exec/reap.js";
import { ensureEnvImage } from "../exec/env-image.js";
import type { Executor } from "../exec/executor.js";
import { codeFingerprint } from "../fingerprint/code.js";
import type { CodeFingerprint } from "../fingerprint/schema.js";
import type { OnBuildProgress } from "../exec/build-progress.js";
import { LocalExecutor } from "../exec/local-executor.js";
import { resolveNamedImage } from "../exec/named-image.js";
import { type Checkout, checkoutAtCommit } from "../plan/code-checkout.js";
import { type CodeFolder, readCodeFolder, resolveEnvironment } from "../plan/code-folder.js";
import type { Limits } from "../plan/limits.js";
import { type ReplayPlan, PlanError, buildPlan, chooseCommandSource } from "../plan/plan.js";
import { redactPlan } from "../plan/redact-plan.js";
import { DIFF_ARTIFACT_PATH, type RecordedRun, recordedRunFromMlflow } from "../plan/recorded-run.js";
import { Tags } from "../tracking/tags.js";
import { AuditIdSchema } from "../report/schema.js";
import { MlflowClient } from "../tracking/client.js";
import { defaultDataDir } from "../tracking/server/embedded-server.js";
import { isSafeRunId } from "./safe-run-id.js";
import { Journal } from "./journal.js";
import { type ReplayEvent, type ReplayRunSummary, newAuditId, runReplays } from "./replay-runner.js";

// The whole replay of one run, as `replay` and `audit` use it: read the run, get
// its code (a scratch checkout at its commit, or a scenario folder), plan, build or
// find the pinned image, and run the replays into a journal under results/.

export interface ReplayJobOptions {
  runId: string;
  /**
   * The run as the caller already read it (`audit` passes its snapshot taken before
   * the first replay); when absent it is read from the server here.
   */
  original?: RecordedRun;
  replays: number;
  parallel: number;
  executor: "docker" | "local";
  codePath?: string;
  scenarioDir?: string;
  resumeAuditId?: string;
  auditId?: string;
  /** folder for this run's journal and outputs (default: <resultsDir>/<auditId>); `audit` nests runs in one audit folder */
  runDir?: string;
  limits?: Partial<Limits>;
  extraParams?: "append" | "ignore";
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
}

export interface ReplayJobResult {
  run: RecordedRun;
  plan: ReplayPlan;
  summary: ReplayRunSummary;
  auditDir: string;
  /** the code the replays ran, fingerprinted before a scratch checkout is removed */
  code?: CodeFingerprint;
  image?: { imageId: string; built: boolean; seconds: number; mismatches: Array<{ what: string; requested: string; actual: string }> };
}

export async function replayJob(opts: ReplayJobOptions): Promise<ReplayJobResult> {
  const env = opts.env ?? process.env;
  const client = opts.client ?? MlflowClient.fromEnv({ ...env, MLFLOW_TRACKING_URI: opts.trackingUri });
  const stage = opts.onStage ?? (() => undefined);

  let run: RecordedRun;
  if (opts.original !== undefined) {
    if (opts.original.runId !== opts.runId) throw new PlanError(`internal error: replayJob got run ${opts.original.runId} to replay run ${opts.runId}`);
    run = opts.original;
  } else {
    stage(`reading run ${opts.runId}`);
    run = recordedRunFromMlflow(await client.getRun(opts.runId));
  }

  let checkout: Checkout | undefined;
  try {
    let folder: CodeFolder;
    let code: { source: "checkout" | "scenario"; path: string; commit?: string; diffAvailable: boolean; diffApplied?: boolean };
    const notes: string[] = [];
    if (opts.codePath !== undefined) {
      const commit = run.tags[Tags.gitCommit];
      if (!commit) {
        throw new PlanError(`run ${run.runId} recorded no git commit (${Tags.gitCommit}); replay it from a scenario folder with --scenario DIR`);
      }
      const diff = await recordedDiff(client, run);
      stage(`checking out ${commit.slice(0, 12)} from ${opts.codePath}`);
      checkout = await checkoutAtCommit({ repo: opts.codePath, commit, ...(diff !== undefined ? { diff } : {}) });
      if (checkout.diffError) notes.push(`the recorded diff did not apply: ${checkout.diffError}`);
      const sub = opts.scenarioDir !== undefined ? resolve(checkout.path, opts.scenarioDir) : checkout.path;
      folder = readCodeFolder(sub);
      code = { source: "checkout", path: sub, commit, diffAvailable: diff !== undefined, diffApplied: checkout.diffApplied };
    } else if (opts.scenarioDir !== undefined) {
      folder = readCodeFolder(opts.scenarioDir);
      code = { source: "scenario", path: folder.dir, diffAvailable: false };
    } else if ((run.tags[Tags.reproCommand] ?? "").trim() !== "") {
      // A command tag with no code: an empty, read-only /code.
      // One stable empty folder (not a fresh temp dir), so a resumed plan has the same code path.
      const empty = join(resolve(opts.resultsDir), ".empty-code");
      mkdirSync(empty, { recursive: true });
      chmodSync(empty, 0o555);
      folder = { dir: empty };
      code = { source: "scenario", path: empty, diffAvailable: false };
    } else {
      throw new PlanError(`run ${run.runId}: say where its code is: --code PATH (a git checkout) or --scenario DIR`);
    }

    const source = chooseCommandSource(run, { project: folder.project !== undefined, scenario: folder.scenario !== undefined });
    const environment = source ? resolveEnvironment(folder, source) : { source: "none" as const, requirements: [] };
    const plan = buildPlan({
      run,
      ...(folder.project ? { project: folder.project } : {}),
      ...(folder.scenario ? { scenario: folder.scenario } : {}),
      environment,
      code,
      options: { ...(opts.extraParams ? { extraParams: opts.extraParams } : {}), ...(opts.limits ? { limits: opts.limits } : {}) },
    });
    plan.notes.push(...notes);

    // Both name folders under results/: a run ID from the server or an id from the
    // command line must not climb out of it.
    if (!isSafeRunId(run.runId)) throw new PlanError(`run ID ${JSON.stringify(run.runId)} is not a plain identifier; refusing to use it as a folder name`);
    const auditId = opts.resumeAuditId ?? opts.auditId ?? newAuditId(run.runId);
    const idCheck = AuditIdSchema.safeParse(auditId);
    if (!idCheck.success) throw new PlanError(`audit id ${JSON.stringify(auditId)}: ${idCheck.error.issues[0]?.message ?? "invalid"}`);
    const auditDir = opts.runDir !== undefined ? resolve(opts.runDir) : join(resolve(opts.resultsDir), auditId);
    const journalPath = join(auditDir, "journal.jsonl");
    if (opts.resumeAuditId !== undefined && !existsSync(journalPath)) {
      throw new PlanError(`--resume ${opts.resumeAuditId}: no journal at ${journalPath}`);
    }
    if (plan.environment.source === "docker_env") {
      // Before the audit folder, the image and any replay run: a refused plan leaves nothing behind.
      plan.notes.push(...gateDockerEnvHostAccess(plan, opts, env, auditDir));
    }
    mkdirSync(auditDir, { recursive: true });
    const journal = Journal.open(journalPath);

    let executor: Executor;
    let image: ReplayJobResult["image"];
    if (opts.executor === "docker") {
      const client = docker();
      if (plan.environment.dockerImage) {
        stage(`using the MLproject's image ${plan.environment.dockerImage}`);
        const named = await resolveNamedImage(plan.environment.dockerImage, client);
        plan.environment.dockerImage = named.imageId;
        image = { imageId: named.imageId, built: false, seconds: 0, mismatches: [] };
      } else {
        stage(`preparing the pinned image (${plan.environment.requirements.length} requirements)`);
        const env = await ensureEnvImage({
          requirements: plan.environment.requirements,
          ...(plan.environment.python ? { python: plan.environment.python } : {}),
          ignored: plan.environment.ignored,
          ...(opts.onBuildProgress ? { onProgress: opts.onBuildProgress } : {}),
          ...(opts.signal ? { signal: opts.signal } : {}),
          client,
        });
        image = { imageId: env.imageId, built: env.built, seconds: env.seconds, mismatches: env.mismatches };
      }
      // A harness killed earlier (this audit's, or any whose containers outlived their deadline) left these.
      const reaped = await reapLeftovers(client, { auditId });
      if (reaped.removed.length > 0) stage(`removed ${reaped.removed.length} container(s) left by an interrupted harness`);
      executor = new DockerExecutor(client);
    } else {
      executor = new LocalExecutor(env);
      plan.notes.push("local executor: not isolated, not pinned (runs with the host's python on PATH)");
    }

    if (plan.environment.source === "docker_env") plan.notes.push(...dockerEnvNotes(plan, env));
    if (opts.executor === "docker" && (statSync(plan.code.path).mode & 0o005) !== 0o005) {
      // Replays run as uid 65534 (nobody): a 0700 folder fails as "Permission denied" inside.
      plan.notes.push(`the code folder ${plan.code.path} is not readable by other users; replays run as an unprivileged user and may not read it (chmod o+rX)`);
    }
    // Stored for the reader: secret-named params redacted; the replays get the real plan.
    writeFileSync(join(auditDir, "plan.json"), `${JSON.stringify(redactPlan(plan), null, 2)}\n`);
    stage(`running ${opts.replays} replay(s) of ${run.runId} (audit ${auditId})`);
    const summary = await runReplays({
      plan,
      replays: opts.replays,
      parallel: opts.parallel,
      executor,
      ...(image ? { imageId: image.imageId, imageInfo: { mismatches: image.mismatches, seconds: image.seconds, built: image.built } } : {}),
      auditId,
      journal,
      auditDir,
      client,
      ...(opts.auditExperiment ? { auditExperiment: opts.auditExperiment } : {}),
      hostEnv: env,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    });
    const codeFp = await codeFingerprint(plan.code.path).catch(() => undefined);
    return { run, plan, summary, auditDir, ...(codeFp ? { code: codeFp } : {}), ...(image ? { image } : {}) };
  } finally {
    await checkout?.remove();
  }
}

/**
 * Refuses (PlanError) a docker_env that mounts or copies from the host what the command
 * line did not allow, or what is never given (host-access.ts). What is allowed is
 * rewritten to its resolved path, so the engine mounts what was checked even if a
 * symlink changes later. Returns the notes that say what was allowed.
 */
function gateDockerEnvHostAccess(plan: ReplayPlan, opts: ReplayJobOptions, env: Record<string, string | undefined>, auditDir: string): string[] {
  const e = plan.environment;
  const request = requestedHostAccess({ image: e.dockerImage ?? "", volumes: e.dockerVolumes, environment: e.dockerEnvironment }, plan.code.path);
  const folders = [
    { path: resolve(opts.resultsDir), what: "the results folder" },
    { path: auditDir, what: "this audit's folder" },
    ...[defaultDataDir(env), ...(opts.trackingDataDirs ?? [])].map((path) => ({ path, what: "the tracking server's data folder" })),
  ];
  const decision = decideHostAccess(request, {
    allowMounts: (opts.allowMounts ?? []).map((p) => resolveHostPath(p, process.cwd()).path),
    allowEnv: opts.allowEnv ?? [],
    // The engine this process talks to, and the one the caller's environment names.
    protectedPaths: protectedHostPaths({ folders, dockerHosts: [engineEndpoint(), env["DOCKER_HOST"]] }),
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
  e.dockerVolumes = e.dockerVolumes.map((v) => {
    const host = resolved.get(v);
    if (host === undefined) return v;
    const { container, mode } = parseVolume(v);
    return [host, container, ...(mode ? [mode] : [])].join(":");
  });
  return [
    ...decision.mounts.map((m) => `docker_env volume ${JSON.stringify(m.entry)}: ${m.host} mounted read-only by ${ALLOW_MOUNT_FLAG} ${m.allowedBy}`),
    ...decision.env.map((name) => `docker_env: ${name} copied from the host by ${ALLOW_ENV_FLAG} ${name}`),
  ];
}

/** What a docker_env replay will not get as the MLproject asked: unset host variables, writable volumes. */
function dockerEnvNotes(plan: ReplayPlan, env: Record<string, string | undefined>): string[] {
  const e = plan.environment;
  const rt = dockerEnvRuntime({ image: e.dockerImage ?? "", volumes: e.dockerVolumes, environment: e.dockerEnvironment }, plan.code.path, env);
  const notes: string[] = [];
  if (rt.missingHostVars.length > 0) notes.push(`docker_env asks to copy ${rt.missingHostVars.join(", ")} from the host (allowed by ${ALLOW_ENV_FLAG}), but it is not set here: the replay runs without it`);
  if (rt.forcedReadOnly.length > 0) notes.push(`docker_env volume(s) ${rt.forcedReadOnly.join(", ")} mounted read-only: replays write only to their output folder`);
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
