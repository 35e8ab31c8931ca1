import type { Run } from "../tracking/schemas.js";

/** The parts of a tracked run that planning reads: flat maps, values exactly as logged. */
export interface RecordedRun {
  runId: string;
  experimentId: string;
  runName?: string;
  /** how the original ended as MLflow recorded it (FINISHED, FAILED, KILLED, RUNNING): its only record of that */
  status?: string;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** latest value per metric key */
  metrics: Record<string, number>;
}

export function recordedRunFromMlflow(run: Run): RecordedRun {
  const params: Record<string, string> = {};
  for (const p of run.data.params) params[p.key] = p.value;
  const tags: Record<string, string> = {};
  for (const t of run.data.tags) tags[t.key] = t.value;
  // A run's data.metrics holds the latest value per key; keep the highest step if a
  // server ever returns several.
  const metrics: Record<string, number> = {};
  const steps: Record<string, number> = {};
  for (const m of run.data.metrics) {
    const prev = steps[m.key];
    if (prev === undefined || m.step >= prev) {
      metrics[m.key] = m.value;
      steps[m.key] = m.step;
    }
  }
  return {
    runId: run.info.run_id,
    experimentId: run.info.experiment_id,
    ...(run.info.run_name !== undefined ? { runName: run.info.run_name } : {}),
    ...(run.info.status !== undefined ? { status: run.info.status } : {}),
    params,
    tags,
    metrics,
  };
}

/** The artifact a recording step may attach with the uncommitted changes of a dirty tree. */
export const DIFF_ARTIFACT_PATH = "repro/diff.patch";
