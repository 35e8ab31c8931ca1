import { relative, isAbsolute } from "node:path";
import { scoreRun } from "../drift/score.js";
import type {
  ExecutionRecord,
  HistoryPoint,
  ReplayRecord,
  RunScore,
  RunVerdict,
  Tolerance,
  TolerancePolicy,
} from "../drift/schema.js";
import { toleranceFor } from "../drift/tolerance.js";
import { MAX_PLOTTED_POINTS, deviationSteps, normaliseSeries, thinSeries } from "../report/history-thinning.js";
import type { ImageInfo } from "../exec/executors.js";
import { assembleFingerprint } from "../fingerprint/assemble.js";
import { redactText } from "../fingerprint/redact.js";
import type { CodeFingerprint, Fingerprint, HostFingerprint } from "../fingerprint/schema.js";
import type { ReplayPlan } from "../plan/plan.js";
import { planSecretValues, redactPlan } from "../plan/redact-plan.js";
import type { RecordedRun } from "../plan/recorded-run.js";
import { environmentFacts } from "../report/environment-facts.js";
import { versionDifferencesFinding } from "../report/version-comparison.js";
import { notebookFindings } from "../report/notebook-findings.js";
import {
  type ReportHistory,
  type ReportImage,
  type ReportNotebook,
  type ReportPlan,
  type ReportReplay,
  type ReportRun,
  type ReplayStatus,
  runScoreParts,
} from "../report/schema.js";
import { isPublishedMetric } from "../tracking/tags.js";
import type { TraceItem } from "../trace/item.js";
import { scoreTrace } from "../trace/score.js";
import { environmentDiff } from "./environment-diff.js";
import type { AdaptiveOutcome } from "./adaptive-replays.js";
import type { EnvironmentRecord, JournalReplay } from "./journal.js";
import { originalEnvironment, originalModelTexts } from "./original-environment.js";
import { replayNumber } from "../drift/format.js";

// One run's entry in the audit report, from what the audit gathered: the recorded
// run, its checklist, the plan, the journal's replay records and environment probe,
// the histories and artifact hashes read back. Pure (path.relative is string work),
// so every shape of success and failure is unit-tested without a server.

/** MLflow's system metrics (CPU, memory, GPU sampled during a run) measure the machine, not the model. */
export const SYSTEM_METRIC_PREFIX = "system/";

export interface RunEvidence {
  /** metric name -> step history of the original (only metrics logged at more than one step) */
  originalHistories?: Record<string, HistoryPoint[]>;
  /** one per replay index; undefined where the replay has none or did not finish */
  replayHistories?: Array<Record<string, HistoryPoint[]> | undefined>;
  /** artifact path -> sha256 of the original's files */
  originalArtifacts?: Record<string, string>;
  replayArtifacts?: Array<Record<string, string> | undefined>;
  /** artifact path -> text of the model files compared by meaning (MLmodel, environment files) */
  originalArtifactTexts?: Record<string, string>;
  replayArtifactTexts?: Array<Record<string, string> | undefined>;
  /** models:/<id>/<path> -> text of the MLflow 3 logged models' files: the original's environment, not scored */
  originalLoggedModelTexts?: Record<string, string>;
  /** the capture plugin's record of the original's environment (its repro/fingerprint.json), as text; not scored */
  originalCaptureRecord?: string;
}

