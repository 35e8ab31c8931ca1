/**
 * The audit report: ONE versioned JSON document, the source of truth. Markdown,
 * HTML and JUnit are renderings of it (see markdown.ts, html.ts, junit.ts).
 *
 * Floats that can be NaN or ±Infinity use drift's `JsonFloat` codec, so:
 *   to JSON:   JSON.stringify(z.encode(ReportSchema, report))   (see serialize.ts)
 *   from JSON: ReportSchema.parse(JSON.parse(text))              (see read.ts)
 * Renderers take the decoded form (`Report`), where such floats are plain numbers.
 *
 * Compatibility: adding an optional field keeps the version; renaming, removing,
 * or changing the meaning of a field bumps it. Readers accept every version in
 * READABLE_REPORT_VERSIONS.
 *
 * Version 2 (from version 1): the run verdict `incomplete` (a replay never ran or
 * was stopped by an infrastructure fault: before, such a run could read
 * "reproduced"), the replay status `infrastructure`, `score.runs.incomplete`, and
 * the audit score over complete runs only (null when none is complete). A version 1
 * document is a valid version 2 one (`runs.incomplete` reads as 0), so both are read.
 *
 * Version 3 (from version 2): the run verdicts `consistent_with_variance` (before,
 * "reproduced" also meant "within run-to-run variance") and `inconclusive`, the
 * metric verdict `inconclusive`, `score.runs.consistent_with_variance` and
 * `.inconclusive`, a metric's `rank` and `test`, a run's `optimistic`. The meaning
 * of "reproduced" narrowed, hence the bump; older documents still parse (the new
 * counts read as 0).
 *
 * Added within version 3 (optional, so no bump): a run's `replayCount` and
 * `inputs.maxReplays`, present when `--replays auto` chose the count; a replay's
 * `outputs`, the files it wrote in its own copy of the code (absent in older
 * reports, and for a replay that got no copy).
 *
 * Version 4 (from version 3): a run's `histories` hold each plotted series as two
 * parallel arrays `{steps, values}` (plotted-series.ts) instead of one object per
 * point, thinned to a bounded number of points that keeps the first and last
 * point, the exact smallest and largest value and every deviation point the text
 * names (history-thinning.ts), with `points`, each series' length before
 * thinning; a run's `fingerprints.replays` hold each distinct environment once
 * and per replay which one and when (replay-fingerprints.ts). The JSON is written
 * compact (no indentation). Older documents still parse: their point arrays and
 * per-replay fingerprints decode to the same in-memory values, `points` absent.
 *
 * Added within version 4 (optional, so no bump): `inputs.engines` (the engines an
 * audit spread its replays over, each one's limit, and why one went down) and a
 * replay's `engine` (which of them ran it). A reader of version 4 without them
 * ignores them; a document without them is one engine, as before.
 */
import { z } from "zod";

import {
  ArtifactComparisonSchema,
  AuditScoreSchema,
  JsonFloat,
  MetricScoreSchema,
  RunScoreSchema,
  TolerancePolicySchema,
  type RunScore,
} from "../drift/schema.js";
import { RecordedVersionsSchema } from "../drift/model-environment.js";
import { ExecutorKindSchema } from "../exec/executor-kind-schema.js";
import { WorkTreeOutputSchema } from "../exec/work-tree-diff.js";
import { FingerprintSchema } from "../fingerprint/schema.js";
import { stripUrlCredentials } from "../fingerprint/redact.js";
import { TraceItemSchema } from "../trace/item.js";
import { EnvironmentFactsSchema } from "./fact-comparison.js";
import { VersionComparisonSchema } from "./version-comparison.js";
import { ReportFingerprintChangeSchema } from "./fingerprint-change.js";
import { PlottedSeriesSchema } from "./plotted-series.js";
import { ReplayFingerprintsSchema } from "./replay-fingerprints.js";
import { REPORT_SCHEMA_ID, REPORT_VERSION } from "./report-version.js";

export { REPORT_SCHEMA_ID, REPORT_VERSION };
/** Versions this release reads; it writes REPORT_VERSION. */
export const READABLE_REPORT_VERSIONS: readonly number[] = [1, 2, 3, REPORT_VERSION];

/** Becomes a directory name under results/: no separators, no "..", nothing hidden. */
export const AuditIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
    "audit id must be 1-128 chars of [A-Za-z0-9._-], starting with a letter or digit",
  )
  .refine((id) => !id.includes(".."), "audit id must not contain '..'");

// ---------------------------------------------------------------- inputs

const SelectionValueSchema = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]);

