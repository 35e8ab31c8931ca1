/**
 * The environment facts of a run compared side by side, as the report stores them:
 * each fact with a state, so that a fact the original never recorded reads "not
 * recorded — cannot compare" and is counted as such, never as "no difference".
 * Built by environment-facts.ts; this is the zod boundary.
 */
import { z } from "zod";

export const FACT_LABELS = [
  "Image",
  "Executor",
  "Python",
  "numpy",
  "BLAS",
  "CPU",
  "Vector extensions",
  "OS / kernel",
  "Thread env",
  "PYTHONHASHSEED",
  "Git commit",
  "Dirty tree",
] as const;
export type FactLabel = (typeof FACT_LABELS)[number];

/**
 * same / differs: both sides recorded the fact (differs also when the replays
 * disagree among themselves); not_recorded_original / not_recorded_replays: one
 * side has no value, so nothing was compared.
 */
export const FACT_STATES = ["same", "differs", "not_recorded_original", "not_recorded_replays"] as const;
export const FactStateSchema = z.enum(FACT_STATES);
export type FactState = z.infer<typeof FactStateSchema>;

export const FactComparisonSchema = z.object({
  fact: z.enum(FACT_LABELS),
  state: FactStateSchema,
  /** absent when the original did not record it */
  original: z.string().optional(),
  /** the replays' value, or each distinct value with its count; absent when no replay recorded it */
  replays: z.string().optional(),
});

export const EnvironmentFactsSchema = z.object({
  /** in FACT_LABELS order; facts neither side recorded are left out */
  facts: z.array(FactComparisonSchema),
  counts: z.object({
    same: z.number().int().nonnegative(),
    differs: z.number().int().nonnegative(),
    not_recorded_original: z.number().int().nonnegative(),
    not_recorded_replays: z.number().int().nonnegative(),
  }),
});
export type EnvironmentFacts = z.output<typeof EnvironmentFactsSchema>;

/** How a state reads in the Markdown and HTML reports. */
export const FACT_STATE_TEXT: Readonly<Record<FactState, string>> = {
  same: "same",
  differs: "differs",
  not_recorded_original: "not recorded — cannot compare",
  not_recorded_replays: "not recorded on the replays — cannot compare",
};

/**
 * The count line an environment section is headed with, e.g. "0 differences, 10
 * not recorded on the original — cannot compare". Path-level differences
 * (fingerprintDiff.changes) are what "differences" counts, as the table below it.
 */
export function environmentCountsText(differences: number, counts: EnvironmentFacts["counts"] | undefined): string {
  const parts = [`${differences} difference${differences === 1 ? "" : "s"}`];
  const cannot = [
    counts !== undefined && counts.not_recorded_original > 0
      ? `${counts.not_recorded_original} not recorded on the original`
      : "",
    counts !== undefined && counts.not_recorded_replays > 0
      ? `${counts.not_recorded_replays} not recorded on the replays`
      : "",
  ].filter((p) => p !== "");
  if (cannot.length > 0) parts.push(`${cannot.join(", ")} — cannot compare`);
  return parts.join(", ");
}
