import { ArtifactProxy } from "./artifacts.js";
import { proxiedArtifactRoot } from "./artifact-uri.js";
import type { BatchInput } from "./batching.js";
import { optionsFromEnv, validateTrackingUri, type ClientOptions } from "./config.js";
import { ExperimentsApi, type SearchExperimentsOptions } from "./experiments.js";
import { HttpTransport } from "./http.js";
import { insecureFetch } from "./insecure-fetch.js";
import { LoggedModelsApi, type SearchLoggedModelsOptions } from "./logged-models.js";
import { RegistryApi, type RegistrySearchOptions } from "./registry.js";
import {
  RunsApi,
  type CreateRunOptions,
  type MetricHistoryOptions,
  type SearchRunsOptions,
  type UpdateRunOptions,
} from "./runs.js";
import type {
  Experiment,
  FileInfo,
  LoggedModel,
  Metric,
  ModelVersion,
  RegisteredModel,
  Run,
  PartialRunInfo,
} from "./schemas.js";

// The one object the rest of the harness talks to a tracking server through. It
// composes the per-resource APIs (experiments, runs, artifacts, registry, logged
// models) over one transport, and resolves "which artifacts" from a run id, an
// artifact URI, or a logged model.

export type { ClientOptions } from "./config.js";

/**
 * Whose artifacts: a run id string, an artifact URI string (anything with a ':'
 * such as `mlflow-artifacts:/1/abc/artifacts`), or an explicit object.
 */
export type ArtifactTarget = string | { runId: string } | { artifactUri: string } | { loggedModelId: string };

export class MlflowClient {
  readonly baseUrl: string;
  private readonly http: HttpTransport;
  private readonly experiments: ExperimentsApi;
  private readonly runs: RunsApi;
  private readonly registry: RegistryApi;
  private readonly loggedModels: LoggedModelsApi;
  private readonly artifacts: ArtifactProxy;
  private readonly artifactRoots = new Map<string, string>();

  /** A client configured as MLflow's own clients are: MLFLOW_TRACKING_URI and friends. */
  static fromEnv(
    env: Record<string, string | undefined> = process.env,
    overrides: Partial<ClientOptions> = {},
  ): MlflowClient {
    return new MlflowClient({ ...optionsFromEnv(env), ...overrides });
  }

  constructor(opts: ClientOptions) {
    this.baseUrl = validateTrackingUri(opts.baseUrl);
    this.http = new HttpTransport({
      baseUrl: this.baseUrl,
      token: opts.token,
      username: opts.username,
      password: opts.password,
      fetchImpl: opts.fetchImpl ?? (opts.insecureTls ? insecureFetch : undefined),
      retry: { retries: opts.retries, baseDelayMs: opts.retryBaseDelayMs, maxDelayMs: opts.retryMaxDelayMs },
      timeoutMs: opts.timeoutMs,
    });
    this.experiments = new ExperimentsApi(this.http);
    this.runs = new RunsApi(this.http);
    this.registry = new RegistryApi(this.http);
    this.loggedModels = new LoggedModelsApi(this.http);
    this.artifacts = new ArtifactProxy(this.http);
  }

  // ---- experiments ----

  /** The experiment of that name, or undefined when there is none. */
  getExperimentByName(name: string): Promise<Experiment | undefined> {
    return this.experiments.getByName(name);
  }
  getExperiment(id: string): Promise<Experiment> {
    return this.experiments.get(id);
  }
  searchExperiments(opts: SearchExperimentsOptions = {}): Promise<Experiment[]> {
    return this.experiments.search(opts);
  }
  /** Creates an experiment; returns its id. */
  createExperiment(name: string, tags?: Record<string, string>): Promise<string> {
    return this.experiments.create(name, tags);
  }
  getOrCreateExperiment(name: string): Promise<Experiment> {
    return this.experiments.getOrCreate(name);
  }

  // ---- runs ----

  /** Every matching run (all pages of 1000). */
  searchRuns(opts: SearchRunsOptions): Promise<Run[]> {
    return this.runs.search(opts);
  }
  /** The same, page by page. */
  searchRunsPages(opts: SearchRunsOptions): AsyncGenerator<Run[]> {
    return this.runs.searchPages(opts);
  }
  getRun(runId: string): Promise<Run> {
    return this.runs.get(runId);
  }
  createRun(opts: CreateRunOptions): Promise<Run> {
    return this.runs.create(opts);
  }
  updateRun(runId: string, opts: UpdateRunOptions): Promise<PartialRunInfo> {
    return this.runs.update(runId, opts);
  }
  deleteRun(runId: string): Promise<void> {
    return this.runs.delete(runId);
  }
  setTag(runId: string, key: string, value: string): Promise<void> {
    return this.runs.setTag(runId, key, value);
  }
  deleteTag(runId: string, key: string): Promise<void> {
    return this.runs.deleteTag(runId, key);
  }
  /** Logs everything given, split to the server's per-request limits; returns the request count. */
  logBatch(runId: string, batch: BatchInput): Promise<number> {
    return this.runs.logBatch(runId, batch);
  }
  logMetric(
    runId: string,
    key: string,
    value: number,
    opts: { step?: number; timestamp?: number } = {},
  ): Promise<void> {
    return this.runs.logMetric(runId, key, value, opts);
  }
  logParam(runId: string, key: string, value: string): Promise<void> {
    return this.runs.logParam(runId, key, value);
  }
  /** Every point of one metric (all pages). */
  getMetricHistory(runId: string, key: string, opts: MetricHistoryOptions = {}): Promise<Metric[]> {
    return this.runs.metricHistory(runId, key, opts);
  }

