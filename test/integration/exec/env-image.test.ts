import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBaseImage } from "../../../harness/exec/base-image.js";
import { DockerExecutor } from "../../../harness/exec/docker-executor.js";
import { docker } from "../../../harness/exec/engine.js";
import { ensureEnvImage, ensureEnvImageFromSpec, type EnvImage } from "../../../harness/exec/env-image.js";
import { loadEnvSpec } from "../../../harness/exec/env-spec.js";
import type { ExecSpec } from "../../../harness/exec/executor.js";
import { resolveNamedImage } from "../../../harness/exec/named-image.js";
import { dockerAvailable } from "../../support/engine-available.js";

const ENVS = new URL("../../fixtures/exec/envs/", import.meta.url).pathname;
// One tiny pure-python wheel keeps this test (and CI) fast; the real scikit-learn image is built elsewhere.
const TINY = ["six==1.17.0"];

function runIn(imageId: string, code: string): ExecSpec {
  return {
    image: imageId,
    command: ["python", "-c", code],
    workdir: "/tmp",
    mounts: [],
    env: {},
    network: "none",
    limits: { memoryBytes: 256 * 1024 ** 2, nanoCpus: 1_000_000_000, pids: 64, timeoutMs: 60_000 },
  };
}

describe.skipIf(!dockerAvailable)("environment images (real engine, real PyPI download on the host)", () => {
  const built: string[] = [];
  const exec = new DockerExecutor();

  beforeAll(async () => {
    await ensureBaseImage();
  });

  afterAll(async () => {
    for (const tag of built)
      await docker()
        .getImage(tag)
        .remove({ force: true })
        .catch(() => undefined);
  });

  it("builds cold, then reuses the same image warm", { timeout: 300_000 }, async () => {
    // Make the first call really cold: drop a leftover of this tiny test image from earlier runs.
    const probe = await ensureEnvImage({ requirements: TINY });
    await docker().getImage(probe.tag).remove({ force: true });

    const events: string[] = [];
    const cold = await ensureEnvImage({
      requirements: TINY,
      onProgress: (e) => events.push(`${e.phase}: ${e.message}`),
    });
    built.push(cold.tag);
    const warm = await ensureEnvImage({ requirements: [" Six == 1.17.0 # same pin, other spelling"] });
    console.log(
      `env image ${cold.tag}: cold ${cold.seconds.toFixed(1)} s (built=${cold.built}), warm ${warm.seconds.toFixed(3)} s (built=${warm.built})`,
    );

    expect(cold.built).toBe(true);
    expect(cold.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(cold.mismatches).toEqual([]);
    expect(cold.resolved).toEqual(["six==1.17.0"]);
    expect(events.some((e) => e.startsWith("wheels:"))).toBe(true);
    expect(events.some((e) => e.startsWith("build:"))).toBe(true);
    expect(warm.built).toBe(false);
    expect(warm.imageId).toBe(cold.imageId);
    expect(warm.tag).toBe(cold.tag);
    expect(warm.seconds).toBeLessThan(cold.seconds);

    const res = await exec.run(
      runIn(cold.imageId, "import os, six, sys; print(six.__version__, sys.prefix, os.getuid(), os.environ['HOME'])"),
    );
    expect(res.stderrTail).toBe("");
    expect(res.stdoutTail.trim()).toBe("1.17.0 /opt/venv 65534 /tmp");
    expect(res.imageId).toBe(cold.imageId);
    // A named image resolves to the same ID, which is what a docker_env replay records.
    expect((await resolveNamedImage(cold.tag)).imageId).toBe(cold.imageId);
  });

  it("installs a hash-pinned lock file", { timeout: 300_000 }, async () => {
    const spec = loadEnvSpec(`${ENVS}locked.lock`);
    const img = await ensureEnvImageFromSpec(spec);
    built.push(img.tag);
    expect(img.mismatches).toEqual([]);
    const res = await exec.run(runIn(img.imageId, "import six; print(six.__version__)"));
    expect(res.stdoutTail.trim()).toBe("1.17.0");
  });

  it("never swaps silently: python 3.8 runs on the nearest base (3.9) and a conda-only package, both named", {
    timeout: 600_000,
  }, async () => {
    const spec = loadEnvSpec(`${ENVS}conda.yaml`);
    let img: EnvImage = await ensureEnvImageFromSpec(spec);
    built.push(img.tag);
    const byWhat = new Map(img.mismatches.map((m) => [m.what, m]));
    expect(img.base.suite).toBe("bullseye");
    expect(img.pythonVersion).toMatch(/^3\.9\./);
    expect(byWhat.get("python")).toEqual({ what: "python", requested: "3.8.10", actual: img.pythonVersion });
    // markupsafe 2.0.1 ships no wheel for 3.11 (it was loosened on bookworm); 3.9 has it as pinned.
    expect(byWhat.has("package:markupsafe")).toBe(false);
    expect(img.resolved).toContain("markupsafe==2.0.1");
    expect(byWhat.get("requirement")?.requested).toBe("libgomp=12.2.0");
    // not "not installed": pip may have brought a conda package in; what is certain is that it was not honoured
    expect(byWhat.get("requirement")?.actual).toMatch(/^conda package not honoured: /);

    // Reuse keeps the mismatches (they live on the image), so a warm replay reports the same.
    img = await ensureEnvImageFromSpec(spec);
    expect(img.built).toBe(false);
    expect(img.mismatches.length).toBe(2);

    const res = await exec.run(
      runIn(img.imageId, "import markupsafe, sys; print(markupsafe.__version__, sys.version.split()[0])"),
    );
    expect(res.stdoutTail.trim()).toBe(`2.0.1 ${img.pythonVersion}`);
  });

  it("says clearly when a named image is absent (no pulls)", async () => {
    await expect(resolveNamedImage("repro-audit/not-here:1")).rejects.toThrow(/never pulls/);
  });
});
