import { mapBounded } from "../bounded-map.js";
import { MlflowError } from "../tracking/errors.js";
import type { SearchLoggedModelsOptions } from "../tracking/logged-models.js";
import { loggedModelIdsOfRun } from "../tracking/model-refs.js";
import type { LoggedModel, ModelVersion, RegisteredModel, Run } from "../tracking/schemas.js";

// The model lookups of the trace: which MLflow 3 logged models and which registered
// versions come from the selected runs. Both are searches whose cost should follow the
// number of pages, not of runs. A search filtered by `IN (100 run ids)` costs one
// request per 100 runs whatever the server holds; an unfiltered search of the
// experiment (logged models) or of the registry (versions) costs one request per page
// of what exists, which for a sweep of 10,000 runs and a handful of models is one
// request. The unfiltered search is tried first with a budget of one page fewer than
// the IN searches would take; when the server holds more than that, the IN searches
// follow (at worst under twice the requests of the IN searches alone). Either way the
// answer is the same set: the filter is applied here exactly as the server would.

/** What the model lookups need from the tracking client (MlflowClient satisfies it). */
export interface ModelLookupClient {
  searchLoggedModels(opts: SearchLoggedModelsOptions): Promise<LoggedModel[]>;
  getLoggedModel(modelId: string): Promise<LoggedModel>;
  searchModelVersions(filter?: string, opts?: { maxResults?: number; pageSize?: number }): Promise<ModelVersion[]>;
  getRegisteredModel(name: string): Promise<RegisteredModel>;
}

/** Run IDs per filter clause; keeps URLs and SQL IN lists small. */
export const IN_CHUNK = 100;
/** Logged models per page of the unfiltered experiment search (the server has no cap; its default is 100). */
export const MODELS_SCAN_PAGE = 1000;
/** Versions per page of the unfiltered registry search (the server's default page, 10000, cap 200000). */
export const VERSIONS_SCAN_PAGE = 10_000;
/** At most this many pages are scanned (50,000 versions, 20,000 models): a bound on memory, not only on requests. */
const MAX_SCAN_PAGES = { models: 20, versions: 5 };

/** MLflow filter string literal. Run IDs never hold quotes; escaping is for safety only. */
function quote(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Every item of an unfiltered search when it fits in `pages` pages of `pageSize`,
 * else undefined (the caller then searches by IN lists). One page fewer than the IN
 * searches would take, so trying costs less than those searches themselves.
 */
async function scanWithin<T>(
  inSearches: number,
  pageSize: number,
  maxPages: number,
  search: (maxResults: number) => Promise<T[]>,
): Promise<T[] | undefined> {
  const pages = Math.min(inSearches - 1, maxPages);
  if (pages < 1) return undefined;
  const limit = pages * pageSize;
  const items = await search(limit);
  // Exactly `limit` items: there may be more the scan did not read.
  return items.length < limit ? items : undefined;
}

/** The logged models of each run: source_run_id = the run, or listed in the run's outputs. */
export async function loggedModelsByRun(
  client: ModelLookupClient,
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
  const found = await mapBounded([...runsByExperiment], concurrency, async ([experimentId, ids]) => {
    const inLists = chunks(ids, IN_CHUNK);
    const scanned = await scanWithin(inLists.length, MODELS_SCAN_PAGE, MAX_SCAN_PAGES.models, (maxResults) =>
      client.searchLoggedModels({ experimentIds: [experimentId], pageSize: MODELS_SCAN_PAGE, maxResults }),
    );
    if (scanned !== undefined) return scanned;
    const pages = await mapBounded(inLists, concurrency, (chunk) =>
      client.searchLoggedModels({
        experimentIds: [experimentId],
        filter: `source_run_id IN (${chunk.map(quote).join(", ")})`,
      }),
    );
    return pages.flat();
  });
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

/** The registered versions made from each run, with their aliases. */
export async function modelVersionsByRun(
  client: ModelLookupClient,
  runs: readonly Run[],
  concurrency: number,
): Promise<Map<string, ModelVersion[]>> {
  const ids = [...new Set(runs.map((r) => r.info.run_id))];
  const selected = new Set(ids);
  const inLists = chunks(ids, IN_CHUNK);
  const scanned = await scanWithin(inLists.length, VERSIONS_SCAN_PAGE, MAX_SCAN_PAGES.versions, (maxResults) =>
    client.searchModelVersions(undefined, { pageSize: VERSIONS_SCAN_PAGE, maxResults }),
  );
  const found = (
    scanned ??
    (
      await mapBounded(inLists, concurrency, (chunk) =>
        client.searchModelVersions(`run_id IN (${chunk.map(quote).join(", ")})`),
      )
    ).flat()
  ).filter((v) => v.run_id !== undefined && selected.has(v.run_id));
  // Version search answers leave out aliases; the registered model lists them.
  const names = [...new Set(found.map((v) => v.name))];
  const aliases = new Map<string, string[]>();
  await mapBounded(names, concurrency, async (name) => {
    for (const a of (await client.getRegisteredModel(name)).aliases) {
      const key = `${name}\u0000${a.version}`;
      aliases.set(key, [...(aliases.get(key) ?? []), a.alias]);
    }
  });
  const byRun = new Map<string, ModelVersion[]>();
  for (const version of found) {
    if (version.run_id === undefined) continue;
    const extra = aliases.get(`${version.name}\u0000${version.version}`) ?? [];
    const v: ModelVersion = { ...version, aliases: [...new Set([...version.aliases, ...extra])] };
    const list = byRun.get(version.run_id) ?? [];
    list.push(v);
    byRun.set(version.run_id, list);
  }
  return byRun;
}
