import { isAbsolute, posix } from "node:path";
import { z } from "zod";

// PURE: the parts of a replay's writable work tree that need no file system: what a
// listing holds, which files a replay wrote (two listings compared), and whether a
// symlink of the code may be copied (only when it stays inside the code folder).
// The I/O half is work-tree.ts.

/** One entry of a work tree, as lstat saw it (a symlink is never followed). */
export interface WorkTreeEntry {
  /** relative to the tree's root, "/"-separated */
  path: string;
  kind: "file" | "symlink" | "other";
  size: number;
  /**
   * Everything that changes when a file is written, renamed over or chmod'ed: inode,
   * size, mode, mtime and ctime (ns). ctime cannot be set from user space, so a
   * workload that writes a file and restores its mtime still shows as changed.
   */
  stamp: string;
}

/** A listing: entries by path, and whether the walk stopped at its bounds. */
export interface WorkTreeListing {
  entries: ReadonlyMap<string, WorkTreeEntry>;
  /** the walk stopped early (too many entries, too deep); what it did not see is not listed */
  incomplete?: string;
}

export const WORK_TREE_CHANGES = ["added", "modified", "deleted"] as const;

/** A file the replay wrote, changed or removed in its work tree (the report's replay `outputs`). */
export const WorkTreeOutputSchema = z.object({
  path: z.string(),
  change: z.enum(WORK_TREE_CHANGES),
  kind: z.enum(["file", "symlink", "other"]),
  /** bytes after the replay (before it, for a deleted file) */
  size: z.number().int().nonnegative(),
  /** of the content after the replay, for small regular files only */
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});
export type WorkTreeOutput = z.infer<typeof WorkTreeOutputSchema>;

/** What a replay's work tree came to: the outputs (capped), how many were left out, what the copy noticed. */
export const WorkTreeRecordSchema = z.object({
  /** false: the code was mounted read-only instead (too big to copy, or the copy failed); `notes` say why */
  copied: z.boolean(),
  outputs: z.array(WorkTreeOutputSchema),
  /** outputs beyond the cap, counted but not listed */
  omitted: z.number().int().nonnegative(),
  notes: z.array(z.string()),
});
export type WorkTreeRecord = z.infer<typeof WorkTreeRecordSchema>;

/** Outputs listed per replay; the rest are counted. */
export const MAX_LISTED_OUTPUTS = 200;

/**
 * The files a replay added, modified or deleted: `after` against `before`, sorted by
 * path, at most `max` listed (added and modified first, since they are what the
 * workload produced), the rest counted. Directories are not entries: a new folder
 * shows through the files in it.
 */
export function diffWorkTree(
  before: WorkTreeListing,
  after: WorkTreeListing,
  max = MAX_LISTED_OUTPUTS,
): { outputs: WorkTreeOutput[]; omitted: number } {
  const changed: WorkTreeOutput[] = [];
  for (const [path, e] of after.entries) {
    const was = before.entries.get(path);
    if (was === undefined) changed.push({ path, change: "added", kind: e.kind, size: e.size });
    else if (was.stamp !== e.stamp || was.kind !== e.kind)
      changed.push({ path, change: "modified", kind: e.kind, size: e.size });
  }
  // A walk that stopped early did not see everything: absent is not deleted then.
  if (after.incomplete === undefined) {
    for (const [path, e] of before.entries)
      if (!after.entries.has(path)) changed.push({ path, change: "deleted", kind: e.kind, size: e.size });
  }
  const rank = (o: WorkTreeOutput) => (o.change === "deleted" ? 1 : 0);
  changed.sort((a, b) => rank(a) - rank(b) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const cap = Math.max(0, max);
  return { outputs: changed.slice(0, cap), omitted: Math.max(0, changed.length - cap) };
}

/**
 * Where a copied symlink may point, or undefined when it must be left out: the link
 * at `linkPath` (relative to the code folder) with `target` as written, already
 * resolved by the caller to `resolvedTarget` (relative to the code folder, or
 * undefined when it resolves outside it). The copy gets a relative link to the same
 * place inside the copy, so it works wherever the copy is mounted (/code in the
 * container, a scratch folder on the host), and never reaches out of it.
 */
export function copiedLinkTarget(linkPath: string, resolvedTarget: string | undefined): string | undefined {
  if (resolvedTarget === undefined) return undefined;
  if (isAbsolute(resolvedTarget) || resolvedTarget === ".." || resolvedTarget.startsWith("../")) return undefined;
  const rel = posix.relative(posix.dirname(posix.join("/", linkPath)), posix.join("/", resolvedTarget));
  return rel === "" ? "." : rel;
}

/**
 * `target` (a path relative to the code folder, or absolute on the host) as a path
 * relative to the code folder `root`, or undefined when it lies outside it. Lexical:
 * the caller resolves symlinks along the way first (realpath) when the target exists.
 */
export function insideRoot(root: string, target: string): string | undefined {
  const rel = posix.relative(posix.normalize(root), posix.normalize(target));
  if (rel === "") return "";
  if (rel === ".." || rel.startsWith("../") || isAbsolute(rel)) return undefined;
  return rel;
}

/** Bytes as people read them in a note (1 decimal, binary units). */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}
