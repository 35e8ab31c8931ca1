import type { ImagePreview } from "../exec/executors.js";
import type { ReplayPlan } from "../plan/plan.js";
import type { RecordedRun } from "../plan/recorded-run.js";
import { comparedMetricNames } from "./assemble-run.js";

// Whether a replay of a run can tell anything, decided before anything costs: the
// one check that `--dry-run` prints and that the real audit and replay apply before
// any image is prepared or any report folder is written. Pure: the caller has
// planned the run (code, command, environment) and asked the executor what image
// it would use.

/** What a preview says about one run: its plan, the image it would run in, what would be compared, or why it cannot be replayed. */
export interface RunPreview {
  runId: string;
  runName?: string;
  /** the original's MLflow status (FINISHED, FAILED, ...) */
  status?: string;
  /** absent when the run could not be planned (the refusal says why) */
  plan?: ReplayPlan;
  image?: ImagePreview;
  compared: {
    /** the metrics the replays are scored on (the compared names the original has a value for) */
    metrics: string[];
    /** the original's artifact files compared by hash (harness files left out); absent when not listed */
    artifacts?: string[];
  };
  /** why the run cannot be replayed; absent when it can */
  refusal?: string;
  /** what the preview could not find out (the artifact listing failed, ...) */
  notes: string[];
}

/** The metrics a replay of this run is scored on: the names the plan compares that the original recorded, sorted. */
export function metricsToCompare(run: RecordedRun, plan: ReplayPlan): string[] {
  return comparedMetricNames(run, plan)
    .filter((n) => Object.hasOwn(plan.originalMetrics, n))
    .sort();
}

/**
 * Why replaying this plan would be spent for nothing, or undefined when it would not:
 * an original with no metric to score the replays against (MLflow's system metrics and
 * the harness's own score are not the workload's). Artifacts alone are not enough: a
 * verdict is a verdict on metrics.
 */
export function replayRefusal(run: RecordedRun, plan: ReplayPlan): string | undefined {
  if (metricsToCompare(run, plan).length > 0) return undefined;
  const recorded = comparedMetricNames(run, undefined);
  const named = comparedMetricNames(run, plan);
  const why =
    recorded.length === 0
      ? "the original recorded no metrics (MLflow's system metrics and repro.score aside)"
      : `the original recorded none of the metrics the plan compares (${named.join(", ")}); it recorded ${recorded.join(", ")}`;
  return (
    `run ${run.runId}: nothing to compare: ${why}, so no replay could be scored against it; ` +
    "log the run's metrics (mlflow.log_metric) and record it again, or give a scenario whose metrics it recorded"
  );
}
