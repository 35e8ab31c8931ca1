import { z } from "zod";
import { SelectionSchema, type Selection } from "../selection/selection.js";
import { stripUrlCredentialsDeep } from "../fingerprint/redact.js";
import { Tags } from "../tracking/tags.js";
import { buildChecklist } from "./checklist.js";
import { TraceItemSchema } from "./item.js";
import { formula, FormulaSchema, TraceScoreSchema, scoreTrace, scoreSelection, SelectionScoreSchema } from "./score.js";
import type { TraceSubject } from "./subject.js";
import { TRACE_SCHEMA_ID, TRACE_SCHEMA_VERSION } from "./trace-version.js";

// The machine-readable result of `repro-audit trace --json`. Versioned: a change that
// removes or renames a field bumps `version`; adding optional fields does not.

export { TRACE_SCHEMA_ID, TRACE_SCHEMA_VERSION };

export const TraceRunEntrySchema = z.object({
  runId: z.string(),
  runName: z.string().nullable(),
  experimentId: z.string(),
  status: z.string().nullable(),
  /** Registered versions of this run's models, "Name v3 @champion". */
  modelVersions: z.array(z.object({ name: z.string(), version: z.string(), aliases: z.array(z.string()) })),
  items: z.array(TraceItemSchema),
  score: TraceScoreSchema,
});
export type TraceRunEntry = z.infer<typeof TraceRunEntrySchema>;

export const TraceDocumentSchema = z.object({
  schema: z.literal(TRACE_SCHEMA_ID),
  version: z.literal(TRACE_SCHEMA_VERSION),
  /** Without credentials, query or fragment. */
  trackingUri: z.string(),
  selection: SelectionSchema,
  generatedAt: z.iso.datetime(),
  runs: z.array(TraceRunEntrySchema),
  score: SelectionScoreSchema,
  formula: FormulaSchema,
});
export type TraceDocument = z.infer<typeof TraceDocumentSchema>;

export interface TraceDocumentMeta {
  trackingUri: string;
  selection: Selection;
  generatedAt: Date;
}

/** The document without its runs, validated apart from them (buildTraceDocument). */
const TraceDocumentHeadSchema = TraceDocumentSchema.omit({ runs: true });

/** Pure: subjects in, validated document out (a bug that breaks the schema throws here). */
export function buildTraceDocument(subjects: readonly TraceSubject[], meta: TraceDocumentMeta): TraceDocument {
  // Server text (a git remote with a password, a dataset source) reaches details and
  // names: URL credentials are stripped from every run entry, for the table and --json.
  // Each entry is stripped and validated as it is made, so a trace of 10,000 runs holds
  // one copy of the entries at a time, not three.
  const runs: TraceRunEntry[] = subjects.map((s) => {
    const items = buildChecklist(s);
    return TraceRunEntrySchema.parse(
      stripUrlCredentialsDeep({
        runId: s.run.runId,
        runName: s.run.runName ?? s.run.tags[Tags.runName] ?? null,
        experimentId: s.run.experimentId,
        status: s.status,
        modelVersions: s.modelVersions.map((v) => ({ name: v.name, version: v.version, aliases: [...v.aliases] })),
        items,
        score: scoreTrace(items),
      }),
    );
  });
  const head = TraceDocumentHeadSchema.parse({
    schema: TRACE_SCHEMA_ID,
    version: TRACE_SCHEMA_VERSION,
    trackingUri: stripCredentials(meta.trackingUri),
    selection: meta.selection,
    generatedAt: meta.generatedAt.toISOString(),
    score: scoreSelection(runs),
    formula: formula(),
  });
  // The fields in the schema's order, as the JSON has always listed them.
  return {
    schema: head.schema,
    version: head.version,
    trackingUri: head.trackingUri,
    selection: head.selection,
    generatedAt: head.generatedAt,
    runs,
    score: head.score,
    formula: head.formula,
  };
}

/** Drops user:password@, the query (tokens sometimes ride there) and the fragment. */
export function stripCredentials(uri: string): string {
  try {
    const u = new URL(uri);
    u.username = "";
    u.password = "";
    u.search = "";
    u.hash = "";
    return u.toString().replace(/\/$/, "");
  } catch {
    return uri.replace(/\/\/[^/@]*@/, "//").replace(/[?#].*$/, "");
  }
}
