import { existsSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { BadInputError, firstIssueMessage } from "../errors.js";
import { selectionEventsAsStages } from "../selection/progress.js";
import { resolveSelection } from "../selection/resolve.js";
import { type Selection, describeSelection } from "../selection/selection.js";
import type { TolerancePolicy } from "../drift/schema.js";
import type { OnBuildProgress } from "../exec/build-progress.js";
import { EXECUTORS, type EngineCapacity, type ExecutorKind } from "../exec/executors.js";
import { hostFingerprint } from "../fingerprint/host.js";
import type { HostFingerprint } from "../fingerprint/schema.js";
import { type Limits, mergeLimits } from "../plan/limits.js";
import { AuditIdSchema, type Report, type ReportRun } from "../report/schema.js";
import { type ReportPaths, writeReport } from "../report/write.js";
import type { MlflowClient } from "../tracking/client.js";
import { buildChecklist } from "../trace/checklist.js";
import { collectSubjects } from "../trace/mlflow-collect.js";
import { harnessVersion } from "../version.js";
import { assembleReport } from "./assemble-report.js";
import { AUDIT_MANIFEST, type AuditManifest, readManifest, sameSelection, writeManifest } from "./audit-manifest.js";
import { type RunFacts, assembleRun, comparedMetricNames } from "./assemble-run.js";
import { previewRuns, runStepOptions } from "./audit-preview.js";
import { PlanError } from "../plan/plan.js";
import { mlflowAuditPorts, readRunFromMlflow } from "./mlflow-ports.js";
import type { AuditPorts, ReadRun } from "./ports.js";
import { type AuditedModelVersion, type PublishResult, publishReport } from "./publish.js";
import type { ReplayJobResult } from "./replay-pipeline.js";
import { KeptPreparation } from "./replay-pipeline.js";
import { type ProbeCache, type ReplayEvent, newAuditId } from "./replay-runner.js";
import { type PoolSize, ReplayPool, type ReplayShare, poolSize } from "./replay-pool.js";
import { EnginePools } from "./engine-pools.js";
import type { EngineEndpoint } from "../exec/engine-endpoints.js";
import { ORIGINAL_SNAPSHOT_FILE, readOriginalSnapshot, writeOriginalSnapshot } from "./original-snapshot-file.js";
import { type OriginalSnapshot, originalEvidence, snapshotChanges, snapshotRun } from "./original-snapshot.js";
import { gatherReplayEvidence, isHarnessArtifact, takeOriginalSnapshot } from "./run-evidence.js";
import { notebookEvidence, originalNotebookArtifact } from "./notebook-evidence.js";
import { isSafeRunId } from "./safe-run-id.js";
import { originalModelTexts, recordedMlflowVersion } from "./original-environment.js";
import {
  type AdaptiveOutcome,
  type ReplayCount,
  adaptiveOutcome,
  decideReplayCount,
  journaledUpTo,
} from "./adaptive-replays.js";
import { DEFAULT_MAX_REPLAYS, firstLook } from "../drift/replay-counts.js";

// The main job: select runs, snapshot each original, replay it N times (the `replay`
// pipeline), read back the replays' histories and artifact hashes, score them
// against the snapshot, check that the original did not change meanwhile, and
// write results/<audit-id>/ with the report in every format; then attach it to the
// runs and their model versions. Runs overlap and every replay of the audit shares
// one pool (replay-pool.ts); each run is journaled under results/<audit-id>/runs/<run-id>/,
// so an interrupted audit resumes with the same audit id and redoes only what had
// not finished.

export interface AuditJobOptions {
  /** may be left out when resuming: the audit's manifest holds it */
  selection?: Selection;
  /** shown in the report (credentials stripped) and handed to replays */
  trackingUri: string;
  /** the tracking server; the audit's ports are built over it unless `ports` are given */
  client?: MlflowClient;
  /** what the audit reads, replays and publishes through (tests pass in-memory doubles) */
  ports?: AuditPorts;
  /** replays per run: exactly N, or "auto" (the stopping rule decides, up to maxReplays) */
  replays: number | "auto";
  /** the budget of an auto count (default DEFAULT_MAX_REPLAYS) */
  maxReplays?: number;
  /** replays at once, all runs together: K, or "auto": as many as the engine's CPUs and memory hold (replay-pool.ts) */
  parallel: number | "auto";
  /** what an engine has for replays (`url`: which engine; default: the executor's, from the engine); injectable for tests */
  capacity?: (url?: string) => Promise<EngineCapacity | undefined>;
  executor: ExecutorKind;
  /** the docker engines replays are spread over (--engine), each with its own pool; absent: the default engine alone */
  engines?: readonly EngineEndpoint[];
  codePath?: string;
  scenarioDir?: string;
  limits?: Partial<Limits>;
  extraParams?: "append" | "ignore";
  auditExperiment?: string;
  /** docker_env host access allowed by name (--allow-mount, --allow-env); see ReplayJobOptions */
  allowMounts?: string[];
  allowEnv?: string[];
  trackingDataDirs?: string[];
  resultsDir: string;
  policy: TolerancePolicy;
  /** a new id when absent */
  auditId?: string;
  /** continue the audit `auditId`: finished replays are not redone */
  resume?: boolean;
  publish: boolean;
  concurrency?: number;
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  /** paths in the report are shown relative to this folder (default: the working directory) */
  displayRoot?: string;
  onStage?: (message: string) => void;
  onRun?: (position: number, total: number, runId: string) => void;
  /** `runId`: whose replay (runs share one pool, so several runs' events interleave) */
  onEvent?: (e: ReplayEvent, runId: string) => void;
  onBuildProgress?: OnBuildProgress;
  /** injectable for host-independent tests */
  host?: () => Promise<HostFingerprint>;
}

export interface AuditJobResult {
  report: Report;
  paths: ReportPaths;
  publish?: PublishResult;
  /** interrupted: the report holds what finished; resume with the same audit id */
  aborted: boolean;
  /** a run that could not be planned, built or replayed at all, or whose original changed during the audit */
  infrastructureErrors: string[];
}

/** An audit that cannot start as asked (bad id, nothing selected, a resume that does not fit). */
export class AuditError extends BadInputError {}

export async function auditJob(opts: AuditJobOptions): Promise<AuditJobResult> {
  const stage = opts.onStage ?? (() => undefined);
  const ports = opts.ports ?? (opts.client !== undefined ? mlflowAuditPorts(opts.client) : undefined);
  if (ports === undefined) throw new Error("internal error: auditJob needs a tracking client or its ports");
  const auditId = opts.auditId ?? newAuditId("audit");
  const idCheck = AuditIdSchema.safeParse(auditId);
  if (!idCheck.success)
    throw new AuditError(`--audit-id ${JSON.stringify(auditId)}: ${firstIssueMessage(idCheck.error)}`);
  const auditDir = join(resolve(opts.resultsDir), auditId);
  if (opts.resume === true && !existsSync(auditDir)) {
    throw new AuditError(`--resume ${auditId}: no audit folder at ${auditDir}`);
  }
  if (opts.resume !== true && existsSync(auditDir)) {
    throw new AuditError(
      `audit ${auditId} already exists at ${auditDir}: continue it with --resume ${auditId}, or choose another --audit-id`,
    );
  }

  // Read once: the manifest gives a resume its selection and the runs it started with.
  let manifest: AuditManifest | undefined;
  let manifestError: string | undefined;
  if (opts.resume === true) {
    try {
      manifest = readManifest(auditDir);
    } catch (err) {
      manifestError = (err as Error).message;
    }
  }
  const selection = selectionFor(opts, auditId, manifest?.selection, manifestError);
  const count = replayCountFor(opts, manifest?.replayCount);
  // A resume audits the runs the audit started with, even if an alias moved or an
  // experiment gained runs since.
  const startedWith = manifest?.runIds;
  const resolveAs: Selection =
    startedWith !== undefined && startedWith.length > 0 ? { kind: "runs", runIds: startedWith } : selection;
  stage(`selecting ${describeSelection(resolveAs)}`);
  // A large selection reports how far it got, a few lines rather than one per run.
  const selectionProgress = selectionEventsAsStages(stage);
  const { runs, modelVersion } = await resolveSelection(ports.selection, resolveAs, {
    concurrency: opts.concurrency ?? 8,
    onEvent: selectionProgress,
  });
  if (runs.length === 0) throw new AuditError(`${describeSelection(selection)} matched no runs`);

  // Before anything is written or built: each run planned and checked as `--dry-run`
  // shows it. A run that cannot be replayed is refused here, before any image is
  // prepared; when none can, the refusal is the answer and no audit folder is made.
  // A resume skips this (its folder holds earlier work; replayJob checks each run again).
  const refusals = new Map<string, PlanError>();
  const shares: ReplayShare[] = [];
  if (opts.resume !== true) {
    stage(`checking that ${runs.length} run(s) can be replayed`);
    const previews = await previewRuns(
      opts,
      ports,
      runs.map((r) => readRunFromMlflow(r).run),
      auditId,
      // the refusal does not depend on the artifacts, and each run's snapshot lists them
      { listArtifacts: false },
    );
    for (const p of previews) {
      if (p.refusal !== undefined) refusals.set(p.runId, new PlanError(p.refusal));
      else if (p.plan !== undefined) shares.push(p.plan.limits);
    }
    if (refusals.size === runs.length) throw refusedAll([...refusals.values()]);
  }
  if (opts.resume !== true) {
    await writeManifest(auditDir, {
      auditId,
      createdAt: new Date().toISOString(),
      selection,
      runIds: runs.map((r) => r.info.run_id),
      replayCount: count,
    });
  }

  // Read beside the replays, not before them: neither the traceability checklists nor
  // the host's fingerprint is needed until the report is assembled.
  stage(`checking what ${runs.length} run(s) recorded`);
  const traced = settled(
    collectSubjects(ports.selection, runs, {
      concurrency: opts.concurrency ?? 8,
      onProgress: (done, total) => selectionProgress({ kind: "collected", done, total }),
    }),
  );
  const hostRead = settled((opts.host ?? (() => hostFingerprint()))());

  // One pool per engine for every replay of the audit; the runs after the first are
  // planned and their images prepared while earlier runs' replays hold its slots. Up
  // to one run more than the pools' limit is in flight, so runs of one replay each still fill them.
  const sizes = await auditPoolSizes(opts, shares);
  for (const s of sizes) stage(s.engine !== undefined ? `engine ${s.engine.name}: ${s.size.why}` : s.size.why);
  const pool = new EnginePools(
    sizes.map((s) => ({ engine: s.engine?.name ?? "the engine", limit: s.size.limit })),
    (engine, reason) =>
      stage(`engine ${engine} is down for the rest of the audit (${reason}): its replays are redone on the others`),
  );
  const parallel = pool.limit;
  const runsInFlight = new ReplayPool(parallel + 1);
  const probes: ProbeCache = new Map();
  const outcomes = await Promise.all(
    runs.map((run, i) =>
      runsInFlight.run(async () => {
        const runId = run.info.run_id;
        if (!opts.signal?.aborted) opts.onRun?.(i + 1, runs.length, runId);
        // Converted once, here: the snapshot and the replays take this run, not a new read of it.
        return auditOneRun(opts, ports, readRunFromMlflow(run), {
          auditId,
          auditDir,
          count,
          pool,
          probes,
          ...(refusals.has(runId) ? { refused: refusals.get(runId) } : {}),
        });
      }),
    ),
  );

  const subjects = await traced;
  if ("error" in subjects) throw subjects.error;
  const items = new Map(subjects.value.map((s) => [s.run.runId, buildChecklist(s)]));
  const modelVersions: AuditedModelVersion[] = subjects.value.flatMap((s) =>
    s.modelVersions.map((mv) => ({ name: mv.name, version: mv.version, runId: s.run.runId })),
  );
  // The version the user named is tagged even if the run-based search missed it.
  if (modelVersion?.run_id)
    modelVersions.unshift({ name: modelVersion.name, version: modelVersion.version, runId: modelVersion.run_id });
  const hostFacts = await hostRead;
  if ("error" in hostFacts) stage(`host fingerprint unavailable: ${(hostFacts.error as Error).message}`);
  const host = "value" in hostFacts ? hostFacts.value : undefined;

  const reportRuns: ReportRun[] = [];
  const infrastructureErrors: string[] = [];
  const unplannable: BadInputError[] = [];
  let aborted = false;
  for (const [i, facts] of outcomes.entries()) {
    const runId = runs[i]?.info.run_id ?? "";
    facts.facts.traceItems = items.get(runId) ?? [];
    if (host !== undefined) facts.facts.host = host;
    if (facts.aborted) aborted = true;
    if (facts.unplannable) unplannable.push(facts.unplannable);
    if (facts.facts.error !== undefined && !facts.aborted)
      infrastructureErrors.push(`run ${runId}: ${facts.facts.error}`);
    reportRuns.push(
      assembleRun({ ...facts.facts, ...(facts.aborted ? { interrupted: true } : {}), auditNotes: facts.notes }),
    );
  }

  // Ctrl-C while the last run's evidence was read: the report is partial all the same.
  if (opts.signal?.aborted) aborted = true;

  // Nothing was replayed, only refused for what the user gave: the refusal is the
  // answer, once, and a report of runs that never ran would be noise to delete. A
  // resumed audit keeps its folder (it holds earlier work); an audit where some run
  // was planned writes its report, the unplannable runs in it as failed.
  if (!aborted && opts.resume !== true && unplannable.length === runs.length) {
    rmSync(auditDir, { recursive: true, force: true });
    throw refusedAll(unplannable);
  }

  const report = assembleReport(
    {
      auditId,
      createdAt: new Date(),
      harnessVersion: harnessVersion(),
      nodeVersion: process.version,
      inputs: {
        trackingUri: opts.trackingUri,
        selection: selectionRecord(selection),
        replays: Math.max(count.mode === "fixed" ? count.replays : 0, ...reportRuns.map((r) => r.replays.length)),
        ...(count.mode === "auto" ? { maxReplays: count.maxReplays } : {}),
        parallel,
        executor: opts.executor,
        ...(opts.engines !== undefined
          ? {
              engines: sizes.map((s) => {
                const down = pool.down.find((d) => d.engine === s.engine?.name);
                return {
                  name: s.engine?.name ?? "",
                  parallel: s.size.limit,
                  ...(down !== undefined ? { down: down.reason } : {}),
                };
              }),
            }
          : {}),
        tolerance: opts.policy,
      },
    },
    reportRuns,
  );
  stage(`writing the report to ${auditDir}`);
  const paths = await writeReport(report, opts.resultsDir);

  // An incomplete audit (interrupted, or a replay the infrastructure stopped) is not
  // attached: its verdicts are not settled, and the runs keep their earlier tags.
  const incomplete = aborted || report.score.runs.incomplete > 0;
  let publish: PublishResult | undefined;
  if (opts.publish && incomplete) stage("not attaching the report to the runs: the audit is incomplete");
  if (opts.publish && !incomplete) {
    stage("attaching the report to the audited runs");
    publish = await publishReport(ports.publisher, report, paths, modelVersions);
  }
  return { report, paths, ...(publish ? { publish } : {}), aborted, infrastructureErrors };
}

/** Each engine's pool size (poolSize from that engine's capacity, or --parallel K each); one unnamed engine without --engine. */
async function auditPoolSizes(
  opts: AuditJobOptions,
  shares: readonly ReplayShare[],
): Promise<Array<{ engine?: EngineEndpoint; size: PoolSize }>> {
  if (opts.engines === undefined || opts.engines.length === 0) return [{ size: await auditPoolSize(opts, shares) }];
  return Promise.all(opts.engines.map(async (engine) => ({ engine, size: await auditPoolSize(opts, shares, engine) })));
}

/**
 * A pool's limit: --parallel K, or what the engine's CPUs and memory hold with each
 * replay's limits (the largest any planned run has; on resume, the flags' over the defaults).
 */
async function auditPoolSize(
  opts: AuditJobOptions,
  shares: readonly ReplayShare[],
  engine?: EngineEndpoint,
): Promise<PoolSize> {
  const fallback = mergeLimits(opts.limits);
  const share: ReplayShare = {
    cpus: Math.max(...(shares.length > 0 ? shares : [fallback]).map((s) => s.cpus)),
    memoryMb: Math.max(...(shares.length > 0 ? shares : [fallback]).map((s) => s.memoryMb)),
  };
  const capacityOf = opts.capacity ?? EXECUTORS[opts.executor].capacity;
  const capacity = opts.parallel === "auto" ? await capacityOf(engine?.url) : undefined;
  return poolSize(opts.parallel, capacity, share, REPLAY_POOL_MAX);
}

/** The most replays at once an automatic limit gives, whatever the engine has (--parallel's own bound). */
const REPLAY_POOL_MAX = 64;

/** A promise's outcome, never rejecting: started now, looked at later, with no unhandled rejection meanwhile. */
function settled<T>(p: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  return p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

/** The answer of an audit none of whose runs can be replayed: the one refusal, or each run's, once. */
function refusedAll(refusals: readonly BadInputError[]): BadInputError {
  const [only] = refusals;
  if (only !== undefined && refusals.length === 1) return only;
  return new AuditError(
    `none of the ${refusals.length} runs can be replayed:\n${refusals.map((e) => e.message).join("\n")}`,
  );
}

/** The selection to audit: the given one, or on resume the manifest's (a different one is refused). */
function selectionFor(
  opts: AuditJobOptions,
  auditId: string,
  stored: Selection | undefined,
  manifestError: string | undefined,
): Selection {
  if (opts.selection === undefined) {
    if (manifestError !== undefined) throw new AuditError(manifestError);
    if (stored !== undefined) return stored;
    throw new AuditError(
      opts.resume === true
        ? `--resume ${auditId}: the audit folder has no ${AUDIT_MANIFEST}; give the selection again (--run, --experiment, --model ...)`
        : "no runs selected",
    );
  }
  if (stored !== undefined && !sameSelection(stored, opts.selection)) {
    throw new AuditError(
      `--resume ${auditId}: that audit selected ${describeSelection(stored)}, not ${describeSelection(opts.selection)}; leave the selection out to resume it as it was`,
    );
  }
  return opts.selection;
}

/**
 * How many replays per run. A resume keeps the count the audit started with (its
 * manifest's), so an auto audit stays auto and goes on from what is journaled; a
 * fixed one may be extended by a larger --replays N, as the journal allows (the
 * replay runner takes the larger of the request and the journal's count).
 */
function replayCountFor(opts: AuditJobOptions, stored: AuditManifest["replayCount"]): ReplayCount {
  const given: ReplayCount =
    opts.replays === "auto"
      ? { mode: "auto", maxReplays: opts.maxReplays ?? DEFAULT_MAX_REPLAYS }
      : { mode: "fixed", replays: opts.replays };
  if (stored === undefined) {
    // No count in the manifest: an audit started before `--replays auto` existed, so a
    // fixed one. Resumed under auto, it gets what a resume got then: --replays's
    // default of that time (3), or the larger count its journals were started with.
    return opts.resume === true && given.mode === "auto" ? { mode: "fixed", replays: 3 } : given;
  }
  if (stored.mode === "auto") return stored;
  return given.mode === "fixed" ? { mode: "fixed", replays: Math.max(given.replays, stored.replays) } : stored;
}

interface RunContext {
  auditId: string;
  auditDir: string;
  count: ReplayCount;
  /** the audit's replay pools (one per engine), and its probe results by image */
  pool: EnginePools;
  probes: ProbeCache;
  /** the check before the audit refused this run: it is reported with the refusal, not snapshotted or replayed */
  refused?: PlanError | undefined;
}

interface RunOutcome {
  facts: RunFacts;
  notes: string[];
  aborted: boolean;
  /** the replays were refused before any ran, for what the user gave (no command, no code, no commit) */
  unplannable?: BadInputError;
}

async function auditOneRun(
  opts: AuditJobOptions,
  ports: AuditPorts,
  read: ReadRun,
  ctx: RunContext,
): Promise<RunOutcome> {
  const runId = read.run.runId;
  const base: RunFacts = {
    run: read.run,
    // filled in once the checklists are read (beside the replays)
    traceItems: [],
    replaysRequested: ctx.count.mode === "fixed" ? ctx.count.replays : firstLook(ctx.count.maxReplays),
    policy: opts.policy,
    displayRoot: opts.displayRoot ?? process.cwd(),
  };
  if (!isSafeRunId(runId)) {
    // Run IDs come from the server and name a folder under results/: never let one climb out.
    return {
      facts: {
        ...base,
        error: `run ID ${JSON.stringify(runId)} is not a plain identifier; refusing to use it as a folder name`,
      },
      notes: [],
      aborted: false,
    };
  }
  if (opts.signal?.aborted) {
    return {
      facts: { ...base, error: "not replayed: the audit was interrupted before this run" },
      notes: [],
      aborted: true,
    };
  }
  if (ctx.refused !== undefined)
    return { facts: { ...base, error: ctx.refused.message }, notes: [], aborted: false, unplannable: ctx.refused };
  const runDir = join(ctx.auditDir, "runs", runId);
  const notes: string[] = [];
  let snapshot: OriginalSnapshot;
  try {
    snapshot = await originalSnapshotFor(opts, ports, read, runDir, notes);
  } catch (err) {
    const aborted = opts.signal?.aborted === true;
    return {
      facts: {
        ...base,
        error: aborted
          ? "interrupted while reading the original"
          : `could not read the original before the replays: ${(err as Error).message}`,
      },
      notes,
      aborted,
    };
  }
  const original = snapshotRun(snapshot);
  // What its logged model recorded of mlflow: the version a replay gets where the environment lacks it.
  const recordedMlflow = recordedMlflowVersion(originalModelTexts(originalEvidence(snapshot, [], isHarnessArtifact)));

  // The run's code, plan and prepared image, kept across an auto count's looks.
  const keep = new KeptPreparation();
  const stepOptions = runStepOptions(opts, { runId, original, auditId: ctx.auditId, runDir });
  // A run prepared after an engine went down is prepared on the engines still up (the first of them builds).
  const down = new Set(ctx.pool.down.map((d) => d.engine));
  const engines = stepOptions.engines?.filter((e) => !down.has(e.name));
  const replayStepOptions = {
    ...stepOptions,
    ...(engines !== undefined && engines.length > 0 ? { engines } : {}),
    ...(recordedMlflow !== undefined ? { recordedMlflow } : {}),
    parallel: ctx.pool.limit,
    pool: ctx.pool,
    probes: ctx.probes,
    keep,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onEvent ? { onEvent: (e: ReplayEvent) => opts.onEvent?.(e, runId) } : {}),
    ...(opts.onBuildProgress ? { onBuildProgress: opts.onBuildProgress } : {}),
  };
  const step = (replays: number) => ports.replay({ ...replayStepOptions, replays });
  let job: ReplayJobResult;
  let adaptive: AdaptiveOutcome | undefined;
  try {
    ({ job, adaptive } = await replayRun(step, ctx.count, opts.policy, opts.onStage).finally(() => keep.close()));
  } catch (err) {
    const aborted = opts.signal?.aborted === true;
    return {
      facts: {
        ...base,
        run: original,
        error: aborted ? "interrupted while preparing the replays" : (err as Error).message,
      },
      notes,
      aborted,
      ...(!aborted && err instanceof BadInputError ? { unplannable: err } : {}),
    };
  }

  const facts: RunFacts = {
    ...base,
    run: job.run,
    plan: job.plan,
    // A resumed journal may hold more replays than this invocation asked for.
    replaysRequested: Math.max(job.summary.replays, adaptive?.record.replays ?? 0),
    ...(adaptive ? { adaptive } : {}),
    ...(job.image ? { image: job.image } : {}),
    ...(job.summary.environment ? { environment: job.summary.environment } : {}),
    replays: job.summary.records,
    ...(job.code ? { code: job.code } : {}),
  };
  if (job.summary.environment?.probeError)
    notes.push(`environment probe failed: ${job.summary.environment.probeError}`);
  if (job.summary.aborted) return { facts, notes, aborted: true };
  // The original read again after the last replay, beside reading the replays' evidence (which writes nothing to it).
  const after = settled(takeOriginalSnapshot(ports.reader, runId));

  // Histories and artifacts of replays live on the tracking server only when replays log there.
  // A notebook run's executed notebook is compared cell by cell, not by hash (its outputs are the evidence).
  const notebookArtifact =
    job.plan.notebook !== undefined
      ? originalNotebookArtifact(Object.keys(snapshot.artifacts), job.plan.notebook.path)
      : undefined;
  const ignoredArtifact = (path: string) => isHarnessArtifact(path) || path === notebookArtifact;
  if (job.plan.capture.mode === "mlflow") {
    const own = originalEvidence(snapshot, comparedMetricNames(job.run, job.plan), ignoredArtifact);
    notes.push(...snapshot.notes);
    try {
      const byIndex = new Map(job.summary.records.map((r) => [r.index, r]));
      const replayRunIds = Array.from({ length: job.summary.replays }, (_, i) => {
        const r = byIndex.get(i);
        return r?.status === "finished" ? r.replayRunId : undefined;
      });
      opts.onStage?.(`reading histories and artifacts of the replays of ${runId}`);
      const got = await gatherReplayEvidence({
        reader: ports.reader,
        replayRunIds,
        historyNames: Object.keys(own.originalHistories ?? {}),
      });
      facts.evidence = { ...own, ...got.evidence };
      notes.push(...got.notes);
    } catch (err) {
      notes.push(`histories and artifacts not compared: ${(err as Error).message}`);
    }
  }

  if (job.plan.notebook !== undefined) {
    opts.onStage?.(`comparing the notebook cells of ${runId}`);
    try {
      const notebook = await notebookEvidence({
        reader: ports.reader,
        runId,
        plan: job.plan,
        originalArtifacts: Object.keys(snapshot.artifacts),
        runDir,
        replays: job.summary.replays,
      });
      if (notebook !== undefined) facts.notebook = notebook;
    } catch (err) {
      notes.push(`notebook cells not compared: ${(err as Error).message}`);
    }
  }

  // Scored against the snapshot; the original must still be what the snapshot says.
  opts.onStage?.(`checking that ${runId} did not change during the audit`);
  const again = await after;
  if ("value" in again) {
    const changes = snapshotChanges(snapshot, again.value);
    if (changes.length > 0) {
      facts.error = `the original run changed during the audit: ${changes.join("; ")}`;
      facts.notScored = "the original run changed during the audit";
    }
  } else {
    facts.error = `could not read the original again after the replays to check that it did not change: ${(again.error as Error).message}`;
    // A server fault, not a finding about the run: the audit could not tell, and a resume checks again.
    facts.unchecked = "the original run could not be checked after the replays";
  }
  return { facts, notes, aborted: false };
}

/**
 * The run's replays: N of them, or with an auto count, the first look's, then more
 * up to each next look while the stopping rule says so. Each batch is one call of
 * the replay step over the same journal, so it runs only the indexes not yet
 * journaled, and a resumed auto audit picks the rule up from what the journal
 * holds. An interrupted batch ends the loop with no outcome: the run is incomplete.
 */
async function replayRun(
  step: (replays: number) => Promise<ReplayJobResult>,
  count: ReplayCount,
  policy: TolerancePolicy,
  onStage: ((message: string) => void) | undefined,
): Promise<{ job: ReplayJobResult; adaptive?: AdaptiveOutcome }> {
  if (count.mode === "fixed") return { job: await step(count.replays) };
  let target = firstLook(count.maxReplays);
  for (;;) {
    const job = await step(target);
    if (job.summary.aborted) return { job };
    const reached = Math.max(target, journaledUpTo(job.summary.records));
    if (reached > target) {
      // A resume whose journal went past this look: fill its gaps before asking the rule.
      target = reached;
      continue;
    }
    const decision = decideReplayCount({
      run: job.run,
      plan: job.plan,
      records: job.summary.records,
      replays: target,
      policy,
      maxReplays: count.maxReplays,
    });
    onStage?.(`auto: ${decision.why}`);
    if (decision.action === "stop") return { job, adaptive: adaptiveOutcome(decision, target, count.maxReplays) };
    target = decision.target;
  }
}

/**
 * The snapshot this audit scores the run against: the one stored when the audit
 * first reached the run (so a resume scores against the run as it was then), else
 * one taken now, before any replay, and stored.
 */
async function originalSnapshotFor(
  opts: AuditJobOptions,
  ports: AuditPorts,
  read: ReadRun,
  runDir: string,
  notes: string[],
): Promise<OriginalSnapshot> {
  const runId = read.run.runId;
  const stored = readOriginalSnapshot(runDir);
  if (stored !== undefined) {
    if (stored.run.runId !== runId)
      throw new Error(`${join(runDir, ORIGINAL_SNAPSHOT_FILE)} is a snapshot of run ${stored.run.runId}, not ${runId}`);
    return stored;
  }
  opts.onStage?.(`taking a snapshot of ${runId} before its replays`);
  const snapshot = await takeOriginalSnapshot(ports.reader, runId, { read });
  if (opts.resume === true && existsSync(join(runDir, "journal.jsonl"))) {
    // An audit started by a version without snapshots: replays already ran.
    notes.push(
      "the snapshot of the original was taken on resume, after earlier replays: a change made before it is not detected",
    );
  }
  await writeOriginalSnapshot(runDir, snapshot);
  return snapshot;
}

/** The selection as the report records it: what the user asked for, flat. */
function selectionRecord(sel: Selection): Record<string, string | string[]> {
  switch (sel.kind) {
    case "experiment":
      return { experiment: sel.experiments, ...(sel.filter ? { filter: sel.filter } : {}) };
    case "experiment_id":
      return { experiment_id: sel.experimentIds };
    case "filter":
      return { filter: sel.filter };
    case "runs":
      return { run: sel.runIds };
    case "model_version":
      return { model: sel.model, version: sel.version };
    case "model_alias":
      return { model: sel.model, alias: sel.alias };
  }
}
