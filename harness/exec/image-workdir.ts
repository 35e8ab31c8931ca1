import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { basename, join, posix } from "node:path";
import type { Readable } from "node:stream";
import type Docker from "dockerode";
import { execa } from "execa";
import { cacheDir } from "./cache-dir.js";
import { CONTAINER_LABEL, DEADLINE_LABEL } from "./container-labels.js";
import { withFileLock } from "./file-lock.js";

// A docker_env run that `mlflow run` ran without --build-image ran in its image's own
// WORKDIR, with the code the image holds, on a writable container layer: scripts
// there write next to themselves. A replay's root is read-only, so the same write
// failed with "Read-only file system" and the run looked irreproducible for the
// harness's sake. The image's WORKDIR is therefore copied out once per image (its
// files are part of the pinned image, so the copy is keyed by image ID) and each
// replay gets its own writable copy of that, as it gets one of the code folder.

/** Where the harness mounts its own folders: a WORKDIR there cannot get a copy of its own. */
const HARNESS_PATHS = ["/tmp", "/code", "/repro"];

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
  if (existsSync(dest)) return dest;
  await mkdir(root, { recursive: true });
  return withFileLock(join(root, `${key}.lock`), async () => {
    if (existsSync(dest)) return dest;
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
      const archive = await container.getArchive({ path: workdir });
      // GNU tar keeps members inside the folder (no absolute paths, no ..); owners are ours.
      await execa("tar", ["-x", "--no-same-owner", "--no-same-permissions", "-C", scratch], {
        input: archive as unknown as Readable,
      });
      await rename(join(scratch, basename(posix.normalize(workdir))), dest);
    } finally {
      await container.remove({ force: true }).catch(() => undefined);
      await rm(scratch, { recursive: true, force: true });
    }
    return dest;
  });
}
