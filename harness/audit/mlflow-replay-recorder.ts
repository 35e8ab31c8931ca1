import type { MlflowClient } from "../tracking/client.js";
import { Tags } from "../tracking/tags.js";
import type { ReplayRecorder } from "./replay-runs.js";

// The replay runs' recorder over a real tracking server: MLflow's search syntax and
// Run shape stay here. (Its own file, not mlflow-ports.ts: the replay runner uses it,
// and mlflow-ports.ts imports the replay pipeline.)

export function mlflowReplayRecorder(client: MlflowClient): ReplayRecorder {
  return {
    experimentId: async (name) => (await client.getOrCreateExperiment(name)).experiment_id,
    findReplayRuns: async (experimentId, of) => {
      // Both values are checked identifiers (audit id schema, safe run id): no quoting issues.
      const filter = `tags."${Tags.auditId}" = '${of.auditId}' and tags."${Tags.replayOf}" = '${of.originalRunId}'`;
      const runs = await client.searchRuns({ experimentIds: [experimentId], filter });
      return runs.map((run) => {
        const index = Number(run.data.tags.find((t) => t.key === Tags.replayIndex)?.value);
        return {
          runId: run.info.run_id,
          index: Number.isSafeInteger(index) ? index : undefined,
          status: run.info.status,
          empty: run.data.metrics.length === 0 && run.data.params.length === 0,
        };
      });
    },
    createRun: async (experimentId, run) => (await client.createRun({ experimentId, ...run })).info.run_id,
    setStatus: async (runId, status, endTime) => {
      await client.updateRun(runId, { status, endTime });
    },
    deleteRun: (runId) => client.deleteRun(runId),
  };
}
