/**
 * Typed values that drift scoring produces and consumes. Reports embed these, so
 * they are defined once here with zod and the TypeScript types are derived.
 *
 * JSON cannot carry NaN or ±Infinity, yet a diverged training run logs exactly
 * those, and hiding them would be dishonest. Every float that can be non-finite
 * therefore goes through the `JsonFloat` codec: in JSON it is a number or one of
 * the strings "NaN", "Infinity", "-Infinity", "-0"; in memory it is a plain number.
 *
 *   to JSON:   JSON.stringify(z.encode(RunScoreSchema, runScore))
 *   from JSON: RunScoreSchema.parse(JSON.parse(text))   // decodes the strings
 *
 * (`.parse` expects the JSON form; decoded objects holding NaN go through
 * `z.encode`, not `.parse`.)
 */
import { z } from "zod";
import { ACCEPT_LEVELS } from "./accept-levels.js";

// "-0" too: JSON.stringify(-0) is "0", and bitwise verdicts tell the zeros apart.
export const SPECIAL_FLOAT_TOKENS = ["NaN", "Infinity", "-Infinity", "-0"] as const;
export type SpecialFloatToken = (typeof SPECIAL_FLOAT_TOKENS)[number];

/** A JSON float token back to the number it stands for. */
export function decodeFloat(v: number | SpecialFloatToken): number {
  if (typeof v === "number") return v;
  if (v === "NaN") return Number.NaN;
  if (v === "-0") return -0;
  return v === "Infinity" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
}

/** A number as a JSON float token (NaN, ±Infinity and -0 as strings). */
export function encodeFloat(n: number): number | SpecialFloatToken {
  if (Number.isNaN(n)) return "NaN";
  if (n === Number.POSITIVE_INFINITY) return "Infinity";
  if (n === Number.NEGATIVE_INFINITY) return "-Infinity";
  if (Object.is(n, -0)) return "-0";
  return n;
}

/** A float64 that survives a JSON round trip, NaN and ±Infinity included. */
export const JsonFloat = z.codec(
  z.union([z.number(), z.enum(SPECIAL_FLOAT_TOKENS)]),
  // z.number() rejects NaN/Infinity, so the in-memory side is a custom check.
  z.custom<number>((v) => typeof v === "number", "expected a number (NaN and ±Infinity allowed)"),
  { decode: decodeFloat, encode: encodeFloat },
);

// ---------------------------------------------------------------- tolerance

export const ToleranceSchema = z.object({
  /** |replay - original| <= abs */
  abs: z.number().nonnegative(),
  /** |replay - original| / |original| <= rel */
  rel: z.number().nonnegative(),
  /** float64 ULP distance between replay and original <= ulps */
  ulps: z.number().int().nonnegative(),
});
export type Tolerance = z.infer<typeof ToleranceSchema>;

export const ToleranceOverrideSchema = ToleranceSchema.partial();

/** Which way a metric is better: "lower" (loss, error, rmse) or "higher" (accuracy, r2, f1). */
export const BetterDirectionSchema = z.enum(["lower", "higher"]);
export type BetterDirection = z.infer<typeof BetterDirectionSchema>;
export type ToleranceOverride = z.infer<typeof ToleranceOverrideSchema>;

export const AcceptLevelSchema = z.enum(ACCEPT_LEVELS);

export const TolerancePolicySchema = z.object({
  default: ToleranceSchema,
  /** Per-metric overrides (exact metric name); unset fields fall back to `default`. */
  perMetric: z.record(z.string(), ToleranceOverrideSchema),
  /**
   * The weakest metric verdict that still counts as reproduced; absent = "varies"
   * (within run-to-run variance). "identical" demands bitwise replays.
   */
  accept: AcceptLevelSchema.optional(),
  /** Declared better directions (exact metric name); others are read from the name's words, or unknown. */
  better: z.record(z.string(), BetterDirectionSchema).optional(),
});
export type TolerancePolicy = z.infer<typeof TolerancePolicySchema>;

// ---------------------------------------------------------------- per metric

