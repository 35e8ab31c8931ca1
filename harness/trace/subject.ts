import type { RecordedRun } from "../plan/recorded-run.js";

/**
 * Everything the traceability checklist looks at for one run, gathered by a TraceReader
 * (ports.ts). The checklist itself does no I/O, so this is the whole of what it can know.
 * No tracker's wire shapes reach it: an adapter (mlflow-subject.ts for MLflow) converts
 * once, so a new tracker brings a reader and leaves the checklist alone.
 */
export interface TraceSubject {
  /** The run's params, tags and latest metrics, as the plan reads them too. */
  run: RecordedRun;
  /** The run's state as the tracker names it ("FINISHED"); null when it does not say. */
  status: string | null;
  /** The datasets the run logged as inputs, in logged order. */
  datasets: DatasetInput[];
  /**
   * Artifact file paths of the run, relative to its artifact root ("repro/git.diff"),
   * listed to a bounded depth. Directories are not included, only files.
   */
  runArtifacts: RunArtifactListing;
  /** Logged models of this run (MLflow 3's), each with the files found under it. */
  loggedModels: LoggedModelFiles[];
  /** Registered model versions whose source is this run or one of its logged models. */
  modelVersions: RegisteredVersion[];
}

export interface DatasetInput {
  name: string;
  /** What pins the data's content; absent when none was logged. */
  digest?: string | undefined;
}

export interface RunArtifactListing {
  files: string[];
  /** True when the bounded walk stopped before listing every directory. */
  truncated: boolean;
  /** Why the artifacts could not be listed (a store the harness cannot read); files is then []. */
  error?: string | undefined;
}

export interface LoggedModelFiles {
  modelId: string;
  name: string;
  /** File paths relative to the logged model's artifact root ("requirements.txt"). */
  files: string[];
  /** Why the model's files could not be listed; files is then []. */
  error?: string | undefined;
}

export interface RegisteredVersion {
  name: string;
  version: string;
  aliases: string[];
}
