/**
 * One difference between two environments, as the report stores it.
 *
 * Stand-in: fingerprint/ (helper D) owns fingerprint diffing and will export the same
 * shape; once it does, re-export its schema from here so the report keeps one name.
 */
import { z } from "zod";

export const FINGERPRINT_CHANGE_KINDS = ["changed", "added", "removed"] as const;

export const FingerprintChangeSchema = z.object({
  /** dotted path into the fingerprint, e.g. "container.python.version" */
  path: z.string(),
  kind: z.enum(FINGERPRINT_CHANGE_KINDS),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});
export type FingerprintChange = z.output<typeof FingerprintChangeSchema>;