/** null = the metric was not logged (or the execution did not finish). */
export const MetricValueSchema = JsonFloat.nullable();

/**
 * inconclusive: the replays differ and the original lies beyond them, but too few
 * replays were run for the spread seen to call it either way (see README.md).
 */
export const VERDICTS = ["identical", "equivalent", "varies", "inconclusive", "not_reproduced", "failed"] as const;
export const VerdictSchema = z.enum(VERDICTS);
export type Verdict = z.infer<typeof VerdictSchema>;

export const IntervalSchema = z.object({
  /** e.g. "student-t prediction interval for one new observation" */
  method: z.string(),
  /** coverage, e.g. 0.95 */
  level: z.number(),
  low: JsonFloat,
  high: JsonFloat,
});
export type Interval = z.output<typeof IntervalSchema>;

/**
 * Statistics over the replays' finite values (non-finite ones are counted in
 * `nonFinite`, never dropped silently). Deviations are measured from the
 * original; they are null when the original is missing or not finite.
 */
export const MetricStatsSchema = z.object({
  /** finite replay values the statistics are computed over */
  n: z.number().int().nonnegative(),
  mean: JsonFloat,
  /** sample standard deviation (n - 1); null when n < 2 */
  std: JsonFloat.nullable(),
  min: JsonFloat,
  max: JsonFloat,
  /** std / |mean|; null when std is null; Infinity when mean is 0 and std > 0 */
  cv: JsonFloat.nullable(),
  maxAbsDev: JsonFloat.nullable(),
  /** Infinity when the original is 0 and a replay differs */
  maxRelDev: JsonFloat.nullable(),
  /** float64 ULP distance; may exceed 2^53 for far-apart values (then approximate) */
  maxUlps: JsonFloat.nullable(),
  /** replay values that were NaN or ±Infinity */
  nonFinite: z.number().int().nonnegative(),
  /** null when n < 2 (no spread to estimate) */
  interval: IntervalSchema.nullable(),
});
export type MetricStats = z.output<typeof MetricStatsSchema>;

/** Where the original ranks among the finite replay values (exact, distribution-free). */
export const MetricRankSchema = z.object({
  /** finite replay values ranked against */
  replays: z.number().int().nonnegative(),
  /** replays below, equal to, above the original */
  below: z.number().int().nonnegative(),
  ties: z.number().int().nonnegative(),
  above: z.number().int().nonnegative(),
  /** share of replays below the original (ties half), 0..100 */
  percentile: z.number().min(0).max(100),
  /** null when the better direction is unknown */
  direction: BetterDirectionSchema.nullable(),
  /** exact two-sided rank p-value: 2·min(#≤, #≥ + …)/(K+1), capped at 1 */
  pTwoSided: z.number().min(0).max(1),
  /** exact one-sided p-value for "the original is better than the replays"; null when the direction is unknown */
  pBetter: z.number().min(0).max(1).nullable(),
  /** direction known and the original strictly better than every finite replay */
  betterThanAll: z.boolean(),
});
export type MetricRank = z.output<typeof MetricRankSchema>;

/**
 * The test of "the original is one more draw like the replays" for a metric whose
 * replays differ and whose original lies beyond their range (beyond tolerance).
 */
export const MetricTestSchema = z.object({
  /** |original − mean| / (s·√(1 + 1/n)), Student-t with n − 1 df under exchangeable normal draws; Infinity when s = 0 */
  statistic: JsonFloat,
  /** two-sided p-value of that statistic */
  p: z.number().min(0).max(1),
  /** Holm-adjusted over the run's metrics */
  pAdjusted: z.number().min(0).max(1),
  /** the level the adjusted p-value is compared with */
  alpha: z.number().gt(0).lt(1),
  /** metrics in the run's correction family */
  family: z.number().int().positive(),
  /** the large-sample (normal) bound at the corrected level: beyond it but not rejected is inconclusive */
  settleBound: z.number().positive(),
});

