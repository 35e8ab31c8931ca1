import { describe, expect, it } from "vitest";
import { scoreRun } from "../../../harness/drift/score.js";
import type { ReplayRecord } from "../../../harness/drift/schema.js";
import { nextStep } from "../../../harness/drift/stopping.js";
import { DEFAULT_POLICY } from "../../../harness/drift/tolerance.js";

// Issue 10 item 4: three replays exit 1 after logging the original's value bit for bit.
const crashed = (lastError = "ValueError: boom"): ReplayRecord => ({
  ok: false,
  metrics: { acc: 0.569 },
  exit: { code: 1, lastError },
});

describe("scoreRun with replays that exited non-zero after logging", () => {
  it("compares what they logged, and a FINISHED original is not reproduced by crashes", () => {
    const run = scoreRun({
      runId: "r",
      original: { metrics: { acc: 0.569 } },
      replays: [crashed(), crashed(), crashed()],
      policy: DEFAULT_POLICY,
      originalStatus: "FINISHED",
    });
    expect(run.metrics[0]?.verdict).toBe("identical");
    expect(run.metrics[0]?.replays).toEqual([0.569, 0.569, 0.569]);
    expect(run.verdict).toBe("not_reproduced");
    expect(run.reason).toContain("3 of 3 replays did not finish");
    expect(run.findings.join("\n")).not.toContain("failed the same way");
  });

  it("says original and replays failed the same way when the original FAILED and every replay ended alike", () => {
    const run = scoreRun({
      runId: "r",
      original: { metrics: { acc: 0.569 } },
      replays: [crashed(), crashed(), crashed()],
      policy: DEFAULT_POLICY,
      originalStatus: "FAILED",
    });
    expect(run.metrics[0]?.verdict).toBe("identical");
    expect(run.findings).toContain(
      "original and replays failed the same way: the original's recorded status is FAILED (MLflow records no exit code or error output for it); every replay exited 1 with the last error line: ValueError: boom",
    );
    expect(run.verdict).toBe("reproduced");
    expect(run.reason).toMatch(/^Reproduced, failing as the original did: /);
  });

  it("is not the same way when the replays' last error lines differ", () => {
    const run = scoreRun({
      runId: "r",
      original: { metrics: { acc: 0.569 } },
      replays: [crashed(), crashed("KeyError: 'x'")],
      policy: DEFAULT_POLICY,
      originalStatus: "FAILED",
    });
    expect(run.verdict).toBe("not_reproduced");
    expect(run.findings.join("\n")).not.toContain("failed the same way");
  });

  it("a FAILED original is not reproduced by replays that finished", () => {
    const run = scoreRun({
      runId: "r",
      original: { metrics: { acc: 0.569 } },
      replays: [{ ok: true, metrics: { acc: 0.569 } }],
      policy: DEFAULT_POLICY,
      originalStatus: "FAILED",
    });
    expect(run.metrics[0]?.verdict).toBe("identical");
    expect(run.verdict).toBe("not_reproduced");
    expect(run.reason).toContain("the original's recorded status is FAILED but every replay finished");
  });
});

describe("nextStep with replays that failed as the original did", () => {
  it("scores them as the report does, given the original's status", () => {
    const input = {
      runId: "r",
      original: { metrics: { acc: 0.569 } },
      replays: [crashed(), crashed(), crashed()],
      policy: DEFAULT_POLICY,
      minReplays: 3,
      maxReplays: 3,
    };
    expect(nextStep({ ...input, originalStatus: "FAILED" }).verdict).toBe("reproduced");
    expect(nextStep(input).verdict).toBe("not_reproduced");
  });
});
