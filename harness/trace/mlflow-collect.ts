import type { ArtifactTarget } from "../tracking/client.js";
import { MlflowConfigError, MlflowError, UnsafePathError } from "../tracking/errors.js";
import { loggedModelIdsOfRun } from "../tracking/model-refs.js";
import type { FileInfo, LoggedModel, ModelVersion, RegisteredModel, Run } from "../tracking/schemas.js";
import type { SearchLoggedModelsOptions } from "../tracking/logged-models.js";
import { mapBounded } from "../bounded-map.js";
import { type MlflowSubjectParts, subjectFromMlflow } from "./mlflow-subject.js";
import type { RunArtifactListing, TraceSubject } from "./subject.js";

// The trace's MLflow side. Gathers, for each selected run, what the checklist reads
// beyond the run itself: its artifact files (bounded walk), its MLflow 3 logged models
// and their files, and the registered versions made from it; mlflow-subject.ts turns
// each into a TraceSubject. Requests are batched where MLflow allows it
// (`source_run_id IN (...)`, `run_id IN (...)`) and the per-run listings run with
// bounded concurrency, so a selection of 1000 runs costs about one listing per run.

/** What collect needs from the tracking client (MlflowClient satisfies it). */
export interface CollectClient {
  searchLoggedModels(opts: SearchLoggedModelsOptions): Promise<LoggedModel[]>;
  getLoggedModel(modelId: string): Promise<LoggedModel>;
  searchModelVersions(filter?: string): Promise<ModelVersion[]>;
  getRegisteredModel(name: string): Promise<RegisteredModel>;
  listArtifacts(target: ArtifactTarget, path?: string): Promise<FileInfo[]>;
}

export interface CollectOptions {
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** Sub-folders of a run's artifact root that are listed (default 20); more sets `truncated`. */
  maxArtifactDirs?: number;
  /** Called after each run's subject is complete, for progress display. */
  onProgress?: (done: number, total: number) => void;
}

/** Run IDs per filter clause; keeps URLs and SQL IN lists small. */
const IN_CHUNK = 100;

export async function collectSubjects(
  client: CollectClient,
  runs: readonly Run[],
  opts: CollectOptions = {},
): Promise<TraceSubject[]> {
  const concurrency = opts.concurrency ?? 8;
  const maxDirs = opts.maxArtifactDirs ?? 20;
  const [modelsByRun, versionsByRun] = await Promise.all([
    loggedModelsByRun(client, runs, concurrency),
    modelVersionsByRun(client, runs, concurrency),
  ]);
  let done = 0;
  return mapBounded(runs, concurrency, async (run) => {
    const runArtifacts = await listRunArtifacts(client, run, maxDirs);
    const models = modelsByRun.get(run.info.run_id) ?? [];
    const loggedModels: MlflowSubjectParts["loggedModels"] = [];
    for (const model of models) loggedModels.push(await listModelFiles(client, model));
    const subject = subjectFromMlflow({
      run,
      runArtifacts,
      loggedModels,
      modelVersions: versionsByRun.get(run.info.run_id) ?? [],
    });
    done += 1;
    opts.onProgress?.(done, runs.length);
    return subject;
  });
}

