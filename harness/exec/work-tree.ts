import { createHash } from "node:crypto";
import {
  type BigIntStats,
  chmodSync,
  closeSync,
  constants,
  copyFileSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import {
  type WorkTreeEntry,
  type WorkTreeListing,
  type WorkTreeOutput,
  copiedLinkTarget,
  formatBytes,
  insideRoot,
} from "./work-tree-diff.js";

// I/O: a replay's own writable copy of its code. The code folder (a scratch checkout,
// a scenario folder) is never mounted writable and never written: each replay gets a
// fresh copy in its own folder, mounted at /code, listed before and after so what the
// workload wrote can be reported, and removed afterwards. Nothing here follows a
// symlink: the source's links are copied only when they stay inside the code folder,
// and the copy is read back with lstat only, since the workload had write access to it.

/** How big a code folder may be to be copied for every replay. */
export interface WorkTreeLimits {
  maxBytes: number;
  maxFiles: number;
}

export const DEFAULT_WORK_TREE_LIMITS: WorkTreeLimits = { maxBytes: 512 * 1024 ** 2, maxFiles: 50_000 };
/** Deeper than this a walk stops: no real project nests this far, a hostile one may. */
const MAX_DEPTH = 64;
/** Entries a listing of a replay's copy reads at most (the workload may have made millions). */
const MAX_LISTED_ENTRIES = 200_000;
/** Outputs are hashed only up to this size each, and this much in all per replay. */
const HASH_FILE_BYTES = 1024 ** 2;
const HASH_TOTAL_BYTES = 32 * 1024 ** 2;
/** Notes about left-out entries beyond this many are counted. */
const MAX_NOTES = 20;

/** The copy would exceed the limits: the caller mounts the code read-only instead. */
export class WorkTreeTooLargeError extends Error {
  override name = "WorkTreeTooLargeError";
}

/** The repository's own metadata: a worktree's `.git` file points into the user's repository. */
const isGitMeta = (name: string) => name === ".git";

/**
 * The size of what `copyWorkTree` would copy (regular files outside .git), or a
 * WorkTreeTooLargeError naming the limit it passed. One lstat walk, nothing read.
 */
export function measureCodeTree(
  src: string,
  limits: WorkTreeLimits = DEFAULT_WORK_TREE_LIMITS,
): {
  bytes: number;
  files: number;
} {
  const root = realpathSync(src);
  let bytes = 0;
  let files = 0;
  const walk = (dir: string, depth: number): void => {
    if (depth > MAX_DEPTH) throw new WorkTreeTooLargeError(`${root} nests deeper than ${MAX_DEPTH} folders`);
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      if (isGitMeta(d.name)) continue;
      const p = join(dir, d.name);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p, depth + 1);
      else if (st.isFile()) {
        bytes += st.size;
        files += 1;
        tooLarge(root, bytes, files, limits);
      }
    }
  };
  walk(root, 0);
  return { bytes, files };
}

function tooLarge(root: string, bytes: number, files: number, limits: WorkTreeLimits): void {
  if (bytes > limits.maxBytes)
    throw new WorkTreeTooLargeError(
      `the code folder ${root} holds more than ${formatBytes(limits.maxBytes)} (the per-replay copy's limit)`,
    );
  if (files > limits.maxFiles)
    throw new WorkTreeTooLargeError(
      `the code folder ${root} holds more than ${limits.maxFiles} files (the per-replay copy's limit)`,
    );
}

function stampOf(st: BigIntStats): string {
  return [st.ino, st.size, st.mode, st.mtimeNs, st.ctimeNs].join(":");
}

function entryOf(rel: string, st: BigIntStats): WorkTreeEntry {
  const kind = st.isFile() ? "file" : st.isSymbolicLink() ? "symlink" : "other";
  return { path: rel, kind, size: Number(st.size), stamp: stampOf(st) };
}

/** Collects notes, counting those beyond MAX_NOTES. */
class Notes {
  readonly lines: string[] = [];
  private extra = 0;
  add(line: string): void {
    if (this.lines.length < MAX_NOTES) this.lines.push(line);
    else this.extra += 1;
  }
  all(): string[] {
    return this.extra > 0 ? [...this.lines, `and ${this.extra} more left out`] : [...this.lines];
  }
}

/**
 * Copies the code folder `src` into `dest` (which must not exist) for one replay:
 * .git left out; regular files with their executable bit; folders and files writable
 * by any user (the replay runs as an unprivileged uid that owns nothing on the host);
 * a symlink kept, as a relative link, only when it points inside the code folder;
 * anything else (a link out of it, a pipe, a socket, a device) left out with a note.
 * Returns the copy's listing (what the replay's outputs are diffed against).
 */
