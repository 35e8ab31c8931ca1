import { createHash, randomBytes } from "node:crypto";
import { chmodSync, existsSync, lstatSync, readdirSync, rmSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { basename, join, posix } from "node:path";
import { type Readable, Transform } from "node:stream";
import type Docker from "dockerode";
import { execa } from "execa";
import { cacheDir } from "./cache-dir.js";
import { CONTAINER_LABEL, DEADLINE_LABEL } from "./container-labels.js";
import { withFileLock } from "./file-lock.js";
import { DEFAULT_WORK_TREE_LIMITS } from "./work-tree.js";

// A docker_env run that `mlflow run` ran without --build-image ran in its image's own
// WORKDIR, with the code the image holds, on a writable container layer: scripts
// there write next to themselves. A replay's root is read-only, so the same write
// failed with "Read-only file system" and the run looked irreproducible for the
// harness's sake. The image's WORKDIR is therefore copied out once per image (its
// files are part of the pinned image, so the copy is keyed by image ID) and each
// replay gets its own writable copy of that, as it gets one of the code folder.

/** Where the harness mounts its own folders (audit/replay-runner.ts): a WORKDIR there cannot get a copy of its own. */
const HARNESS_PATHS = ["/tmp", "/code", "/out", "/repro"];
/** The archive read out of an image is cut off past this (the copy's own limit then refuses it anyway). */
const MAX_ARCHIVE_BYTES = DEFAULT_WORK_TREE_LIMITS.maxBytes + 64 * 1024 ** 2;
const READ_OUT_TIMEOUT_MS = 5 * 60_000;

/**
 * Why a WORKDIR cannot be given a writable copy (the replay then runs on the
 * read-only root there, as before), or undefined when it can. PURE.
 */
export function workdirNotCopyable(workdir: string): string | undefined {
  const dir = posix.normalize(workdir);
  if (dir === "/" || dir === "" || dir === ".") return "the image sets no working directory (/): it is not copied";
  const clash = HARNESS_PATHS.find((p) => dir === p || dir.startsWith(`${p}/`) || p.startsWith(`${dir}/`));
  if (clash !== undefined)
    return `the image's working directory ${dir} overlaps the harness's own ${clash}: not copied`;
  return undefined;
}

/** A cache entry made by this code is a plain folder; anything else there is removed, never followed. */
function isCachedFolder(dest: string): boolean {
  if (!existsSync(dest) && !isLink(dest)) return false;
  if (lstatSync(dest).isDirectory()) return true;
  rmSync(dest, { force: true });
  return false;
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Passes a stream on, and fails it past `max` bytes. */
function byteLimit(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > max) done(new Error(`the image's working directory is over ${Math.round(max / 1024 ** 2)} MiB`));
      else done(null, chunk);
    },
  });
}

/**
 * Only folders, regular files and symlinks stay (device nodes, fifos and sockets an
 * image holds are removed), and no setuid, setgid or sticky bit: tar as root would
 * have made them on the host. Symlinks are not followed; the copy per replay keeps
 * only those pointing inside.
 */
function keepPlainEntries(dir: string): void {
  chmodSync(dir, lstatSync(dir).mode & 0o777);
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const e = lstatSync(path);
    if (e.isSymbolicLink()) continue;
    if (e.isDirectory()) keepPlainEntries(path);
    else if (e.isFile()) chmodSync(path, e.mode & 0o777);
    else rmSync(path, { force: true });
  }
}

/**
 * A host folder holding the image's `workdir` as the image has it (cached under
 * .cache/workdir/<image>): read through a container that is created, never started,
 * and removed. Not changed afterwards: each replay copies it.
 */
export async function imageWorkdirFiles(client: Docker, imageId: string, workdir: string): Promise<string> {
  const where = createHash("sha256").update(posix.normalize(workdir)).digest("hex").slice(0, 12);
  const key = `${imageId.replace(/^sha256:/, "").slice(0, 16)}-${where}`;
  const root = cacheDir("workdir");
  const dest = join(root, key);
  if (isCachedFolder(dest)) return dest;
  await mkdir(root, { recursive: true });
  return withFileLock(join(root, `${key}.lock`), async () => {
    if (isCachedFolder(dest)) return dest;
    const scratch = join(root, `.${key}-${randomBytes(4).toString("hex")}`);
    await mkdir(scratch, { recursive: true });
    const container = await client.createContainer({
      Image: imageId,
      Cmd: ["/bin/true"],
      // Never started; labelled like every container of ours so a killed harness's is reaped.
      Labels: { [CONTAINER_LABEL]: "docker", [DEADLINE_LABEL]: String(Date.now() + 60_000) },
      HostConfig: { NetworkMode: "none" },
    });
    try {
      const archive = (await container.getArchive({ path: workdir })) as unknown as Readable;
      // GNU tar keeps members inside the folder (no absolute paths, no ..); owners are ours.
      // The image is someone else's: the archive is bounded, and what it unpacks is checked below.
      await execa("tar", ["-x", "--no-same-owner", "--no-same-permissions", "-C", scratch], {
        input: archive.pipe(byteLimit(MAX_ARCHIVE_BYTES)),
        timeout: READ_OUT_TIMEOUT_MS,
      });
      const top = join(scratch, basename(posix.normalize(workdir)));
      // A WORKDIR that is itself a symlink arrives as the link: never followed to the host.
      if (!lstatSync(top).isDirectory())
        throw new Error(`${workdir} is not a folder in the image (a symlink or a file), so it is not copied`);
      keepPlainEntries(top);
      await rename(top, dest);
    } finally {
      await container.remove({ force: true }).catch(() => undefined);
      await rm(scratch, { recursive: true, force: true });
    }
    return dest;
  });
}
