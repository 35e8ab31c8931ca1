import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../report/write.js";
import { type OriginalSnapshot, OriginalSnapshotSchema } from "./original-snapshot.js";

// results/<audit-id>/runs/<run-id>/original.json: the snapshot of the original
// taken when the audit first reached the run, so that `--resume` scores against
// the run as it was then, not as it is after the replays that already ran.

export const ORIGINAL_SNAPSHOT_FILE = "original.json";

export async function writeOriginalSnapshot(runDir: string, snapshot: OriginalSnapshot): Promise<void> {
  mkdirSync(runDir, { recursive: true });
  // Encoded: NaN and ±Infinity become tokens JSON can hold (JSON.stringify would write null).
  await writeFileAtomic(
    join(runDir, ORIGINAL_SNAPSHOT_FILE),
    `${JSON.stringify(z.encode(OriginalSnapshotSchema, snapshot), null, 2)}\n`,
  );
}

/** The stored snapshot, or undefined when the run folder has none; throws a readable error for a damaged one. */
export function readOriginalSnapshot(runDir: string): OriginalSnapshot | undefined {
  const path = join(runDir, ORIGINAL_SNAPSHOT_FILE);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`cannot read the snapshot of the original at ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(
      `${path} is not valid JSON (${(err as Error).message}); the run cannot be resumed against its snapshot`,
    );
  }
  const parsed = OriginalSnapshotSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(`${path} is not a snapshot of an original run: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
