/**
 * One difference between two environments, as the report stores it: the zod
 * boundary for fingerprint/diff.ts's `FingerprintChange` (a plain interface there),
 * so a report read from disk is checked like everything else.
 */
import { z } from "zod";

import type { FingerprintChange as DiffChange } from "../fingerprint/diff.js";

export const FINGERPRINT_CHANGE_KINDS = ["changed", "added", "removed"] as const;

export const FingerprintChangeSchema = z.object({
  /** dotted path into the fingerprint, e.g. "container.python.version" */
  path: z.string(),
  kind: z.enum(FINGERPRINT_CHANGE_KINDS),
  /** fingerprint/diff.ts's category, e.g. "blas", "cpu-simd", "packages" */
  category: z.string().optional(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});
export type FingerprintChange = z.output<typeof FingerprintChangeSchema>;

// Compile-time guard: what fingerprint/diff.ts produces must fit the report's schema.
export const fromDiffChange = (change: DiffChange): FingerprintChange => change;

/** A before/after value as one line of text (strings as-is, the rest as JSON). */
export function changeValueText(value: unknown): string {
  if (value === undefined) return "—";
  if (typeof value === "string") return value;
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json;
}
