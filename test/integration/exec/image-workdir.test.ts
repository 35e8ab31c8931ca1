import { existsSync, lstatSync, readFileSync, rmSync } from "node:fs";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBaseImage } from "../../../harness/exec/base-image.js";
import { docker } from "../../../harness/exec/engine.js";
import { imageWorkdirFiles } from "../../../harness/exec/image-workdir.js";
import { dockerAvailable } from "../../support/engine-available.js";

// A docker_env image's WORKDIR is read out onto the host (the cache) for the replays'
// copies. The image is someone else's: what lands on the host must be plain folders
// and files, never a way to the host's own files or a device.

describe.skipIf(!dockerAvailable)("imageWorkdirFiles (real engine)", () => {
  const tag = `repro-audit-test/workdir-${process.pid}`;
  const made: string[] = [];

  async function build(name: string, steps: string): Promise<string> {
    const base = (await ensureBaseImage()).imageId;
    await execa("docker", ["build", "-q", "-t", `${tag}-${name}`, "-"], { input: `FROM ${base}\n${steps}\n` });
    made.push(`${tag}-${name}`);
    return (await docker().getImage(`${tag}-${name}`).inspect()).Id;
  }

  beforeAll(async () => {
    await ensureBaseImage();
  }, 600_000);
  afterAll(async () => {
    for (const t of made)
      await docker()
        .getImage(t)
        .remove({ force: true })
        .catch(() => undefined);
  });

  it("keeps folders and files, drops device nodes and fifos, and strips setuid bits", async () => {
    const id = await build(
      "plain",
      "WORKDIR /app\nRUN echo hi > note.txt && mkdir sub && echo x > sub/s.txt && cp /bin/true suid && chmod 4755 suid && mkfifo pipe && mknod null c 1 3",
    );
    const dir = await imageWorkdirFiles(docker(), id, "/app");
    try {
      expect(readFileSync(`${dir}/note.txt`, "utf8")).toBe("hi\n");
      expect(readFileSync(`${dir}/sub/s.txt`, "utf8")).toBe("x\n");
      expect(lstatSync(`${dir}/suid`).mode & 0o7000).toBe(0);
      expect(existsSync(`${dir}/pipe`)).toBe(false);
      expect(existsSync(`${dir}/null`)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("refuses a WORKDIR that is a symlink (to a host path when followed)", async () => {
    const id = await build("link", "RUN ln -s /etc /app\nWORKDIR /app");
    await expect(imageWorkdirFiles(docker(), id, "/app")).rejects.toThrow(/not a folder in the image/);
  }, 120_000);
});
