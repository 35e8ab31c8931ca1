import { type SelectionClient, resolveSelection } from "../selection/resolve.js";
import { type CollectClient, collectSubjects } from "./mlflow-collect.js";
import type { TraceReader } from "./ports.js";

/** The trace's reader over an MLflow tracking server (MlflowClient satisfies the client). */
export function mlflowTraceReader(client: SelectionClient & CollectClient): TraceReader {
  return {
    subjects: async (selection, { concurrency, onEvent }) => {
      const { runs } = await resolveSelection(client, selection, { concurrency, ...(onEvent ? { onEvent } : {}) });
      // An empty selection is the job's to refuse; nothing to collect for it.
      if (runs.length === 0) return [];
      return collectSubjects(client, runs, {
        concurrency,
        ...(onEvent ? { onProgress: (done, total) => onEvent({ kind: "collected", done, total }) } : {}),
      });
    },
  };
}
