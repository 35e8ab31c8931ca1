import { afterAll, describe, expect, it } from "vitest";
import { baseRecipe, baseTag, ensureBaseImage, presentBaseImage } from "../../../harness/exec/base-image.js";
import { previewDocker } from "../../../harness/exec/docker-prepare.js";
import { DockerExecutor } from "../../../harness/exec/docker-executor.js";
import { docker } from "../../../harness/exec/engine.js";
import { ensureEnvImage } from "../../../harness/exec/env-image.js";
import type { ExecSpec } from "../../../harness/exec/executor.js";
import { dockerAvailable } from "../../support/engine-available.js";

// One base per CPython minor, made the same offline way as the default: each cold
// debootstrap is ~1-2 minutes on these machines, then the rootfs tarball under
// .cache/base/ and the engine's tag make every later run instant.

function version(imageId: string): ExecSpec {
  return {
    image: imageId,
    command: ["python3", "--version"],
    workdir: "/tmp",
    mounts: [],
    env: {},
    network: "none",
    limits: { memoryBytes: 256 * 1024 ** 2, nanoCpus: 1_000_000_000, pids: 64, timeoutMs: 60_000 },
  };
}

const log = (e: { phase: string; message: string }) =>
  e.phase === "base" && !e.message.startsWith("I:") && console.log(`[${e.phase}] ${e.message}`);

describe.skipIf(!dockerAvailable)("a base per CPython minor (real engine, real debootstrap and PyPI)", () => {
  const built: string[] = [];
  const exec = new DockerExecutor();

  afterAll(async () => {
    for (const tag of built)
      await docker()
        .getImage(tag)
        .remove({ force: true })
        .catch(() => undefined);
  });

  it("python 3.9.18 runs on bullseye's 3.9, the patch named; a pin with no 3.9 wheel is loosened and named", {
    timeout: 900_000,
  }, async () => {
    const base = await ensureBaseImage({ suite: "bullseye", onProgress: log });
    console.log(`bullseye base ${base.tag} built=${base.built} in ${base.seconds.toFixed(1)} s`);
    expect(base.tag).toBe(baseTag(baseRecipe("bullseye")));
    expect(base.tag).not.toBe(baseTag());
    expect(base.pythonVersion).toMatch(/^3\.9\.\d+$/);
    expect(base.glibcVersion).toBe("2.31");

    // networkx 3.5 needs python >= 3.11: on 3.9 it cannot be had, so any networkx is, said as such.
    // anyio needs exceptiongroup only below 3.11: the host's 3.11 pip must still fetch it for 3.9.
    const requirements = ["six==1.17.0", "networkx==3.5", "anyio==4.5.2"];
    const img = await ensureEnvImage({ requirements, python: "3.9.18" });
    built.push(img.tag);
    console.log(`env image on bullseye ${img.tag} built=${img.built} in ${img.seconds.toFixed(1)} s`);
    expect(img.base.suite).toBe("bullseye");
    expect(img.baseImageId).toBe(base.imageId);
    expect(img.pythonVersion).toBe(base.pythonVersion);
    const byWhat = new Map(img.mismatches.map((m) => [m.what, m]));
    expect(byWhat.get("python")).toEqual({ what: "python", requested: "3.9.18", actual: base.pythonVersion });
    const nx = byWhat.get("package:networkx");
    expect(nx?.requested).toBe("==3.5");
    expect(nx?.actual).toMatch(/^[23]\.\d+/);
    expect(nx?.actual).not.toBe("3.5");
    expect(img.resolved).toContain("six==1.17.0");
    expect(img.resolved.some((r) => r.startsWith("exceptiongroup=="))).toBe(true);

    // A preview (audit --dry-run) names the same base and the same tag, from inspect calls only.
    expect((await presentBaseImage(docker(), "bullseye"))?.imageId).toBe(base.imageId);
    const preview = await previewDocker({
      requirements,
      python: "3.9.18",
      ignored: [],
    });
    expect(preview.image).toMatchObject({
      kind: "recipe",
      base: base.tag,
      baseSuite: "bullseye",
      basePresent: true,
      basePython: base.pythonVersion,
      tag: img.tag,
      cached: true,
    });
    expect(preview.image.kind === "recipe" && preview.image.pythonChoice).toMatch(/3\.9\.18.*bullseye.*patch/);

    const res = await exec.run(version(img.imageId));
    expect(res.exitCode).toBe(0);
    expect(`${res.stdoutTail}${res.stderrTail}`.trim()).toBe(`Python ${base.pythonVersion}`);
  });

  it("python 3.13 runs on trixie, nothing to name", { timeout: 900_000 }, async () => {
    const base = await ensureBaseImage({ suite: "trixie", onProgress: log });
    console.log(`trixie base ${base.tag} built=${base.built} in ${base.seconds.toFixed(1)} s`);
    expect(base.pythonVersion).toMatch(/^3\.13\.\d+$/);

    const img = await ensureEnvImage({ requirements: ["six==1.17.0"], python: "3.13" });
    built.push(img.tag);
    expect(img.base.suite).toBe("trixie");
    expect(img.mismatches).toEqual([]);
    const res = await exec.run(version(img.imageId));
    expect(`${res.stdoutTail}${res.stderrTail}`.trim()).toMatch(/^Python 3\.13\.\d+$/);
  });
});