export const HistoryComparisonSchema = z.object({
  /** steps present in the original and in at least one replay */
  stepsCompared: z.number().int().nonnegative(),
  maxAbsDev: JsonFloat.nullable(),
  /** step where maxAbsDev occurs (first such step); null if nothing compared */
  atStep: z.number().nullable(),
  /** 0-based index of the replay where maxAbsDev occurs */
  atReplay: z.number().int().nullable(),
  maxRelDev: JsonFloat.nullable(),
  /** present when some replay logged a different set of steps than the original */
  lengthMismatch: z
    .object({
      original: z.number().int().nonnegative(),
      /** number of steps per replay; null when that replay has no history */
      replays: z.array(z.number().int().nonnegative().nullable()),
    })
    .optional(),
});
export type HistoryComparison = z.output<typeof HistoryComparisonSchema>;

export const MetricScoreSchema = z.object({
  name: z.string(),
  original: MetricValueSchema,
  /** one entry per replay, in replay order; null where missing or not finished */
  replays: z.array(MetricValueSchema),
  stats: MetricStatsSchema.nullable(),
  /** the tolerance that was applied to this metric (default merged with override) */
  tolerance: ToleranceSchema,
  verdict: VerdictSchema,
  /** one sentence saying why, with numbers */
  reason: z.string(),
  /** e.g. "missing in replay 2", "only in replays" (replays numbered from 1) */
  findings: z.array(z.string()),
  history: HistoryComparisonSchema.optional(),
  /** absent when the original or every replay is non-finite (report version 2 had none) */
  rank: MetricRankSchema.optional(),
  /** present only when the original lies beyond the replays' range: the verdict then rests on it */
  test: MetricTestSchema.optional(),
});
export type MetricScore = z.output<typeof MetricScoreSchema>;

// ---------------------------------------------------------------- artifacts

export const MODEL_FILE_KINDS = ["MLmodel", "requirements", "conda", "python_env"] as const;
export const ModelFileKindSchema = z.enum(MODEL_FILE_KINDS);
export type ModelFileKind = z.infer<typeof ModelFileKindSchema>;

/** A model's MLmodel or environment file compared by what it says (see model-files.ts). */
export const ModelFileComparisonSchema = z.object({
  kind: ModelFileKindSchema,
  /** not_compared: a side could not be read or parsed; `why` says which and how */
  state: z.enum(["same", "differs", "not_compared"]),
  /** fields left out because they change with every logging (run_id, model_uuid, ...) */
  ignored: z.array(z.string()),
  /** "replay 2: signature.inputs: ... → ...", bounded */
  differences: z.array(z.string()),
  why: z.string().optional(),
});
export type ModelFileComparison = z.output<typeof ModelFileComparisonSchema>;

export const ArtifactComparisonSchema = z.object({
  path: z.string(),
  /** absent when only replays produced the file */
  originalSha256: z.string().optional(),
  /** one per replay; null where that replay lacks the file or did not finish */
  replaySha256: z.array(z.string().nullable()),
  /**
   * original present and every finished replay has it with exactly the same hash,
   * or, for a model's MLmodel and environment files, with the same meaning
   * (`semantic.state` "same")
   */
  identical: z.boolean(),
  /** present for model files compared by meaning; absent: compared by hash only */
  semantic: ModelFileComparisonSchema.optional(),
});
export type ArtifactComparison = z.output<typeof ArtifactComparisonSchema>;

// ---------------------------------------------------------------- run / audit

export const VerdictCountsSchema = z.object({
  identical: z.number().int().nonnegative(),
  equivalent: z.number().int().nonnegative(),
  varies: z.number().int().nonnegative(),
  /** absent before report version 3 */
  inconclusive: z.number().int().nonnegative().default(0),
  not_reproduced: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
});
export type VerdictCounts = z.infer<typeof VerdictCountsSchema>;

/**
 * incomplete: some replay never ran (an interrupted audit) or was stopped by an
 * infrastructure fault (tracking server, engine): the run's verdict is not settled
 * yet, whatever the replays that finished measured; `--resume` finishes it.
 */
