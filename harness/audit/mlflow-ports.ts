import { recordedRunFromMlflow } from "../plan/recorded-run.js";
import type { MlflowClient } from "../tracking/client.js";
import type { Run } from "../tracking/schemas.js";
import type { AuditPorts, ReadRun, ReportPublisher, RunReader } from "./ports.js";
import { previewReplay, replayJob } from "./replay-pipeline.js";

// The audit's ports over a real tracking server. MLflow's wire shapes end here: a
// Run becomes a ReadRun once, where it is read.

export function readRunFromMlflow(run: Run): ReadRun {
  return {
    run: recordedRunFromMlflow(run),
    ...(run.info.lifecycle_stage !== undefined ? { lifecycleStage: run.info.lifecycle_stage } : {}),
  };
}

export function mlflowRunReader(client: MlflowClient): RunReader {
  return {
    getRun: async (runId) => readRunFromMlflow(await client.getRun(runId)),
    metricHistory: async (runId, key) =>
      (await client.getMetricHistory(runId, key)).map((p) => ({ step: p.step, value: p.value })),
    listArtifactFiles: async (runId) =>
      (await client.listArtifactsRecursive({ runId }))
        .filter((f) => !f.is_dir)
        .map((f) => ({ path: f.path, size: f.file_size ?? null })),
    downloadArtifact: (runId, path, destFile) => client.downloadArtifact({ runId }, path, destFile),
  };
}

export function mlflowReportPublisher(client: MlflowClient): ReportPublisher {
  return {
    uploadArtifact: (target, localPath, artifactDir) => client.uploadArtifact(target, localPath, artifactDir),
    logBatch: (runId, batch) => client.logBatch(runId, batch),
    setModelVersionTag: (name, version, key, value) => client.setModelVersionTag(name, version, key, value),
    modelVersionDescription: async (name, version) => (await client.getModelVersion(name, version)).description ?? "",
    setModelVersionDescription: (name, version, description) =>
      client.updateModelVersionDescription(name, version, description),
  };
}

export function mlflowAuditPorts(client: MlflowClient): AuditPorts {
  return {
    selection: client,
    reader: mlflowRunReader(client),
    replay: (opts) => replayJob({ ...opts, client }),
    preview: (opts) => previewReplay({ ...opts, client }),
    publisher: mlflowReportPublisher(client),
  };
}
