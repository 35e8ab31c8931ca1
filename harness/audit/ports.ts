import type { SelectionClient } from "../selection/resolve.js";
import type { HistoryPoint } from "../drift/schema.js";
import type { RecordedRun } from "../plan/recorded-run.js";
import type { BatchInput } from "../tracking/batching.js";
import type { ArtifactTarget } from "../tracking/client.js";
import type { CollectClient } from "../trace/mlflow-collect.js";
import type { RunPreview } from "./replay-check.js";
import type { ReplayJobOptions, ReplayJobResult, ReplayPreviewOptions } from "./replay-pipeline.js";

// What the audit needs from the outside, as small interfaces it owns: the tracking
// server's runs (read, already converted from MLflow's wire shapes), the place the
// report is attached back to, and the replay of one run. (The replay runs' own
// port, ReplayRecorder, sits with its consumer in replay-runs.ts.) mlflow-ports.ts backs them
// with an MlflowClient; unit tests back them with in-memory doubles
// (test/support/in-memory-tracking.ts), so the audit's orchestration runs without
// a server or an engine.

/** A run as the audit reads it: the recorded run, and whether it is deleted. */
export interface ReadRun {
  run: RecordedRun;
  /** "active" or "deleted" (absent when the server does not say) */
  lifecycleStage?: string;
  /** the MLflow 3 logged models the run's outputs list (absent where the server lists none) */
  loggedModelIds?: readonly string[];
}

/** An artifact file of a run, relative to its artifact root. */
export interface ArtifactFile {
  path: string;
  /** bytes, as the listing says; null when it does not */
  size: number | null;
}

export interface RunReader {
  getRun(runId: string): Promise<ReadRun>;
  /** every point of one metric, in the server's order */
  metricHistory(runId: string, key: string): Promise<HistoryPoint[]>;
  /** every artifact file of the run (folders walked, not listed) */
  listArtifactFiles(runId: string): Promise<ArtifactFile[]>;
  downloadArtifact(runId: string, path: string, destFile: string): Promise<void>;
  /**
   * The MLflow 3 logged models the run produced (its outputs, and models naming it as
   * their source run). Their files live under each model's own artifact root, not the
   * run's; [] where the server has no logged models.
   */
  loggedModels(read: ReadRun): Promise<LoggedModelRef[]>;
  /** every file of one logged model (folders walked) */
  listLoggedModelFiles(modelId: string): Promise<ArtifactFile[]>;
  downloadLoggedModelFile(modelId: string, path: string, destFile: string): Promise<void>;
}

/** A logged model as the audit names it. */
export interface LoggedModelRef {
  modelId: string;
  name: string;
}

/**
 * Where the audit attaches its report: artifacts, tags and the score metric of the
 * runs; tags and the description of model versions.
 */
export interface ReportPublisher {
  uploadArtifact(
    target: Extract<ArtifactTarget, { runId: string }>,
    localPath: string,
    artifactDir: string,
  ): Promise<unknown>;
  /** tags and metric points of one run, in as few requests as the server's limits allow */
  logBatch(runId: string, batch: Pick<BatchInput, "tags" | "metrics">): Promise<unknown>;
  setModelVersionTag(name: string, version: string, key: string, value: string): Promise<unknown>;
  /** the version's description as it is now; "" when it has none */
  modelVersionDescription(name: string, version: string): Promise<string>;
  setModelVersionDescription(name: string, version: string, description: string): Promise<unknown>;
}

/** The replay of one run N times (replay-pipeline.ts's replayJob over a tracking server). */
export type ReplayStep = (opts: Omit<ReplayJobOptions, "client">) => Promise<ReplayJobResult>;

/** One run's replay previewed, nothing built or run (replay-pipeline.ts's previewReplay): the audit's check before it writes anything. */
export type PreviewStep = (opts: Omit<ReplayPreviewOptions, "client">) => Promise<RunPreview>;

export interface AuditPorts {
  /** run selection and the traceability subjects, which still read MLflow's wire shapes */
  selection: SelectionClient & CollectClient;
  reader: RunReader;
  replay: ReplayStep;
  preview: PreviewStep;
  publisher: ReportPublisher;
}