export function copyWorkTree(
  src: string,
  dest: string,
  limits: WorkTreeLimits = DEFAULT_WORK_TREE_LIMITS,
): { listing: WorkTreeListing; notes: string[] } {
  const root = realpathSync(src);
  const entries = new Map<string, WorkTreeEntry>();
  const notes = new Notes();
  let bytes = 0;
  let files = 0;
  mkdirSync(dest);
  chmodSync(dest, 0o777);

  const copyLink = (from: string, to: string, rel: string): void => {
    const written = readlinkSync(from);
    const lexical = resolve(dirname(from), written);
    let target: string;
    try {
      target = realpathSync(lexical);
    } catch {
      // Dangling: where it would point if its target were made.
      target = lexical;
    }
    const inside = insideRoot(root, target);
    const link = copiedLinkTarget(rel, inside);
    if (link === undefined) {
      notes.add(`symlink ${rel} -> ${written} points outside the code folder: left out of the replay's copy`);
      return;
    }
    symlinkSync(link, to);
    entries.set(rel, entryOf(rel, lstatSync(to, { bigint: true })));
  };

  const walk = (dir: string, out: string, relDir: string, depth: number): void => {
    if (depth > MAX_DEPTH) throw new WorkTreeTooLargeError(`${root} nests deeper than ${MAX_DEPTH} folders`);
    const names = readdirSync(dir).sort();
    for (const name of names) {
      if (isGitMeta(name)) continue;
      const from = join(dir, name);
      const to = join(out, name);
      const rel = relDir === "" ? name : `${relDir}/${name}`;
      const st = lstatSync(from);
      if (st.isDirectory()) {
        mkdirSync(to);
        chmodSync(to, 0o777);
        walk(from, to, rel, depth + 1);
      } else if (st.isFile()) {
        bytes += st.size;
        files += 1;
        tooLarge(root, bytes, files, limits);
        // A reflink where the file system has them; a plain copy elsewhere.
        copyFileSync(from, to, constants.COPYFILE_FICLONE);
        chmodSync(to, st.mode & 0o111 ? 0o777 : 0o666);
        entries.set(rel, entryOf(rel, lstatSync(to, { bigint: true })));
      } else if (st.isSymbolicLink()) {
        copyLink(from, to, rel);
      } else {
        notes.add(`${rel} is not a regular file, folder or symlink (a pipe, socket or device): left out of the copy`);
      }
    }
  };
  try {
    walk(root, dest, "", 0);
  } catch (err) {
    rmSync(dest, { recursive: true, force: true });
    throw err;
  }
  return { listing: { entries }, notes: notes.all() };
}

/**
 * The work tree as the replay left it, read with lstat only (links are entries, never
 * followed) and bounded in entries and depth. A folder that cannot be read makes the
 * listing incomplete rather than failing the replay.
 */
export function listWorkTree(dir: string): WorkTreeListing {
  const entries = new Map<string, WorkTreeEntry>();
  let incomplete: string | undefined;
  const walk = (abs: string, relDir: string, depth: number): void => {
    if (incomplete !== undefined) return;
    if (depth > MAX_DEPTH) {
      incomplete = `the work tree nests deeper than ${MAX_DEPTH} folders; deeper files are not listed`;
      return;
    }
    let names: string[];
    try {
      names = readdirSync(abs).sort();
    } catch (err) {
      incomplete = `${relDir || "."} could not be read (${(err as NodeJS.ErrnoException).code ?? "error"}); what it holds is not listed`;
      return;
    }
    for (const name of names) {
      if (entries.size >= MAX_LISTED_ENTRIES) {
        incomplete = `the work tree holds more than ${MAX_LISTED_ENTRIES} entries; the rest are not listed`;
        return;
      }
      const p = join(abs, name);
      const rel = relDir === "" ? name : `${relDir}/${name}`;
      let st: BigIntStats;
      try {
        st = lstatSync(p, { bigint: true });
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(p, rel, depth + 1);
      else entries.set(rel, entryOf(rel, st));
    }
  };
  walk(dir, "", 0);
  return { entries, ...(incomplete !== undefined ? { incomplete } : {}) };
}

/**
 * The outputs with the sha256 of each small regular file added. Opened without
 * following a final symlink and without blocking on a pipe, checked to be a regular
 * file once open, read only up to the per-file bound; the total read is bounded too.
 */
export function withHashes(dir: string, outputs: readonly WorkTreeOutput[]): WorkTreeOutput[] {
  let budget = HASH_TOTAL_BYTES;
  return outputs.map((o) => {
    if (o.change === "deleted" || o.kind !== "file" || o.size > HASH_FILE_BYTES || o.size > budget) return o;
    const sha256 = hashSmallFile(join(dir, o.path));
    if (sha256 === undefined) return o;
    budget -= o.size;
    return { ...o, sha256 };
  });
}

function hashSmallFile(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > HASH_FILE_BYTES) return undefined;
    const buf = Buffer.alloc(HASH_FILE_BYTES + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n > HASH_FILE_BYTES) return undefined;
    }
    return createHash("sha256").update(buf.subarray(0, n)).digest("hex");
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Removes a replay's copy; a failure is returned as a note (the replay's result stands). */
export function removeWorkTree(dir: string): string | undefined {
  try {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  } catch (err) {
    return `the replay's copy of the code at ${dir} could not be removed: ${(err as Error).message}`;
  }
}