export interface RunFacts {
  run: RecordedRun;
  traceItems: TraceItem[];
  /** replays asked for; indexes without a journal record are reported as skipped */
  replaysRequested: number;
  policy: TolerancePolicy;
  plan?: ReplayPlan;
  image?: ImageInfo;
  environment?: EnvironmentRecord;
  /** journal records, any order */
  replays?: readonly JournalReplay[];
  host?: HostFingerprint;
  code?: CodeFingerprint;
  evidence?: RunEvidence;
  /** why the run could not be planned, built or replayed at all */
  error?: string;
  /**
   * the audit was interrupted before this run's replays all ran: every requested
   * replay without a journal record is reported as skipped and the run as incomplete
   * (not failed, even with an error and no replay at all)
   */
  interrupted?: boolean;
  /** why replays that ran are not scored (the original changed during the audit): the verdict is failed, the score 0 */
  notScored?: string;
  /**
   * what the audit could not check (the original could not be read again after the
   * replays, a server fault): the run is incomplete, whatever its replays showed
   */
  unchecked?: string;
  /** what the audit noticed about the run itself (the snapshot's state, a resume), after every other finding */
  auditNotes?: readonly string[];
  /** paths in the report are shown relative to this folder when inside it */
  displayRoot?: string;
  /** `--replays auto`: how many replays the stopping rule settled on, why, and the level to score at */
  adaptive?: AdaptiveOutcome;
  /** a notebook run: its cells' outputs, original against replays */
  notebook?: ReportNotebook;
}

/** Each distinct import note with the replays it came from (numbered from 1, as the report numbers them). */
function sandboxFindings(records: ReadonlyArray<JournalReplay | undefined>): string[] {
  const byNote = new Map<string, number[]>();
  for (const r of records) for (const n of r?.notes ?? []) byNote.set(n, [...(byNote.get(n) ?? []), r?.index ?? 0]);
  return [...byNote].map(([note, idx]) => `sandbox (replay ${idx.map(replayNumber).join(", ")}): ${note}`);
}

/** Each distinct note about the replays' copies of the code (links left out, too big to copy), with the replays it came from. */
function workTreeFindings(records: ReadonlyArray<JournalReplay | undefined>): string[] {
  const byNote = new Map<string, number[]>();
  for (const r of records)
    for (const n of r?.workTree?.notes ?? []) byNote.set(n, [...(byNote.get(n) ?? []), r?.index ?? 0]);
  return [...byNote].map(([note, idx]) => `work tree (replay ${idx.map(replayNumber).join(", ")}): ${note}`);
}

/**
 * What scoring compares for a run: the original's compared metrics and evidence,
 * and one drift replay per index below `n` (a missing record is a skipped replay).
 * The one conversion from journal records: the report and the adaptive replay
 * count (adaptive-replays.ts) score the same thing.
 */
export function scoringInputs(
  run: RecordedRun,
  plan: ReplayPlan | undefined,
  records: ReadonlyArray<JournalReplay | undefined>,
  evidence?: RunEvidence,
): { original: ExecutionRecord; replays: ReplayRecord[] } {
  const metricNames = comparedMetricNames(run, plan);
  const original = {
    metrics: pick(run.metrics, metricNames),
    ...(evidence?.originalHistories ? { histories: evidence.originalHistories } : {}),
    ...(evidence?.originalArtifacts ? { artifacts: evidence.originalArtifacts } : {}),
    ...(evidence?.originalArtifactTexts ? { artifactTexts: evidence.originalArtifactTexts } : {}),
  };
  const replays: ReplayRecord[] = records.map((r, i) => {
    const histories = evidence?.replayHistories?.[i];
    const artifacts = evidence?.replayArtifacts?.[i];
    const status = statusOf(r);
    const artifactTexts = evidence?.replayArtifactTexts?.[i];
    const exit = exitOf(r, plan);
    return {
      ok: status === "ok",
      ...(exit ? { exit } : {}),
      // No evidence about the workload either way: it never ran, or the tracking
      // server or engine failed under it (redone on resume).
      ...(status === "skipped" || status === "infrastructure" ? { skipped: true } : {}),
      metrics: r ? workloadMetrics(r.metrics) : {},
      ...(histories ? { histories } : {}),
      ...(artifacts ? { artifacts } : {}),
      ...(artifactTexts ? { artifactTexts } : {}),
    };
  });
  return { original, replays };
}

/** Journal records by index, one slot per replay below `n` (undefined: never journaled). */
export function recordsByIndex(
  replays: readonly JournalReplay[] | undefined,
  n: number,
): Array<JournalReplay | undefined> {
  const byIndex = new Map((replays ?? []).map((r) => [r.index, r]));
  return Array.from({ length: n }, (_, i) => byIndex.get(i));
}