/** MLflow filter string literal. Run IDs never hold quotes; escaping is for safety only. */
function quote(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function loggedModelsByRun(
  client: CollectClient,
  runs: readonly Run[],
  concurrency: number,
): Promise<Map<string, LoggedModel[]>> {
  const byRun = new Map<string, Map<string, LoggedModel>>();
  const add = (runId: string, model: LoggedModel) => {
    const models = byRun.get(runId) ?? new Map<string, LoggedModel>();
    models.set(model.info.model_id, model);
    byRun.set(runId, models);
  };
  // Models whose source_run_id is one of the runs, searched per experiment.
  const runsByExperiment = new Map<string, string[]>();
  for (const r of runs) {
    const ids = runsByExperiment.get(r.info.experiment_id) ?? [];
    ids.push(r.info.run_id);
    runsByExperiment.set(r.info.experiment_id, ids);
  }
  const searches = [...runsByExperiment].flatMap(([experimentId, ids]) =>
    chunks(ids, IN_CHUNK).map((chunk) => ({ experimentId, chunk })),
  );
  const found = await mapBounded(searches, concurrency, ({ experimentId, chunk }) =>
    client.searchLoggedModels({
      experimentIds: [experimentId],
      filter: `source_run_id IN (${chunk.map(quote).join(", ")})`,
    }),
  );
  const selected = new Set(runs.map((r) => r.info.run_id));
  for (const model of found.flat()) {
    const source = model.info.source_run_id;
    if (source !== undefined && selected.has(source)) add(source, model);
  }
  // Models the run lists as outputs but the search did not return (logged into another
  // experiment, or with another source run): fetched one by one; deleted ones are skipped.
  const missing: { runId: string; modelId: string }[] = [];
  for (const r of runs) {
    const have = byRun.get(r.info.run_id);
    for (const modelId of loggedModelIdsOfRun(r))
      if (!have?.has(modelId)) missing.push({ runId: r.info.run_id, modelId });
  }
  await mapBounded(missing, concurrency, async ({ runId, modelId }) => {
    try {
      add(runId, await client.getLoggedModel(modelId));
    } catch (err) {
      if (!(err instanceof MlflowError && err.isNotFound)) throw err;
    }
  });
  return new Map([...byRun].map(([runId, models]) => [runId, [...models.values()]]));
}

async function modelVersionsByRun(
  client: CollectClient,
  runs: readonly Run[],
  concurrency: number,
): Promise<Map<string, ModelVersion[]>> {
  const ids = [...new Set(runs.map((r) => r.info.run_id))];
  const found = await mapBounded(chunks(ids, IN_CHUNK), concurrency, (chunk) =>
    client.searchModelVersions(`run_id IN (${chunk.map(quote).join(", ")})`),
  );
  // Version search answers leave out aliases; the registered model lists them.
  const names = [...new Set(found.flat().map((v) => v.name))];
  const aliases = new Map<string, string[]>();
  await mapBounded(names, concurrency, async (name) => {
    for (const a of (await client.getRegisteredModel(name)).aliases) {
      const key = `${name}\u0000${a.version}`;
      aliases.set(key, [...(aliases.get(key) ?? []), a.alias]);
    }
  });
  const byRun = new Map<string, ModelVersion[]>();
  for (const version of found.flat()) {
    if (version.run_id === undefined) continue;
    const extra = aliases.get(`${version.name}\u0000${version.version}`) ?? [];
    const v: ModelVersion = { ...version, aliases: [...new Set([...version.aliases, ...extra])] };
    const list = byRun.get(version.run_id) ?? [];
    list.push(v);
    byRun.set(version.run_id, list);
  }
  return byRun;
}

/** Errors that mean "these files cannot be read here", not "the server is broken". */
function unreadable(err: unknown): string | undefined {
  if (err instanceof MlflowConfigError || err instanceof UnsafePathError) return err.message;
  if (err instanceof MlflowError && (err.isNotFound || err.status === 501)) return err.message;
  return undefined;
}

/**
 * The run's artifact files: the root and its direct sub-folders (that is where MLflow 2
 * models, MLproject files, requirements and diffs sit). Deeper folders are not walked.
 */
async function listRunArtifacts(client: CollectClient, run: Run, maxDirs: number): Promise<RunArtifactListing> {
  const uri = run.info.artifact_uri;
  const target: ArtifactTarget = uri ? { artifactUri: uri } : { runId: run.info.run_id };
  try {
    const root = await client.listArtifacts(target);
    const files = root.filter((f) => !f.is_dir).map((f) => f.path);
    const dirs = root.filter((f) => f.is_dir).map((f) => f.path);
    for (const dir of dirs.slice(0, maxDirs)) {
      for (const f of await client.listArtifacts(target, dir)) if (!f.is_dir) files.push(f.path);
    }
    return { files, truncated: dirs.length > maxDirs };
  } catch (err) {
    const why = unreadable(err);
    if (why === undefined) throw err;
    return { files: [], truncated: false, error: why };
  }
}

async function listModelFiles(
  client: CollectClient,
  model: LoggedModel,
): Promise<MlflowSubjectParts["loggedModels"][number]> {
  try {
    const files = await client.listArtifacts({ artifactUri: model.info.artifact_uri });
    return { model, files: files.filter((f) => !f.is_dir).map((f) => f.path) };
  } catch (err) {
    const why = unreadable(err);
    if (why === undefined) throw err;
    return { model, files: [], error: why };
  }
}
