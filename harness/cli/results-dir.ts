import { type Stats, mkdirSync, rmSync, statSync, statfsSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { BadInputError } from "../errors.js";

// The results folder is checked once, before any run is read or replayed: an
// audit that fails at its first journal write has already spent minutes, and some
// failures do not even fail (mkdir -p under /proc spins in Node forever). Each
// message names the folder, the cause, and what to do.

/** Kernel filesystems that hold no files of ours (statfs f_type magic numbers). */
const PSEUDO_FILESYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, "proc"],
  [0x62656572, "sysfs"],
  [0x27e0eb, "cgroup"],
  [0x63677270, "cgroup2"],
  [0x64626720, "debugfs"],
  [0x74726163, "tracefs"],
  [0x73636673, "securityfs"],
  [0x1cd1, "devpts"],
  [0x62656570, "configfs"],
  [0xcafe4a11, "bpf"],
  [0x6e736673, "nsfs"],
]);

/** Below this much free space an audit cannot write its journals and reports. */
const MIN_FREE_BYTES = 1024 * 1024;

const FIX = "give a writable folder with --results-dir DIR";

function problem(dir: string, cause: string): BadInputError {
  return new BadInputError(`results folder ${dir}: ${cause}; ${FIX}`);
}

/** Why writing failed, in words, from the error code. */
export function describeWriteError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case "EROFS":
      return "read-only filesystem (EROFS)";
    case "EACCES":
    case "EPERM":
      return `not writable by this user (${code})`;
    case "ENOSPC":
      return "no space left on the device (ENOSPC)";
    case "EDQUOT":
      return "disk quota exceeded, no space for this user (EDQUOT)";
    case "ENOTDIR":
      return "a path component is not a directory (ENOTDIR)";
    default:
      return `cannot write there (${code ?? (err as Error).message})`;
  }
}

/** Creates `dir` if needed and proves a file can be written in it; throws a BadInputError saying why not. */
export function checkResultsDir(path: string): void {
  const dir = resolve(path);
  // The deepest part of the path that exists; everything below it is to be created.
  const missing: string[] = [];
  let existing = dir;
  for (;;) {
    let st: Stats;
    try {
      st = statSync(existing);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOTDIR") throw problem(dir, `${existing} lies under something that is not a directory`);
      if (code !== "ENOENT") throw problem(dir, describeWriteError(err));
      missing.unshift(existing);
      const up = dirname(existing);
      if (up === existing) throw problem(dir, "no part of the path exists");
      existing = up;
      continue;
    }
    if (!st.isDirectory()) throw problem(dir, `${existing} is not a directory`);
    break;
  }
  const fs = statfsSync(existing);
  const pseudo = PSEUDO_FILESYSTEMS.get(Number(fs.type));
  if (pseudo !== undefined)
    throw problem(dir, `not a writable filesystem (${pseudo}), it holds kernel state, not files`);

  // One level at a time, never recursive: that is the call that spins.
  for (const part of missing) {
    try {
      mkdirSync(part);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw problem(dir, describeWriteError(err));
    }
  }
  const probe = join(dir, `.repro-audit-write-test-${process.pid}`);
  try {
    writeFileSync(probe, "repro-audit results folder check\n");
  } catch (err) {
    throw problem(dir, describeWriteError(err));
  } finally {
    rmSync(probe, { force: true });
  }
  const free = Number(fs.bavail) * Number(fs.bsize);
  if (free < MIN_FREE_BYTES)
    throw problem(
      dir,
      `no space left: ${Math.floor(free / 1024)} KiB free (an audit needs at least ${MIN_FREE_BYTES / 1024 / 1024} MiB for its journals and reports)`,
    );
}
