/**
 * One difference between two environments, as the report stores it
 * (`ReportFingerprintChange`): the zod boundary for fingerprint/diff.ts's
 * `FingerprintChange` (a plain interface there, with its category always set),
 * so a report read from disk is checked like everything else.
 */
import { z } from "zod";

import type { FingerprintChange } from "../fingerprint/diff.js";

export const FINGERPRINT_CHANGE_KINDS = ["changed", "added", "removed"] as const;

export const ReportFingerprintChangeSchema = z.object({
  /** dotted path into the fingerprint, e.g. "container.python.version" */
  path: z.string(),
  kind: z.enum(FINGERPRINT_CHANGE_KINDS),
  /** fingerprint/diff.ts's category, e.g. "blas", "cpu-simd", "packages" */
  category: z.string().optional(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  /** where the original's value was recorded, when not in a fingerprint (e.g. "logged model model/python_env.yaml") */
  source: z.string().optional(),
});
export type ReportFingerprintChange = z.output<typeof ReportFingerprintChangeSchema>;

// Compile-time guard: what fingerprint/diff.ts produces must fit the report's schema.
// biome-ignore lint/correctness/noUnusedVariables: a type check, never called
const fromDiffChange = (change: FingerprintChange): ReportFingerprintChange => change;

/** A before/after value as one line of text (strings as-is, the rest as JSON). */
export function changeValueText(value: unknown): string {
  if (value === undefined) return "—";
  if (typeof value === "string") return value;
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json;
}

/** The original's side of a change, with where it was recorded when that is not a fingerprint. */
export function changeBeforeText(change: Pick<ReportFingerprintChange, "before" | "source">): string {
  const value = changeValueText(change.before);
  return change.source !== undefined ? `${value} (${change.source})` : value;
}

/** The replay's side of a change; a recorded library no replay has reads "not installed". */
export function changeAfterText(change: Pick<ReportFingerprintChange, "after" | "kind" | "source">): string {
  if (change.kind === "removed" && change.source !== undefined) return "not installed";
  return changeValueText(change.after);
}
