import { describe, expect, it } from "vitest";
import { z } from "zod";

import { ReplayFingerprintsSchema } from "../../../harness/report/replay-fingerprints.js";
import type { Fingerprint } from "../../../harness/fingerprint/schema.js";
import { container, host } from "../audit/audit-factories.js";

// A run's replay fingerprints in report.json: each distinct environment once.

const fp = (i: number, imageId = "sha256:a"): Fingerprint => ({
  host,
  container,
  imageId,
  executor: "docker",
  capturedAt: `2026-12-03T10:0${i}:00.000Z`,
});

describe("replay fingerprints in report.json", () => {
  it("holds one environment for replays that ran in the same one, and reads back every replay's fingerprint", () => {
    const fps = [fp(0), fp(1), fp(2, "sha256:b"), fp(3)];
    const json = z.encode(ReplayFingerprintsSchema, fps) as { environments: unknown[]; replays: unknown[] };
    expect(json.environments).toHaveLength(2);
    expect(json.replays).toEqual([
      { environment: 0, capturedAt: fps[0]?.capturedAt },
      { environment: 0, capturedAt: fps[1]?.capturedAt },
      { environment: 1, capturedAt: fps[2]?.capturedAt },
      { environment: 0, capturedAt: fps[3]?.capturedAt },
    ]);
    expect(JSON.stringify(json).length).toBeLessThan(JSON.stringify(fps).length / 1.8);
    expect(ReplayFingerprintsSchema.parse(JSON.parse(JSON.stringify(json)))).toEqual(fps);
  });

  it("reads the one-fingerprint-per-replay form of versions 1-3", () => {
    const fps = [fp(0), fp(1)];
    expect(ReplayFingerprintsSchema.parse(JSON.parse(JSON.stringify(fps)))).toEqual(fps);
  });

  it("says which replay and field is wrong, in either direction", () => {
    const json = z.encode(ReplayFingerprintsSchema, [fp(0)]) as { replays: { environment: number }[] };
    (json.replays[0] as { environment: number }).environment = 3;
    const bad = ReplayFingerprintsSchema.safeParse(json);
    expect(bad.success).toBe(false);
    expect(z.prettifyError(bad.error as z.ZodError)).toContain("replay 0 names environment 3, but there are 1");
    const wrongTime = { ...fp(0), capturedAt: "yesterday" };
    const enc = z.safeEncode(ReplayFingerprintsSchema, [fp(0), wrongTime]);
    expect(enc.success).toBe(false);
    expect(JSON.stringify(enc.error?.issues.map((i) => i.path))).toContain('[1,"capturedAt"]');
  });
});
