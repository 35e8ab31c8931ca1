import { mapBounded } from "../bounded-map.js";
import { MlflowError } from "../tracking/errors.js";
import type { Experiment, ModelVersion, Run } from "../tracking/schemas.js";
import type { OnSelectionEvent } from "./progress.js";
import { type Selection, SelectionError, describeSelection } from "./selection.js";

/** What resolving a selection needs from the tracking client. */
export interface SelectionClient {
  getExperimentByName(name: string): Promise<Experiment | undefined>;
  searchExperiments(opts?: { filter?: string }): Promise<Experiment[]>;
  searchRuns(opts: { experimentIds: string[]; filter?: string; onPage?: (runsSoFar: number) => void }): Promise<Run[]>;
  getRun(runId: string): Promise<Run>;
  getModelVersion(name: string, version: string): Promise<ModelVersion>;
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>;
}

export interface ResolvedSelection {
  runs: Run[];
  /** The model version the selection named, when it named one. */
  modelVersion?: ModelVersion;
}

/**
 * Selection → runs, in the server's order, without repeats. Names that do not exist
 * become SelectionErrors; a filter the server refuses becomes one too.
 */
export async function resolveSelection(
  client: SelectionClient,
  sel: Selection,
  opts: { concurrency?: number; onEvent?: OnSelectionEvent } = {},
): Promise<ResolvedSelection> {
  const concurrency = opts.concurrency ?? 8;
  // Runs read by earlier searches of this selection (the filter kind searches in chunks).
  let before = 0;
  const search = async (ids: string[], filter: string | undefined) => {
    const runs = await searchRunsChecked(client, ids, filter, (n) =>
      opts.onEvent?.({ kind: "searched", runs: before + n }),
    );
    before += runs.length;
    return runs;
  };
  switch (sel.kind) {
    case "experiment": {
      const ids: string[] = [];
      for (const name of sel.experiments) {
        const exp = await notFoundAs(() => client.getExperimentByName(name), `experiment "${name}" does not exist`);
        if (!exp) throw new SelectionError(`experiment "${name}" does not exist on the tracking server`);
        ids.push(exp.experiment_id);
      }
      return { runs: dedupe(await search(ids, sel.filter)) };
    }
    case "experiment_id":
      return { runs: dedupe(await search(sel.experimentIds, undefined)) };
    case "filter": {
      const experiments = await client.searchExperiments();
      const ids = experiments.map((e) => e.experiment_id);
      // Large servers: the REST search takes a list of experiments; keep requests small.
      const runs: Run[] = [];
      for (let i = 0; i < ids.length; i += 100)
        for (const run of await search(ids.slice(i, i + 100), sel.filter)) runs.push(run);
      return { runs: dedupe(runs) };
    }
    case "runs": {
      const runs = await mapBounded(sel.runIds, concurrency, (id) =>
        notFoundAs(() => client.getRun(id), `run ${id} does not exist on the tracking server`),
      );
      return { runs: dedupe(runs) };
    }
    case "model_version":
    case "model_alias": {
      const mv =
        sel.kind === "model_version"
          ? await notFoundAs(
              () => client.getModelVersion(sel.model, sel.version),
              `model "${sel.model}" has no version ${sel.version} (or the model does not exist)`,
            )
          : await notFoundAs(
              () => client.getModelVersionByAlias(sel.model, sel.alias),
              `model "${sel.model}" has no alias "${sel.alias}" (or the model does not exist)`,
            );
      if (!mv.run_id) {
        throw new SelectionError(
          `${describeSelection(sel)} (version ${mv.version}) records no source run (source: ${mv.source ?? "none"}): there is no run to check`,
        );
      }
      const runId = mv.run_id;
      const run = await notFoundAs(
        () => client.getRun(runId),
        `${describeSelection(sel)} names run ${runId}, which does not exist (deleted?)`,
      );
      return { runs: [run], modelVersion: mv };
    }
  }
}

async function searchRunsChecked(
  client: SelectionClient,
  experimentIds: string[],
  filter: string | undefined,
  onPage: (runsSoFar: number) => void,
): Promise<Run[]> {
  if (experimentIds.length === 0) return [];
  try {
    return await client.searchRuns({ experimentIds, ...(filter ? { filter } : {}), onPage });
  } catch (err) {
    if (err instanceof MlflowError && err.errorCode === "INVALID_PARAMETER_VALUE" && filter) {
      throw new SelectionError(`--filter ${JSON.stringify(filter)} was refused by the server: ${err.serverMessage}`);
    }
    throw err;
  }
}

async function notFoundAs<T>(call: () => Promise<T>, message: string): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof MlflowError && err.isNotFound) throw new SelectionError(message);
    throw err;
  }
}

function dedupe(runs: Run[]): Run[] {
  const seen = new Set<string>();
  return runs.filter((r) => {
    if (seen.has(r.info.run_id)) return false;
    seen.add(r.info.run_id);
    return true;
  });
}
