import { describe, expect, it } from "vitest";
import { assembleReport } from "../../../harness/audit/assemble-report.js";
import { assembleRun } from "../../../harness/audit/assemble-run.js";
import { auditExitCode } from "../../../harness/cli/commands/audit-action.js";
import type { ReportRun } from "../../../harness/report/schema.js";
import { facts, meta, recordedRun, replayRecord } from "./audit-factories.js";

const reproduced = (id: string) => assembleRun(facts({ run: recordedRun({ runId: id }) }));
const notReproduced = (id: string) =>
  assembleRun(
    facts({
      run: recordedRun({ runId: id }),
      replays: [0.9, 0.91, 0.9].map((rmse, i) => replayRecord(i, { metrics: { rmse, r2: 0.42 } })),
    }),
  );
const failedReplays = (id: string) =>
  assembleRun(
    facts({
      run: recordedRun({ runId: id }),
      replays: [0, 1, 2].map((i) =>
        replayRecord(i, { status: "failed", exitCode: 1, failure: { kind: "exit", message: "exit 1" }, metrics: {} }),
      ),
    }),
  );

function result(runs: ReportRun[], extra: { aborted?: boolean; infrastructureErrors?: string[] } = {}) {
  return {
    report: assembleReport(meta(), runs),
    aborted: extra.aborted ?? false,
    infrastructureErrors: extra.infrastructureErrors ?? [],
  };
}

describe("auditExitCode", () => {
  it("sanity: the runs have the verdicts the cases rely on", () => {
    expect([reproduced("a"), notReproduced("b"), failedReplays("c")].map((r) => r.score.verdict)).toEqual([
      "reproduced",
      "not_reproduced",
      "failed",
    ]);
  });

  it("0 when every run reproduced", () => {
    expect(auditExitCode(result([reproduced("a"), reproduced("b")]))).toBe(0);
  });

  it("0 for runs consistent with run-to-run variance (amber, but the gate passes); 1 for an inconclusive run", () => {
    const as = (v: "consistent_with_variance" | "inconclusive", id: string): ReportRun => {
      const r = reproduced(id);
      return { ...r, score: { ...r.score, verdict: v } };
    };
    expect(auditExitCode(result([reproduced("a"), as("consistent_with_variance", "b")]))).toBe(0);
    expect(auditExitCode(result([reproduced("a"), as("inconclusive", "b")]))).toBe(1);
  });

  it("1 when any run is not reproduced or its replays failed", () => {
    expect(auditExitCode(result([reproduced("a"), notReproduced("b")]))).toBe(1);
    expect(auditExitCode(result([failedReplays("c"), reproduced("a")]))).toBe(1);
  });

  it("2 when the audit was interrupted or a run could not be replayed at all, whatever the verdicts", () => {
    expect(auditExitCode(result([reproduced("a")], { aborted: true }))).toBe(2);
    expect(auditExitCode(result([reproduced("a")], { infrastructureErrors: ["run x: cannot build the image"] }))).toBe(
      2,
    );
    expect(auditExitCode(result([notReproduced("b")], { aborted: true }))).toBe(2);
  });

  it("2 when a run is incomplete (an infrastructure fault stopped a replay), even without an interrupt", () => {
    const infra = assembleRun(
      facts({
        run: recordedRun({ runId: "d" }),
        replays: [
          replayRecord(0),
          replayRecord(1, {
            status: "failed",
            exitCode: null,
            failure: { kind: "infrastructure", message: "engine gone" },
            metrics: {},
          }),
          replayRecord(2),
        ],
      }),
    );
    expect(infra.score.verdict).toBe("incomplete");
    expect(auditExitCode(result([reproduced("a"), infra]))).toBe(2);
  });
});
