import { describe, expect, it } from "vitest";
import { assembleRun } from "../../../harness/audit/assemble-run.js";
import { facts, recordedRun, replayRecord } from "./audit-factories.js";

// Issue 10 item 4: "The original logged 0.569 but no replay finished", though the replays logged it bit for bit.
const crashed = (i: number) =>
  replayRecord(i, {
    status: "failed",
    exitCode: 1,
    failure: { kind: "exit", message: "exit code 1: ValueError: boom" },
    stderrTail: 'Traceback (most recent call last):\n  File "train.py", line 9\nValueError: boom\n\n',
  });

describe("assembleRun: replays that exited 1 after logging the original's metrics", () => {
  it("scores their metrics (identical), and a FINISHED original is not reproduced by them", () => {
    const run = assembleRun(
      facts({ run: recordedRun({ status: "FINISHED" }), replays: [crashed(0), crashed(1), crashed(2)] }),
    );
    expect(run.originalStatus).toBe("FINISHED");
    expect(run.metrics.map((m) => [m.name, m.verdict, m.replays])).toEqual([
      ["r2", "identical", [0.42, 0.42, 0.42]],
      ["rmse", "identical", [0.731, 0.731, 0.731]],
    ]);
    expect(run.score.verdict).toBe("not_reproduced");
    expect(run.score.findings).toContain("replay 1 did not finish (exit 1: ValueError: boom)");
    expect(run.replays.map((r) => [r.status, r.exitCode])).toEqual([
      ["failed", 1],
      ["failed", 1],
      ["failed", 1],
    ]);
  });

  it("says original and replays failed the same way when the original FAILED", () => {
    const run = assembleRun(
      facts({ run: recordedRun({ status: "FAILED" }), replays: [crashed(0), crashed(1), crashed(2)] }),
    );
    expect(run.originalStatus).toBe("FAILED");
    expect(run.score.findings.some((f) => f.startsWith("original and replays failed the same way"))).toBe(true);
    expect(run.score.verdict).toBe("reproduced");
    expect(run.score.reason).toMatch(/^Reproduced, failing as the original did/);
  });

  it("a timed-out replay is not compared on what it logged", () => {
    const timedOut = replayRecord(0, {
      status: "failed",
      exitCode: null,
      timedOut: true,
      failure: { kind: "timeout", message: "timed out after 60s" },
    });
    const run = assembleRun(facts({ run: recordedRun({ status: "FAILED" }), replays: [timedOut] }, 1));
    expect(run.metrics.every((m) => m.replays[0] === null)).toBe(true);
    expect(run.score.verdict).toBe("failed");
  });
});
