import { recordedRunFromMlflow } from "../plan/recorded-run.js";
import type { MlflowClient } from "../tracking/client.js";
import type { Run } from "../tracking/schemas.js";
import { MlflowError } from "../tracking/errors.js";
import { loggedModelIdsOfRun } from "../tracking/model-refs.js";
import type { AuditPorts, LoggedModelRef, ReadRun, ReportPublisher, RunReader } from "./ports.js";
import { previewReplay, replayJob } from "./replay-pipeline.js";

// The audit's ports over a real tracking server. MLflow's wire shapes end here: a
// Run becomes a ReadRun once, where it is read.

export function readRunFromMlflow(run: Run): ReadRun {
  const loggedModelIds = loggedModelIdsOfRun(run);
  return {
    run: recordedRunFromMlflow(run),
    ...(run.info.lifecycle_stage !== undefined ? { lifecycleStage: run.info.lifecycle_stage } : {}),
    ...(loggedModelIds.length > 0 ? { loggedModelIds } : {}),
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
    loggedModels: (read) => loggedModelsOfRun(client, read),
    listLoggedModelFiles: async (modelId) =>
      (await client.listArtifactsRecursive({ loggedModelId: modelId }))
        .filter((f) => !f.is_dir)
        .map((f) => ({ path: f.path, size: f.file_size ?? null })),
    downloadLoggedModelFile: (modelId, path, destFile) =>
      client.downloadArtifact({ loggedModelId: modelId }, path, destFile),
  };
}

/**
 * The models whose source run this is (one search in its experiment), and those its
 * outputs list that the search did not return (logged elsewhere): read one by one,
 * deleted ones skipped. A server before MLflow 3 has no such endpoint: none. The run
 * as the audit already read it says its experiment and outputs: not read again.
 */
async function loggedModelsOfRun(client: MlflowClient, read: ReadRun): Promise<LoggedModelRef[]> {
  const runId = read.run.runId;
  const found = new Map<string, LoggedModelRef>();
  try {
    const models = await client.searchLoggedModels({
      experimentIds: [read.run.experimentId],
      filter: `source_run_id = '${runId.replaceAll("'", "")}'`,
    });
    for (const m of models)
      if (m.info.source_run_id === runId) found.set(m.info.model_id, { modelId: m.info.model_id, name: m.info.name });
  } catch (err) {
    if (!(err instanceof MlflowError && (err.isNotFound || err.status === 501))) throw err;
  }
  for (const modelId of read.loggedModelIds ?? []) {
    if (found.has(modelId)) continue;
    try {
      const m = await client.getLoggedModel(modelId);
      found.set(modelId, { modelId, name: m.info.name });
    } catch (err) {
      if (!(err instanceof MlflowError && err.isNotFound)) throw err;
    }
  }
  return [...found.values()];
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