export const ReportInputsSchema = z.object({
  /** Never carries credentials: `user:pass@` and secret-looking query params are refused. */
  trackingUri: z
    .string()
    .refine(
      (uri) => stripUrlCredentials(uri) === uri,
      "trackingUri carries credentials; pass it through stripUrlCredentials first",
    ),
  /** The selection as the user gave it, e.g. { experiment: "wine", filter: "metrics.rmse < 1" }. */
  selection: z.record(z.string(), SelectionValueSchema),
  /** replays per run: with `--replays auto`, the most any run got */
  replays: z.number().int().nonnegative(),
  /** `--replays auto`: the budget per run (absent for --replays N) */
  maxReplays: z.number().int().positive().optional(),
  /** replays at once, all engines together */
  parallel: z.number().int().positive(),
  executor: ExecutorKindSchema,
  /** the engines replays were spread over (--engine), each with its own limit; `down`: why it stopped answering mid-audit (its replays were redone on the others). Added within version 4 (optional). */
  engines: z
    .array(z.object({ name: z.string(), parallel: z.number().int().positive(), down: z.string().optional() }))
    .optional(),
  tolerance: TolerancePolicySchema,
});
export type ReportInputs = z.output<typeof ReportInputsSchema>;

// ---------------------------------------------------------------- per run

export const TraceabilitySchema = z.object({
  items: z.array(TraceItemSchema),
  /** 0..1, share of applicable items present (partial counts half); computed by trace/ */
  score: z.number().min(0).max(1),
});

export const PLAN_SOURCES = ["mlproject", "scenario", "tag", "script", "notebook"] as const;

/** What the orchestrator decided to execute for a run. */
export const ReportPlanSchema = z.object({
  /** For display only (shell-quoted); the executor gets an argv, never this string. */
  command: z.string(),
  source: z.enum(PLAN_SOURCES),
  entryPoint: z.string().optional(),
  /** Bound exactly as logged: strings, never re-typed. */
  params: z.record(z.string(), z.string()),
  /** Where the code came from, e.g. "git https://github.com/o/r@3f2c1e0" or "scenario scenarios/basic". */
  codeSource: z.string(),
  /** Whether the original run's tree was dirty; null when unknown. */
  dirtyOriginal: z.boolean().nullable(),
  /** Whether the original's recorded diff was applied before replaying. */
  diffApplied: z.boolean(),
});
export type ReportPlan = z.output<typeof ReportPlanSchema>;

export const ImageMismatchSchema = z.object({
  /** e.g. "python", "scikit-learn" */
  what: z.string(),
  requested: z.string(),
  actual: z.string(),
});

export const ReportImageSchema = z.object({
  /** sha256:... image ID (or digest) the replays ran in */
  id: z.string().optional(),
  tag: z.string().optional(),
  /** e.g. "MLproject docker_env", "requirements.txt of the run", "scenario environment" */
  builtFrom: z.string().optional(),
  /** Requested versions that could not be had and what ran instead; never silent. */
  mismatches: z.array(ImageMismatchSchema),
});
export type ReportImage = z.output<typeof ReportImageSchema>;

/**
 * What the original run recorded about its environment. Tracking servers record far
 * less than our probe does, so this is a partial fingerprint plus the raw facts
 * (tag/param name -> value) it was assembled from.
 */
export const OriginalEnvironmentSchema = z.object({
  fingerprint: FingerprintSchema.partial().optional(),
  recorded: z.record(z.string(), z.string()),
  /** Python and library versions its logged model (and MLflow's log-model history) recorded, each with its source; absent when none */
  versions: RecordedVersionsSchema.optional(),
});
export type OriginalEnvironment = z.output<typeof OriginalEnvironmentSchema>;

export const ReportFingerprintsSchema = z.object({
  original: OriginalEnvironmentSchema.optional(),
  /** One per replay that got far enough to be probed, in replay order (in JSON from version 4: each distinct environment once, replay-fingerprints.ts). */
  replays: ReplayFingerprintsSchema,
});

export const ReportFingerprintDiffSchema = z.object({
  /** Structured changes between the original and the replays' environment. */
  changes: z.array(ReportFingerprintChangeSchema),
  /** The same as a unified text diff (what a reviewer reads first). */
  unified: z.string(),
  /** Each headline fact with its state: same, differs, or not recorded on one side (cannot compare). */
  facts: EnvironmentFactsSchema.optional(),
  /** The original's recorded Python and library versions against the replays' (absent when it recorded none, and in older reports). */
  versions: VersionComparisonSchema.optional(),
});
export type ReportFingerprintDiff = z.output<typeof ReportFingerprintDiffSchema>;

/**
 * failed/timeout/oom: the workload's own failure. infrastructure: the tracking
 * server or the engine failed, not the workload (redone on resume). skipped: never
 * ran (an interrupted audit).
 */
