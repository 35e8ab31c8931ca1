import { describe, expect, it } from "vitest";
import { baseTag, ensureBaseImage } from "../../../harness/exec/base-image.js";
import { docker } from "../../../harness/exec/engine.js";
import { dockerAvailable } from "../../support/engine-available.js";

describe.skipIf(!dockerAvailable)("base image (real engine)", () => {
  it("builds or reuses the Debian base, tagged by recipe hash, with python 3.11 inside", {
    timeout: 600_000,
  }, async () => {
    const first = await ensureBaseImage({
      onProgress: (e) => e.phase !== "base" || console.log(`[${e.phase}] ${e.message}`),
    });
    console.log(`base image ${first.tag} ${first.imageId} built=${first.built} in ${first.seconds.toFixed(1)} s`);
    expect(first.tag).toBe(baseTag());
    expect(first.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(first.pythonVersion).toMatch(/^3\.11\.\d+$/);

    const again = await ensureBaseImage();
    console.log(`base image reuse in ${again.seconds.toFixed(2)} s`);
    expect(again.built).toBe(false);
    expect(again.imageId).toBe(first.imageId);
    const info = await docker().getImage(first.tag).inspect();
    expect(info.Id).toBe(first.imageId);
  });
});
