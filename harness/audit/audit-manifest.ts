import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { type Selection, SelectionSchema } from "../selection/selection.js";
import { writeFileAtomic } from "../report/write.js";

// results/<audit-id>/audit.json: what the audit was asked to do, written when it
// starts, so that `--resume <audit-id>` needs no selection and refuses a different one.

export const AUDIT_MANIFEST = "audit.json";

export const AuditManifestSchema = z.object({
  auditId: z.string(),
  createdAt: z.string(),
  selection: SelectionSchema,
  /** the runs the selection resolved to when the audit started: a resume audits exactly these */
  runIds: z.array(z.string()).optional(),
  /**
   * how many replays per run the audit was started with: a resume keeps it (an
   * auto audit goes on applying the stopping rule to what is journaled); absent in
   * manifests from before `--replays auto`
   */
  replayCount: z
    .discriminatedUnion("mode", [
      z.object({ mode: z.literal("fixed"), replays: z.number().int().positive() }),
      z.object({ mode: z.literal("auto"), maxReplays: z.number().int().positive() }),
    ])
    .optional(),
});
export type AuditManifest = z.infer<typeof AuditManifestSchema>;

export async function writeManifest(auditDir: string, manifest: AuditManifest): Promise<void> {
  mkdirSync(auditDir, { recursive: true });
  await writeFileAtomic(join(auditDir, AUDIT_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** The manifest of an existing audit, or undefined when it has none (an audit from before manifests). */
export function readManifest(auditDir: string): AuditManifest | undefined {
  let text: string;
  try {
    text = readFileSync(join(auditDir, AUDIT_MANIFEST), "utf8");
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(
      `${join(auditDir, AUDIT_MANIFEST)} is not valid JSON (${(err as Error).message}); give the selection again to resume`,
    );
  }
  const parsed = AuditManifestSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(`${join(auditDir, AUDIT_MANIFEST)} is not an audit manifest: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Order-insensitive comparison of two selections (run lists, experiment lists). */
export function sameSelection(a: Selection, b: Selection): boolean {
  const norm = (s: Selection) =>
    JSON.stringify(s, (_k, v: unknown) => (Array.isArray(v) ? [...(v as string[])].sort() : v));
  return norm(a) === norm(b);
}
