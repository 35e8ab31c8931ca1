import type { MetricInput } from "../tracking/batching.js";
import type { MlflowClient } from "../tracking/client.js";
import type { SandboxRun, SandboxStore } from "../tracking/sandbox-store.js";
import { MLFLOW_NAMESPACE, REPRO_NAMESPACE } from "../tracking/tags.js";

// After a sealed replay, the harness — never the workload — copies what the
// workload logged into its sandbox store onto the replay's run on the real server:
// params, every metric point with its own timestamp and step, its own tags, and
// artifact files within a budget. Tags in the harness's namespace (repro.*) and
// MLflow's system tags (mlflow.*, which describe the sandbox) are not copied, so a
// workload cannot label its own replay; registrations stay in the sandbox and are
// reported as notes.

export interface ImportBudget {
  /** artifact files larger than this are not uploaded */
  maxFileBytes: number;
  /** artifact bytes uploaded per replay */
  maxTotalBytes: number;
  maxFiles: number;
}

export const DEFAULT_IMPORT_BUDGET: ImportBudget = {
  maxFileBytes: 64 * 1024 * 1024,
  maxTotalBytes: 256 * 1024 * 1024,
  maxFiles: 200,
};

export interface SandboxChoice {
  /** the run that stands for the replay; absent when the workload logged none */
  run?: SandboxRun;
  notes: string[];
}

/**
 * Pure: which sandbox run is the replay's. The workload starts one run as it did
 * for the original; nested (child) runs and extra top-level runs are named in
 * notes. The earliest top-level run wins, as `mlflow.start_run()` would create it.
 */
export function chooseSandboxRun(store: SandboxStore): SandboxChoice {
  const notes = store.problems.map((p) => `sandbox store: ${p}`);
  for (const r of store.registrations)
    notes.push(`the replay registered model ${r} in its sandbox; the real model registry was not touched`);
  const top = store.runs.filter((r) => r.parentRunId === undefined);
  const children = store.runs.length - top.length;
  if (children > 0) notes.push(`the replay logged ${children} nested run(s); only the top-level run is imported`);
  const [run, ...others] = top;
  if (others.length > 0)
    notes.push(
      `the replay logged ${top.length} top-level runs; the first (${run?.runId}) is imported, ${others.map((o) => o.runId).join(", ")} are not`,
    );
  return run ? { run, notes } : { notes };
}

/** Pure: the workload's own tags, without the harness's namespace and MLflow's system tags. */
export function importableTags(tags: Readonly<Record<string, string>>): {
  tags: Record<string, string>;
  refused: string[];
} {
  const out: Record<string, string> = {};
  const refused: string[] = [];
  for (const [k, v] of Object.entries(tags)) {
    if (k.startsWith(REPRO_NAMESPACE)) refused.push(k);
    else if (!k.startsWith(MLFLOW_NAMESPACE)) out[k] = v;
  }
  return { tags: out, refused };
}

/** Copies the sandbox run onto `replayRunId` on the real server; returns notes on what was left out. */
export async function importSandboxRun(
  client: MlflowClient,
  replayRunId: string,
  run: SandboxRun,
  budget: ImportBudget = DEFAULT_IMPORT_BUDGET,
): Promise<string[]> {
  const notes: string[] = [];
  const { tags, refused } = importableTags(run.tags);
  if (refused.length > 0)
    notes.push(`the replay set harness tag(s) ${refused.join(", ")} on its own run: not imported`);
  const metrics: MetricInput[] = run.metrics.map((m) => ({
    key: m.key,
    value: m.value,
    timestamp: m.timestamp,
    step: m.step,
  }));
  await client.logBatch(replayRunId, {
    params: Object.entries(run.params).map(([key, value]) => ({ key, value })),
    tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    metrics,
  });
  let total = 0;
  let count = 0;
  for (const a of run.artifacts) {
    if (a.size > budget.maxFileBytes) {
      notes.push(`artifact ${a.path} not imported: ${a.size} bytes is over the ${budget.maxFileBytes}-byte limit`);
      continue;
    }
    if (total + a.size > budget.maxTotalBytes || count >= budget.maxFiles) {
      notes.push(
        `artifacts from ${a.path} on not imported: over the budget (${budget.maxFiles} files, ${budget.maxTotalBytes} bytes)`,
      );
      break;
    }
    const slash = a.path.lastIndexOf("/");
    await client.uploadArtifact(
      { runId: replayRunId },
      a.file,
      slash < 0 ? "" : a.path.slice(0, slash),
      a.path.slice(slash + 1),
    );
    total += a.size;
    count += 1;
  }
  return notes;
}
