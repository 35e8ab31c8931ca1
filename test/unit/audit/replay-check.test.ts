import { describe, expect, it } from "vitest";
import { metricsToCompare, replayRefusal } from "../../../harness/audit/replay-check.js";
import type { RecordedRun } from "../../../harness/plan/recorded-run.js";
import { plan } from "./audit-factories.js";

// The check before anything costs (--dry-run, and the audit and replay before any
// image is prepared): a run with nothing to score the replays against is refused.

const RUN = "0123456789abcdef0123456789abcdef";

function run(metrics: Record<string, number>): RecordedRun {
  return { runId: RUN, experimentId: "1", params: {}, metrics, tags: {} };
}

describe("what a replay would compare, and whether it can be replayed", () => {
  it("compares the original's workload metrics, sorted, and lets such a run be replayed", () => {
    const r = run({ rmse: 0.731, r2: 0.42, "system/cpu_utilization_percentage": 3, "repro.score": 1 });
    const p = plan({ runId: RUN, originalMetrics: r.metrics });
    expect(metricsToCompare(r, p)).toEqual(["r2", "rmse"]);
    expect(replayRefusal(r, p)).toBeUndefined();
  });

  it("refuses a run that recorded no metrics, system metrics and the harness's score aside, saying how to fix it", () => {
    for (const metrics of [{}, { "system/cpu_utilization_percentage": 3, "repro.score": 1 }]) {
      const r = run(metrics);
      const refusal = replayRefusal(r, plan({ runId: RUN, originalMetrics: r.metrics }));
      expect(refusal).toBe(
        `run ${RUN}: nothing to compare: the original recorded no metrics (MLflow's system metrics and repro.score aside), ` +
          "so no replay could be scored against it; log the run's metrics (mlflow.log_metric) and record it again, " +
          "or give a scenario whose metrics it recorded",
      );
    }
  });

  it("refuses a run that recorded none of the metrics a scenario names, listing both", () => {
    const r = run({ loss: 2.5 });
    const p = plan({ runId: RUN, originalMetrics: r.metrics, capture: { mode: "mlflow", names: ["rmse", "mae"] } });
    expect(metricsToCompare(r, p)).toEqual([]);
    expect(replayRefusal(r, p)).toContain(
      "nothing to compare: the original recorded none of the metrics the plan compares (rmse, mae); it recorded loss",
    );
  });

  it("compares only the named metrics the original has, when it has some of them", () => {
    const r = run({ rmse: 0.7, loss: 2.5 });
    const p = plan({ runId: RUN, originalMetrics: r.metrics, capture: { mode: "mlflow", names: ["rmse", "mae"] } });
    expect(metricsToCompare(r, p)).toEqual(["rmse"]);
    expect(replayRefusal(r, p)).toBeUndefined();
  });
});
