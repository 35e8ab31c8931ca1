import type { LoggedModel, ModelVersion, Run } from "../tracking/schemas.js";

/**
 * Everything the traceability checklist looks at for one run, gathered by collect.ts.
 * The checklist itself does no I/O, so this is the whole of what it can know.
 */
export interface TraceSubject {
  /** The run as MLflow's runs/get answers it (wire shape). */
  run: Run;
  /**
   * Artifact file paths of the run, relative to its artifact root ("repro/git.diff"),
   * listed to a bounded depth. Directories are not included, only files.
   */
  runArtifacts: RunArtifactListing;
  /** MLflow 3 logged models of this run, each with the files found under it. */
  loggedModels: LoggedModelFiles[];
  /** Registered model versions whose source is this run or one of its logged models. */
  modelVersions: ModelVersion[];
}

export interface RunArtifactListing {
  files: string[];
  /** True when the bounded walk stopped before listing every directory. */
  truncated: boolean;
  /** Why the artifacts could not be listed (a store the harness cannot read); files is then []. */
  error?: string | undefined;
}

export interface LoggedModelFiles {
  model: LoggedModel;
  /** File paths relative to the logged model's artifact root ("requirements.txt"). */
  files: string[];
  /** Why the model's files could not be listed; files is then []. */
  error?: string | undefined;
}
