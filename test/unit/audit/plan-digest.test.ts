import { describe, expect, it } from "vitest";
import { planDigest } from "../../../harness/audit/replay-runner.js";
import { ReplayPlanSchema } from "../../../harness/plan/plan.js";

const plan = (code: Record<string, unknown>, command = "python train.py --seed 42") =>
  ReplayPlanSchema.parse({
    runId: "r1",
    experimentId: "1",
    command,
    commandSource: "scenario",
    params: { seed: "42" },
    environment: { source: "scenario", requirements: ["numpy==2.4.6"] },
    code: { dirtyOriginal: "unknown", diffAvailable: false, ...code },
    capture: { mode: "mlflow" },
    limits: { timeoutSeconds: 60, memoryMb: 512, cpus: 1, pids: 256 },
    originalMetrics: { rmse: 1 },
  });

describe("planDigest (what a resume must find unchanged)", () => {
  it("ignores the scratch path of a checkout, which is new on every attempt", () => {
    const a = plan({ source: "checkout", path: "/tmp/repro-audit-checkout-AAAA", commit: "abc" });
    const b = plan({ source: "checkout", path: "/tmp/repro-audit-checkout-BBBB", commit: "abc" });
    expect(planDigest(a)).toBe(planDigest(b));
    expect(planDigest(plan({ source: "checkout", path: "/tmp/x", commit: "def" }))).not.toBe(planDigest(a));
  });
  it("keeps a scenario folder's path, the command and the notes' absence in mind", () => {
    const a = plan({ source: "scenario", path: "/p/scenarios/basic" });
    expect(planDigest(plan({ source: "scenario", path: "/p/scenarios/mlp" }))).not.toBe(planDigest(a));
    expect(planDigest(plan({ source: "scenario", path: "/p/scenarios/basic" }, "python train.py --seed 1"))).not.toBe(
      planDigest(a),
    );
    expect(planDigest({ ...a, notes: ["a note"] })).toBe(planDigest(a));
  });
});