export const REPLAY_STATUSES = ["ok", "failed", "timeout", "oom", "infrastructure", "skipped"] as const;
export const ReplayStatusSchema = z.enum(REPLAY_STATUSES);
export type ReplayStatus = z.infer<typeof ReplayStatusSchema>;

/**
 * The files a replay added, changed or deleted in its own writable copy of the code
 * (path, size, sha256 of small files), at most a bounded number listed, the rest
 * counted in `omitted`. The files themselves are not kept: the copy is removed.
 */
export const ReportReplayOutputsSchema = z.object({
  files: z.array(WorkTreeOutputSchema),
  omitted: z.number().int().nonnegative(),
});

/** One execution of the plan. The orchestrator (audit/) fills these. */
export const ReportReplaySchema = z.object({
  /** 0-based, matches the position in MetricScore.replays */
  index: z.number().int().nonnegative(),
  /** the tracking run the replay logged into, when it had one */
  runId: z.string().optional(),
  status: ReplayStatusSchema,
  /** null when the process never exited on its own (timeout, killed, not started) */
  exitCode: z.number().int().nullable(),
  durationMs: z.number().nonnegative(),
  metrics: z.record(z.string(), JsonFloat),
  /** last lines of stderr, already redacted by the executor */
  stderrTail: z.string().optional(),
  /** one line saying what went wrong, when status is not ok */
  message: z.string().optional(),
  imageId: z.string().optional(),
  /** the engine that ran it (URL without credentials), where the audit was given engines (--engine); added within version 4 */
  engine: z.string().optional(),
  /** ran without network, nothing of the host but its own copy of the code, dropped capabilities */
  isolated: z.boolean(),
  /** ran in an image identified by ID/digest (not a floating tag or the host) */
  pinned: z.boolean(),
  /** what it wrote in its own copy of the code; absent when it had none (and in older reports) */
  outputs: ReportReplayOutputsSchema.optional(),
});
export type ReportReplay = z.output<typeof ReportReplaySchema>;

const SeriesLengthSchema = z.number().int().nonnegative().nullable();

/** Step histories for plotting, thinned (history-thinning.ts); scoring compared every point. */
export const ReportHistorySchema = z.object({
  original: PlottedSeriesSchema.nullable(),
  /** one per replay, in replay order; null where that replay logged none */
  replays: z.array(PlottedSeriesSchema.nullable()),
  /** version 4: each series' number of steps before thinning, same layout; absent in older reports */
  points: z.object({ original: SeriesLengthSchema, replays: z.array(SeriesLengthSchema) }).optional(),
});
export type ReportHistory = z.output<typeof ReportHistorySchema>;

/** RunScore without what the run entry already holds (runId, metrics, artifacts). */
export const ReportRunScoreSchema = RunScoreSchema.omit({ runId: true, metrics: true, artifacts: true });

/**
 * `--replays auto`: the count the stopping rule chose for the run, why it stopped,
 * and the level the run was scored at. Absent for `--replays N` (optional: the
 * version stays 3).
 */
export const ReportReplayCountSchema = z.object({
  mode: z.literal("auto"),
  /** replays the run got */
  replays: z.number().int().nonnegative(),
  /** --max-replays */
  maxReplays: z.number().int().positive(),
  /** every metric settled, or the budget spent with some not */
  stoppedBy: z.enum(["settled", "budget"]),
  /** the rule's sentence */
  why: z.string(),
  /** the share of the 0.05 spent at the look it stopped at: the level the run was scored at */
  alpha: z.number().positive(),
});
export type ReportReplayCount = z.output<typeof ReportReplayCountSchema>;

const NotebookFailureSchema = z.object({
  /** 0-based index of the failing cell in the executed notebook (markdown cells counted) */
  cell: z.number().int().nullable(),
  cellId: z.string().nullable().optional(),
  ename: z.string(),
  evalue: z.string(),
});

/** A notebook run's cell outputs, original against replays (drift/notebook-cells.ts). Added within version 3. */
export const ReportNotebookSchema = z.object({
  /** the notebook in the code, and what said the run is a notebook's */
  path: z.string(),
  evidence: z.enum(["scenario", "source-notebook", "kernel-source"]),
  /** the original's executed notebook artifact the outputs were read from, when one was recorded */
  originalArtifact: z.string().optional(),
  /** "original", or "replay N" when the original's cell outputs were not recorded */
  reference: z.string(),
  originalRecorded: z.boolean(),
  cells: z.number().int(),
  replays: z.array(
    z.object({
      replay: z.number().int(),
      differing: z.array(
        z.object({
          index: z.number().int(),
          id: z.string().optional(),
          diff: z.string(),
          truncated: z.boolean(),
        }),
      ),
      failure: NotebookFailureSchema.optional(),
      missing: z.string().optional(),
    }),
  ),
  /** why cell outputs could not be compared at all (an unreadable original notebook, ...) */
  problems: z.array(z.string()).default([]),
});
export type ReportNotebook = z.output<typeof ReportNotebookSchema>;