export function assembleRun(facts: RunFacts): ReportRun {
  const { run, plan } = facts;
  const n =
    facts.error !== undefined && facts.interrupted !== true && (facts.replays ?? []).length === 0
      ? 0
      : facts.replaysRequested;
  const records = recordsByIndex(facts.replays, n);
  const { original, replays: driftReplays } = scoringInputs(run, plan, records, facts.evidence);
  // An adaptive count scores at the level its stopping rule spent on the look it stopped at.
  const scored = scoreRun({
    runId: run.runId,
    original,
    replays: driftReplays,
    policy: facts.policy,
    ...(facts.adaptive ? { alpha: facts.adaptive.alpha } : {}),
    ...(run.status !== undefined ? { originalStatus: run.status } : {}),
  });
  const fingerprints = replayFingerprints(records, facts);
  // The original's logged model files, as its snapshot read them: what it recorded of its Python and libraries.
  const origEnv = originalEnvironment(run, originalModelTexts(facts.evidence), facts.evidence?.originalCaptureRecord);
  const envDiff = environmentDiff(origEnv, fingerprints);
  const versionFinding = versionDifferencesFinding(envDiff.versions);
  const score = {
    ...scored,
    ...verdictOverride(facts, scored.verdict),
    findings: [
      ...(facts.error !== undefined ? [facts.error] : []),
      ...scored.findings,
      // What planning had to decide or could not honour (defaulted params, an unrecorded diff, ...).
      ...(plan ? plan.notes.map((n) => `plan: ${n}`) : []),
      // Versions the original's logged model recorded that the replays did not run, each named.
      ...(versionFinding !== undefined ? [versionFinding] : []),
      // What importing a sealed replay's sandbox turned up (registrations, extra runs, refused tags), once per distinct note.
      ...sandboxFindings(records),
      ...workTreeFindings(records),
      ...(facts.notebook ? notebookFindings(facts.notebook) : []),
      ...(facts.adaptive ? [facts.adaptive.finding] : []),
      ...(facts.auditNotes ?? []),
    ],
  };

  const tolerances = new Map(score.metrics.map((m) => [m.name, m.tolerance]));
  const histories = plottedHistories(
    facts.evidence,
    records.length,
    (name) => tolerances.get(name) ?? toleranceFor(facts.policy, name),
  );
  return {
    runId: run.runId,
    runName: run.runName ?? "",
    experimentId: run.experimentId,
    ...(run.status !== undefined ? { originalStatus: run.status } : {}),
    traceability: { items: facts.traceItems, score: scoreTrace(facts.traceItems).value ?? 0 },
    plan: plan ? reportPlan(plan, facts.displayRoot) : null,
    image: reportImage(facts),
    fingerprints: { original: origEnv, replays: fingerprints },
    fingerprintDiff: { ...envDiff, facts: environmentFacts(origEnv, fingerprints) },
    replays: records.map((r, i) => reportReplay(i, r, facts)),
    ...runScoreParts(score),
    ...(histories ? { histories } : {}),
    ...(facts.adaptive ? { replayCount: facts.adaptive.record } : {}),
    ...(facts.notebook ? { notebook: facts.notebook } : {}),
    ...(facts.error !== undefined ? { error: facts.error } : {}),
  };
}

/**
 * What is compared: the original's metrics (system metrics left out), narrowed to
 * the capture rule's names when it names some, since only those are read back.
 */
/** A verdict the facts impose over the replays': an original that changed is not scored, one that could not be checked is incomplete. */
function verdictOverride(
  facts: RunFacts,
  verdict: RunVerdict,
): Partial<Pick<RunScore, "verdict" | "score" | "reason">> {
  const notScored =
    facts.notScored !== undefined
      ? { verdict: "failed" as const, score: 0, reason: `Not scored: ${facts.notScored}.` }
      : {};
  const v = notScored.verdict ?? verdict;
  if (facts.unchecked !== undefined && v !== "incomplete") {
    return {
      ...notScored,
      verdict: "incomplete",
      reason: `Incomplete: ${facts.unchecked}; resuming the audit checks it again.`,
    };
  }
  return notScored;
}

