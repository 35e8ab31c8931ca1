import { recordedRunFromMlflow } from "../plan/recorded-run.js";
import type { LoggedModel, ModelVersion, Run } from "../tracking/schemas.js";
import type { RunArtifactListing, TraceSubject } from "./subject.js";

// MLflow's wire shapes end here for the trace: what mlflow-collect.ts fetched becomes a
// TraceSubject once, so the checklist and the document never read a `Run`.

/** What mlflow-collect.ts gathers for one run, still in MLflow's shapes. */
export interface MlflowSubjectParts {
  run: Run;
  runArtifacts: RunArtifactListing;
  loggedModels: { model: LoggedModel; files: string[]; error?: string | undefined }[];
  modelVersions: ModelVersion[];
}

export function subjectFromMlflow(parts: MlflowSubjectParts): TraceSubject {
  const { run } = parts;
  return {
    run: recordedRunFromMlflow(run),
    status: run.info.status ?? null,
    datasets: run.inputs.dataset_inputs.map((i) => ({ name: i.dataset.name, digest: i.dataset.digest })),
    runArtifacts: parts.runArtifacts,
    loggedModels: parts.loggedModels.map((lm) => ({
      modelId: lm.model.info.model_id,
      name: lm.model.info.name,
      files: lm.files,
      ...(lm.error !== undefined ? { error: lm.error } : {}),
    })),
    modelVersions: parts.modelVersions.map((v) => ({ name: v.name, version: v.version, aliases: [...v.aliases] })),
  };
}