/**
 * reproduced: every metric identical or equivalent. consistent_with_variance: some
 * metric varies, the original inside the replays' spread (amber, never the green
 * tick). inconclusive: the evidence cannot decide (too few replays for the spread
 * seen, or the original beats every replay on every metric with a known direction).
 */
export const RUN_VERDICTS = [
  "reproduced",
  "consistent_with_variance",
  "inconclusive",
  "not_reproduced",
  "failed",
  "incomplete",
] as const;
export const RunVerdictSchema = z.enum(RUN_VERDICTS);
export type RunVerdict = z.infer<typeof RunVerdictSchema>;

export const RunScoreSchema = z.object({
  runId: z.string(),
  metrics: z.array(MetricScoreSchema),
  artifacts: z.array(ArtifactComparisonSchema),
  /** 0..1, see AuditScore.formula */
  score: z.number().min(0).max(1),
  counts: VerdictCountsSchema,
  verdict: RunVerdictSchema,
  /** one sentence saying why */
  reason: z.string(),
  /** run-level findings, e.g. "replay 3 did not finish" */
  findings: z.array(z.string()),
  /**
   * The optimistic original: metrics (with a known better direction) on which the
   * original beats every replay, of how many such metrics, and the Holm-adjusted
   * smallest one-sided rank p-value over them. Absent when no metric has a direction.
   */
  optimistic: z
    .object({
      metrics: z.array(z.string()),
      of: z.number().int().positive(),
      pAdjusted: z.number().min(0).max(1),
      /** beats every replay on every one of them */
      onAll: z.boolean(),
    })
    .optional(),
});
export type RunScore = z.output<typeof RunScoreSchema>;

export const AuditScoreSchema = z.object({
  /**
   * Mean of the complete runs' scores: incomplete runs are left out (their score
   * covers only the replays that finished). null when every run is incomplete.
   */
  score: z.number().min(0).max(1).nullable(),
  runs: z.object({
    total: z.number().int().nonnegative(),
    reproduced: z.number().int().nonnegative(),
    /** absent before report version 3, whose "reproduced" counted these too */
    consistent_with_variance: z.number().int().nonnegative().default(0),
    inconclusive: z.number().int().nonnegative().default(0),
    not_reproduced: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    /** absent in report version 1, which had no incomplete verdict */
    incomplete: z.number().int().nonnegative().default(0),
  }),
  /** the scoring formula in words, printed in every report */
  formula: z.string(),
});
export type AuditScore = z.output<typeof AuditScoreSchema>;

// ---------------------------------------------------------------- inputs

export const HistoryPointSchema = z.object({ step: z.number(), value: JsonFloat });
export type HistoryPoint = z.output<typeof HistoryPointSchema>;

/** What one execution (the original or a replay) recorded. */
export const ExecutionRecordSchema = z.object({
  metrics: z.record(z.string(), JsonFloat),
  histories: z.record(z.string(), z.array(HistoryPointSchema)).optional(),
  /** artifact path -> sha256 hex */
  artifacts: z.record(z.string(), z.string()).optional(),
  /** artifact path -> text, for the model files compared by meaning (bounded; absent where not read) */
  artifactTexts: z.record(z.string(), z.string()).optional(),
});
export type ExecutionRecord = z.output<typeof ExecutionRecordSchema>;

export const ReplayRecordSchema = ExecutionRecordSchema.extend({
  /** false when the replay did not finish (crash, timeout, infrastructure) */
  ok: z.boolean(),
  /**
   * true when it gave no evidence either way: never run (an interrupted audit) or
   * stopped by an infrastructure fault (tracking server, engine). Not a failure of
   * the workload: it makes the run incomplete, and metrics are judged without it.
   */
  skipped: z.boolean().optional(),
  /**
   * how a replay that ran but did not finish ended: its exit code (null when killed)
   * and the last non-empty line of its stderr. What it logged before is still compared.
   */
  exit: z.object({ code: z.number().int().nullable(), lastError: z.string() }).optional(),
});
export type ReplayRecord = z.output<typeof ReplayRecordSchema>;