export function comparedMetricNames(run: RecordedRun, plan: ReplayPlan | undefined): string[] {
  const named =
    plan?.capture.mode === "mlflow" ? plan.capture.names : plan ? Object.keys(plan.capture.paths) : undefined;
  const names = named ?? Object.keys(run.metrics);
  return names.filter(isWorkloadMetric);
}

/**
 * A metric of the workload: not MLflow's system metrics, not the harness's own
 * published score (on a re-audit the original carries it; no replay logs it).
 */
export function isWorkloadMetric(name: string): boolean {
  return !name.startsWith(SYSTEM_METRIC_PREFIX) && !isPublishedMetric(name);
}

function pick(metrics: Readonly<Record<string, number>>, names: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of names) if (Object.hasOwn(metrics, k)) out[k] = metrics[k] as number;
  return out;
}

function workloadMetrics(metrics: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(metrics)) if (isWorkloadMetric(k)) out[k] = v;
  return out;
}

/** The one reading of a journal record's status words (status, failure.kind) that scoring and the report share. */
function statusOf(r: JournalReplay | undefined): ReplayStatus {
  if (r === undefined) return "skipped";
  if (r.status === "finished") return "ok";
  if (r.failure?.kind === "infrastructure") return "infrastructure";
  if (r.failure?.kind === "timeout" || r.timedOut) return "timeout";
  if (r.failure?.kind === "oom" || r.oomKilled) return "oom";
  return "failed";
}

/**
 * How a replay that ran ended when its workload exited non-zero: the exit code and
 * the last non-empty line of its stderr (secret params redacted), so what it logged
 * before is compared and "failed the same way" can be said. Timeouts, OOM kills and
 * signals stopped it from outside: not a way the workload ends, not compared.
 */
function exitOf(r: JournalReplay | undefined, plan: ReplayPlan | undefined): ReplayRecord["exit"] {
  if (r === undefined || r.status !== "failed" || r.failure?.kind !== "exit") return undefined;
  const secrets = plan ? planSecretValues(plan) : [];
  const lines = redactText(r.stderrTail, secrets)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
  return { code: r.exitCode, lastError: lines.at(-1) ?? "" };
}

function reportReplay(index: number, r: JournalReplay | undefined, facts: RunFacts): ReportReplay {
  if (r === undefined) {
    return {
      index,
      status: "skipped",
      exitCode: null,
      durationMs: 0,
      metrics: {},
      message: facts.error ?? "not run (the audit was interrupted before this replay; resume it to run it)",
      isolated: false,
      pinned: false,
    };
  }
  // The workload's output may quote its command line: secret params redacted.
  const secrets = facts.plan ? planSecretValues(facts.plan) : [];
  const stderr = redactText(r.stderrTail, secrets).trim();
  return {
    index,
    ...(r.replayRunId !== undefined ? { runId: r.replayRunId } : {}),
    status: statusOf(r),
    exitCode: r.exitCode,
    durationMs: r.durationMs,
    metrics: workloadMetrics(r.metrics),
    ...(stderr !== "" && r.status !== "finished" ? { stderrTail: stderr.split("\n").slice(-20).join("\n") } : {}),
    ...(r.failure ? { message: redactText(r.failure.message, secrets) } : {}),
    ...(r.imageId !== undefined ? { imageId: r.imageId } : {}),
    ...(r.engine !== undefined ? { engine: r.engine } : {}),
    isolated: r.isolated,
    pinned: r.pinned,
    ...(r.workTree?.copied ? { outputs: { files: r.workTree.outputs, omitted: r.workTree.omitted } } : {}),
  };
}

function replayFingerprints(records: ReadonlyArray<JournalReplay | undefined>, facts: RunFacts): Fingerprint[] {
  const out: Fingerprint[] = [];
  for (const r of records) {
    if (r === undefined) continue;
    const imageId = r.imageId ?? facts.environment?.imageId;
    out.push(
      assembleFingerprint({
        executor: r.executor,
        host: facts.host,
        container: facts.environment?.container,
        code: facts.code,
        imageId,
        capturedAt: new Date(r.startedAt),
      }),
    );
  }
  return out;
}