export const ReportRunSchema = z.object({
  runId: z.string(),
  runName: z.string(),
  experimentId: z.string(),
  /** the original's status as MLflow recorded it; MLflow keeps no exit code or error output for a run */
  originalStatus: z.string().optional(),
  traceability: TraceabilitySchema,
  /** null when no plan could be made (then `error` says why) */
  plan: ReportPlanSchema.nullable(),
  image: ReportImageSchema,
  fingerprints: ReportFingerprintsSchema,
  fingerprintDiff: ReportFingerprintDiffSchema,
  replays: z.array(ReportReplaySchema),
  metrics: z.array(MetricScoreSchema),
  /** metric name -> histories; only metrics that have step histories */
  histories: z.record(z.string(), ReportHistorySchema).optional(),
  artifacts: z.array(ArtifactComparisonSchema),
  score: ReportRunScoreSchema,
  replayCount: ReportReplayCountSchema.optional(),
  /** a notebook run: which cells' outputs differ between the original and the replays */
  notebook: ReportNotebookSchema.optional(),
  /** why the run could not be planned, built or replayed at all */
  error: z.string().optional(),
});
export type ReportRun = z.output<typeof ReportRunSchema>;

/** Splits drift's RunScore into the fields a report run entry holds. */
export function runScoreParts(runScore: RunScore): Pick<ReportRun, "metrics" | "artifacts" | "score"> {
  const { runId: _runId, metrics, artifacts, ...score } = runScore;
  return { metrics, artifacts, score };
}

// ---------------------------------------------------------------- document

/** What the whole document and each run's part share: the audit, not its runs. */
const auditHead = {
  auditId: AuditIdSchema,
  createdAt: z.iso.datetime({ offset: true }),
  harness: z.object({ version: z.string(), node: z.string() }),
  inputs: ReportInputsSchema,
  score: AuditScoreSchema,
  /** The tolerance policy and verdict rules in words, printed in every rendering. */
  policyText: z.string(),
};

export const ReportSchema = z
  .object({
    schema: z.literal(REPORT_SCHEMA_ID),
    version: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(REPORT_VERSION)]),
    ...auditHead,
    runs: z.array(ReportRunSchema),
  })
  .superRefine((doc, ctx) => {
    doc.runs.forEach((run, r) => {
      for (const issue of runAlignmentIssues(run)) ctx.addIssue({ ...issue, path: ["runs", r, ...issue.path] });
    });
  });

/**
 * Renderers pair metric value i with replay i; a misaligned run would silently
 * attribute values to the wrong execution. Paths are relative to the run.
 */
export function runAlignmentIssues(run: ReportRun): { code: "custom"; path: (string | number)[]; message: string }[] {
  const issues: { code: "custom"; path: (string | number)[]; message: string }[] = [];
  run.replays.forEach((replay, i) => {
    if (replay.index !== i) {
      issues.push({
        code: "custom",
        path: ["replays", i, "index"],
        message: `replay at position ${i} has index ${replay.index}; replays must be in order 0..n-1`,
      });
    }
  });
  run.metrics.forEach((metric, m) => {
    if (metric.replays.length !== run.replays.length) {
      issues.push({
        code: "custom",
        path: ["metrics", m, "replays"],
        message: `metric "${metric.name}" has ${metric.replays.length} replay values but the run has ${run.replays.length} replays`,
      });
    }
  });
  return issues;
}

/** The decoded document (NaN/±Infinity as numbers). */
export type Report = z.output<typeof ReportSchema>;
/** The JSON form (NaN/±Infinity as strings). */
export type ReportJson = z.input<typeof ReportSchema>;

export const RUN_PART_SCHEMA_ID = "repro-audit/report-run" as const;

/**
 * One run's part of the report (results/<audit-id>/run-reports/<NNNN>/report.json, what
 * publishing attaches to that run): the audit's head (inputs, audit score, policy)
 * and that run's entry exactly as report.json holds it, with its position. Written
 * from the document as report.json encodes it, so it is validated with the whole.
 */
export const ReportRunPartSchema = z.object({
  schema: z.literal(RUN_PART_SCHEMA_ID),
  version: z.literal(REPORT_VERSION),
  ...auditHead,
  /** 0-based position of the run in the audit's report */
  position: z.number().int().nonnegative(),
  /** runs in the audit */
  of: z.number().int().positive(),
  run: ReportRunSchema,
});
export type ReportRunPart = z.output<typeof ReportRunPartSchema>;
