import { type SelectionClient, resolveSelection } from "../selection/resolve.js";
import { type CollectClient, collectSubjects } from "./mlflow-collect.js";
import type { TraceReader } from "./ports.js";

/** The trace's reader over an MLflow tracking server (MlflowClient satisfies the client). */
export function mlflowTraceReader(client: SelectionClient & CollectClient): TraceReader {
  return {
    subjects: async (selection, { concurrency }) => {
      const { runs } = await resolveSelection(client, selection, { concurrency });
      // An empty selection is the job's to refuse; nothing to collect for it.
      return runs.length === 0 ? [] : collectSubjects(client, runs, { concurrency });
    },
  };
}