/** `path` relative to `root` when it lies inside it (shorter, and the same on every machine), else as is. */
export function displayPath(path: string, root: string | undefined): string {
  if (root === undefined) return path;
  const rel = relative(root, path);
  return rel === "" ? "." : rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}

/** The plan as the report shows it: secret-named param values redacted (redactPlan). */
function reportPlan(realPlan: ReplayPlan, root: string | undefined): ReportPlan {
  const plan = redactPlan(realPlan);
  const codeSource =
    plan.code.source === "checkout"
      ? `git checkout at ${plan.code.commit?.slice(0, 12) ?? "?"} (scratch worktree)`
      : `scenario ${displayPath(plan.code.path, root)}`;
  return {
    command: plan.command,
    source: plan.commandSource,
    ...(plan.entryPoint !== undefined ? { entryPoint: plan.entryPoint } : {}),
    params: plan.params,
    codeSource,
    dirtyOriginal: plan.code.dirtyOriginal === "unknown" ? null : plan.code.dirtyOriginal,
    diffApplied: plan.code.diffApplied,
  };
}

function reportImage(facts: RunFacts): ReportImage {
  const env = facts.plan?.environment;
  const builtFrom =
    env === undefined
      ? undefined
      : env.source === "docker_env"
        ? `MLproject docker_env ${env.dockerImage ?? ""}`.trim()
        : env.source === "none"
          ? env.requirements.length === 0
            ? "no environment file (base image)"
            : `no environment file; ${env.requirements.map((r) => r.split(/\s/)[0]).join(", ")} added by the harness`
          : `${env.source}${env.file ? ` ${env.file}` : ""} (${env.requirements.length} requirements)`;
  const imageId = facts.image?.imageId ?? facts.environment?.imageId;
  return {
    ...(imageId !== undefined ? { id: imageId } : {}),
    ...(facts.image?.tag !== undefined ? { tag: facts.image.tag } : {}),
    ...(builtFrom !== undefined ? { builtFrom } : {}),
    mismatches: facts.image?.mismatches ?? facts.environment?.mismatches ?? [],
  };
}

/**
 * The report's copy of the histories: each series thinned to a bounded number of
 * points (report/history-thinning.ts), keeping where each replay first leaves its
 * metric's tolerance and where it deviates most, on its own series and the original's.
 */
function plottedHistories(
  evidence: RunEvidence | undefined,
  replays: number,
  toleranceOf: (metric: string) => Tolerance,
): Record<string, ReportHistory> | undefined {
  const orig = evidence?.originalHistories ?? {};
  const names = new Set(Object.keys(orig));
  for (const h of evidence?.replayHistories ?? []) for (const k of Object.keys(h ?? {})) names.add(k);
  if (names.size === 0) return undefined;
  const out: Record<string, ReportHistory> = {};
  for (const name of [...names].sort()) {
    const original = Object.hasOwn(orig, name) ? normaliseSeries(orig[name] as HistoryPoint[]) : null;
    const series = Array.from({ length: replays }, (_, i) => {
      const h = evidence?.replayHistories?.[i];
      return h !== undefined && Object.hasOwn(h, name) ? normaliseSeries(h[name] as HistoryPoint[]) : null;
    });
    const tol = toleranceOf(name);
    const named = series.map((s) => (s && original ? new Set(deviationSteps(original, s, tol)) : new Set<number>()));
    const onOriginal = new Set(named.flatMap((steps) => [...steps]));
    out[name] = {
      original: original ? thinSeries(original, MAX_PLOTTED_POINTS, onOriginal) : null,
      replays: series.map((s, i) => (s ? thinSeries(s, MAX_PLOTTED_POINTS, named[i]) : null)),
      points: { original: original?.length ?? null, replays: series.map((s) => s?.length ?? null) },
    };
  }
  return out;
}
