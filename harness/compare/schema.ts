import { z } from "zod";
import { JsonFloat, RunScoreSchema } from "../drift/schema.js";
import { BadInputError } from "../errors.js";
import { TraceItemSchema } from "../trace/item.js";
import { ARM_IDS } from "./arms.js";

const ArmIdSchema = z.enum(ARM_IDS);

// The compare report: one versioned JSON document (the source of truth), of which
// report.md and report.html are renderings. PURE. NaN/±Infinity go through drift's
// codec (JsonFloat), as in the audit report.

export const COMPARE_SCHEMA_ID = "repro-audit/compare";
export const COMPARE_VERSION = 1;

const Nullable = z.number().nullable();

export const ExecutionSchema = z.object({
  /** 0-based within its arm (shown 1-based) */
  index: z.number().int().nonnegative(),
  /** 1-based position in the interleaved order all executions ran in */
  position: z.number().int().positive(),
  status: z.enum(["finished", "failed"]),
  failure: z.string().optional(),
  exitCode: z.number().int().nullable(),
  metrics: z.record(z.string(), JsonFloat),
  /** container start to exit, as the engine's attach/wait saw it */
  wallSeconds: z.number().nonnegative(),
  /** usage wrapper: null when it wrote nothing */
  cpuSeconds: Nullable,
  peakRssBytes: Nullable,
  writtenBytes: Nullable,
  /** bytes of the files the execution left in its output folder, its sandbox store and its copy of the code */
  keptBytes: z.number().nonnegative(),
  /** traceability of what this execution recorded (null: it recorded no run) */
  traceScore: Nullable,
  notes: z.array(z.string()),
});
export type Execution = z.output<typeof ExecutionSchema>;

export const SummarySchema = z.object({
  n: z.number().int().nonnegative(),
  mean: Nullable,
  sd: Nullable,
  median: Nullable,
  min: Nullable,
  max: Nullable,
});

export const RatioSchema = z.object({ ratio: Nullable, low: Nullable, high: Nullable });

export const OVERHEAD_MEASURES = ["wallSeconds", "cpuSeconds", "peakRssBytes", "writtenBytes"] as const;
export const OverheadMeasureSchema = z.enum(OVERHEAD_MEASURES);
export type OverheadMeasure = z.infer<typeof OverheadMeasureSchema>;

export const ArmReportSchema = z.object({
  id: ArmIdSchema,
  label: z.string(),
  description: z.string(),
  /** the command as it ran in this arm */
  command: z.string(),
  imageId: z.string().optional(),
  /** why this arm did not run (e.g. the capture plugin not available); its other fields are then empty */
  refusal: z.string().optional(),
  executions: z.array(ExecutionSchema),
  /** the arm's reproducibility: execution 1 scored as the original, 2..N as its replays, by drift/'s rules */
  verdict: RunScoreSchema.nullable(),
  metrics: z.array(z.object({ name: z.string(), values: z.array(JsonFloat.nullable()), summary: SummarySchema })),
  traceability: z.object({
    /** mean over the executions' recorded runs; 0 when the arm records nothing */
    score: z.number().min(0).max(1),
    /** the checklist of the first execution's recorded run; empty when it recorded none */
    items: z.array(TraceItemSchema),
    note: z.string(),
  }),
  usage: z.record(OverheadMeasureSchema, SummarySchema),
  /** against the baseline arm; absent for the baseline itself */
  overhead: z.record(OverheadMeasureSchema, RatioSchema).optional(),
});
export type ArmReport = z.output<typeof ArmReportSchema>;

export const EquivalenceRowSchema = z.object({
  arm: ArmIdSchema,
  metric: z.string(),
  verdict: z.enum(["identical", "equivalent", "different", "inconclusive", "missing"]),
  difference: Nullable,
  margin: Nullable,
  interval: z.object({ low: z.number(), high: z.number() }).nullable(),
  p: Nullable,
});
export type EquivalenceRow = z.output<typeof EquivalenceRowSchema>;

export const CompareReportSchema = z.object({
  schema: z.literal(COMPARE_SCHEMA_ID),
  version: z.literal(COMPARE_VERSION),
  compareId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/),
  createdAt: z.iso.datetime({ offset: true }),
  harness: z.object({ version: z.string(), node: z.string() }),
  workload: z.object({
    source: z.enum(["scenario", "checkout"]),
    path: z.string(),
    name: z.string().optional(),
    runId: z.string().optional(),
    params: z.record(z.string(), z.string()),
  }),
  replays: z.number().int().positive(),
  baseline: ArmIdSchema,
  /** every execution in the order it ran */
  order: z.array(z.object({ arm: ArmIdSchema, index: z.number().int().nonnegative() })),
  arms: z.array(ArmReportSchema),
  equivalence: z.array(EquivalenceRowSchema),
  outcome: z.object({
    /** every metric of every arm identical or equivalent to the baseline */
    agree: z.boolean(),
    /** every arm that ran is reproduced or consistent with run-to-run variance */
    reproducible: z.boolean(),
    exitCode: z.union([z.literal(0), z.literal(1), z.literal(2)]),
    reasons: z.array(z.string()),
  }),
  /** the rules and measurements in words, printed in every rendering */
  methods: z.object({
    tolerance: z.string(),
    equivalence: z.string(),
    verdict: z.string(),
    ratio: z.string(),
    measurement: z.record(OverheadMeasureSchema, z.string()),
    traceability: z.string(),
  }),
  findings: z.array(z.string()),
});
export type CompareReport = z.output<typeof CompareReportSchema>;

export class CompareReportError extends BadInputError {}

/** The JSON text of a compare report; a document that does not fit the schema is a bug of its builder. */
export function serializeCompareReport(doc: CompareReport): string {
  const encoded = z.safeEncode(CompareReportSchema, doc);
  if (!encoded.success)
    throw new CompareReportError(`the compare report to be written is invalid:\n${z.prettifyError(encoded.error)}`);
  return `${JSON.stringify(encoded.data, null, 2)}\n`;
}

/** A compare report read back (report.json), checked against the schema. */
export function parseCompareReport(text: string, where: string): CompareReport {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CompareReportError(`${where} is not JSON (${(err as Error).message})`);
  }
  const r = CompareReportSchema.safeParse(json);
  if (!r.success)
    throw new CompareReportError(`${where} is not a compare report v${COMPARE_VERSION}:\n${z.prettifyError(r.error)}`);
  return r.data;
}
