// Public surface of the tracking client, for the rest of the harness and the library entry.
export { MlflowClient, type ArtifactTarget, type ClientOptions } from "./client.js";
export * from "./schemas.js";
export * from "./errors.js";
export { optionsFromEnv, validateTrackingUri } from "./config.js";
export { splitBatch, SERVER_BATCH_LIMITS, type BatchInput, type BatchChunk, type MetricInput, type KeyValueInput } from "./batching.js";
export { safeArtifactPath, resolveInside, joinArtifactPath } from "./artifact-paths.js";
export { proxiedArtifactRoot } from "./artifact-uri.js";
export { loggedModelIdOfVersion, loggedModelIdsOfRun } from "./model-refs.js";
export { MODEL_ENVIRONMENT_FILES, type SearchLoggedModelsOptions } from "./logged-models.js";
export type { SearchRunsOptions, CreateRunOptions, UpdateRunOptions, MetricHistoryOptions } from "./runs.js";
export type { SearchExperimentsOptions, ViewType } from "./experiments.js";
export type { RegistrySearchOptions } from "./registry.js";