  // ---- artifacts (through the server's mlflow-artifacts proxy) ----

  /** Direct children of `path`; returned paths are relative to the artifact root. */
  async listArtifacts(target: ArtifactTarget, path = ""): Promise<FileInfo[]> {
    return this.artifacts.list(await this.artifactRoot(target), path, `listing artifacts of ${describe(target)}`);
  }
  /** Every file below `path`, folders expanded. */
  async listArtifactsRecursive(target: ArtifactTarget, path = ""): Promise<FileInfo[]> {
    return this.artifacts.listRecursive(
      await this.artifactRoot(target),
      path,
      `listing artifacts of ${describe(target)}`,
    );
  }
  /** Downloads one artifact file to `destFile`. */
  async downloadArtifact(target: ArtifactTarget, path: string, destFile: string): Promise<void> {
    return this.artifacts.download(
      await this.artifactRoot(target),
      path,
      destFile,
      `downloading from ${describe(target)}`,
    );
  }
  /** Downloads every file below `path` into `destDir` (layout kept, confined to destDir). */
  async downloadArtifacts(target: ArtifactTarget, path: string, destDir: string): Promise<string[]> {
    return this.artifacts.downloadTree(
      await this.artifactRoot(target),
      path,
      destDir,
      `downloading from ${describe(target)}`,
    );
  }
  /**
   * Uploads `localFile` into the artifact folder `artifactDir` ("" = root), keeping its
   * file name unless `fileName` is given (as mlflow.log_artifact does). Returns the
   * artifact path it was stored at, e.g. "repro/report.json".
   */
  async uploadArtifact(
    target: ArtifactTarget,
    localFile: string,
    artifactDir = "",
    fileName?: string,
  ): Promise<string> {
    return this.artifacts.upload(
      await this.artifactRoot(target),
      localFile,
      artifactDir,
      fileName,
      `uploading to ${describe(target)}`,
    );
  }

  // ---- model registry ----

  getRegisteredModel(name: string): Promise<RegisteredModel> {
    return this.registry.getRegisteredModel(name);
  }
  searchRegisteredModels(opts: RegistrySearchOptions = {}): Promise<RegisteredModel[]> {
    return this.registry.searchRegisteredModels(opts);
  }
  /** `filter` as in MLflow, e.g. `name='Wine'` or `run_id='abc'`. */
  searchModelVersions(filter?: string, opts: Omit<RegistrySearchOptions, "filter"> = {}): Promise<ModelVersion[]> {
    return this.registry.searchModelVersions({ ...opts, filter });
  }
  getModelVersion(name: string, version: string): Promise<ModelVersion> {
    return this.registry.getModelVersion(name, version);
  }
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return this.registry.getModelVersionByAlias(name, alias);
  }
  setModelVersionTag(name: string, version: string, key: string, value: string): Promise<void> {
    return this.registry.setModelVersionTag(name, version, key, value);
  }
  /** Replaces the version's whole description: read it first to keep the author's text. */
  updateModelVersionDescription(name: string, version: string, description: string): Promise<ModelVersion> {
    return this.registry.updateModelVersionDescription(name, version, description);
  }

  // ---- logged models (MLflow 3) ----

  getLoggedModel(modelId: string): Promise<LoggedModel> {
    return this.loggedModels.get(modelId);
  }
  searchLoggedModels(opts: SearchLoggedModelsOptions): Promise<LoggedModel[]> {
    return this.loggedModels.search(opts);
  }
  listLoggedModelArtifacts(modelId: string, path = ""): Promise<FileInfo[]> {
    return this.listArtifacts({ loggedModelId: modelId }, path);
  }
  downloadLoggedModelArtifact(modelId: string, path: string, destFile: string): Promise<void> {
    return this.downloadArtifact({ loggedModelId: modelId }, path, destFile);
  }
  downloadLoggedModelArtifacts(modelId: string, destDir: string, path = ""): Promise<string[]> {
    return this.downloadArtifacts({ loggedModelId: modelId }, path, destDir);
  }

  // ---- helpers ----

  /** The proxy path of a target's artifact root; run and model lookups are cached. */
  private async artifactRoot(target: ArtifactTarget): Promise<string> {
    if (typeof target === "string") {
      return target.includes(":") ? proxiedArtifactRoot(target) : this.artifactRoot({ runId: target });
    }
    if ("artifactUri" in target) return proxiedArtifactRoot(target.artifactUri);
    const key = "runId" in target ? `run:${target.runId}` : `model:${target.loggedModelId}`;
    const cached = this.artifactRoots.get(key);
    if (cached !== undefined) return cached;
    let uri: string | undefined;
    if ("runId" in target) {
      uri = (await this.getRun(target.runId)).info.artifact_uri;
      if (!uri) throw new Error(`Run ${target.runId} has no artifact_uri`);
    } else {
      uri = (await this.getLoggedModel(target.loggedModelId)).info.artifact_uri;
    }
    const root = proxiedArtifactRoot(uri);
    this.artifactRoots.set(key, root);
    return root;
  }
}

function describe(target: ArtifactTarget): string {
  if (typeof target === "string") return target.includes(":") ? target : `run ${target}`;
  if ("runId" in target) return `run ${target.runId}`;
  if ("artifactUri" in target) return target.artifactUri;
  return `logged model ${target.loggedModelId}`;
}
