import type { Command } from "commander";
import { z } from "zod";
import { MlflowError } from "../tracking/errors.js";
import type { Experiment, ModelVersion, Run } from "../tracking/schemas.js";
import { mapBounded } from "../trace/bounded-map.js";
import { BadInputError } from "../errors.js";

// Which runs a command works on. Shared by every command that takes runs (trace, audit):
//   --experiment NAME [--filter EXPR]   runs of one or more experiments, optionally filtered
//   --filter EXPR                       runs of every active experiment matching the filter
//   --run ID...                         the given runs
//   --model NAME --version V | --alias A  the run that produced a registered model version
// The options are validated with zod into a Selection, then resolved against the server.

const RunIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,256}$/, "a run ID is letters, digits, '-' or '_' (MLflow's are 32 hex characters)");

const NonEmpty = z.string().trim().min(1, "must not be empty");

export const SelectionSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("experiment"), experiments: z.array(NonEmpty).min(1), filter: NonEmpty.optional() }),
  z.object({ kind: z.literal("filter"), filter: NonEmpty }),
  z.object({ kind: z.literal("runs"), runIds: z.array(RunIdSchema).min(1) }),
  z.object({
    kind: z.literal("model_version"),
    model: NonEmpty,
    version: z.string().regex(/^[1-9]\d*$/, "a model version is a positive whole number"),
  }),
  z.object({ kind: z.literal("model_alias"), model: NonEmpty, alias: NonEmpty }),
]);
export type Selection = z.infer<typeof SelectionSchema>;

/** The options as commander hands them over. */
export interface SelectionOptions {
  experiment?: string[] | undefined;
  filter?: string | undefined;
  run?: string[] | undefined;
  model?: string | undefined;
  version?: string | undefined;
  alias?: string | undefined;
}

/** An error in what the user asked for (exit code 2, "bad input"). */
export class SelectionError extends BadInputError {
  constructor(message: string) {
    super(message);
    this.name = "SelectionError";
  }
}

const USAGE =
  "choose runs with --experiment NAME [--filter EXPR], --filter EXPR, --run ID..., " +
  "or --model NAME with --version V or --alias A";

/** Adds the selection options to a command. */
export function addSelectionOptions(cmd: Command): Command {
  return cmd
    .option("--experiment <name...>", "runs of the experiment(s) with this name")
    .option("--filter <expr>", `MLflow search filter, e.g. "metrics.rmse < 0.8 and params.alpha = '0.5'"`)
    .option("--run <id...>", "these run IDs")
    .option("--model <name>", "registered model name (with --version or --alias)")
    .option("--version <v>", "model version number (with --model)")
    .option("--alias <alias>", "model version alias, e.g. champion (with --model)");
}

/** Whether any selection option was given at all. */
export function hasSelection(opts: SelectionOptions): boolean {
  const has = (v: unknown) => v !== undefined && !(Array.isArray(v) && v.length === 0);
  return [opts.experiment, opts.filter, opts.run, opts.model, opts.version, opts.alias].some(has);
}

/** Options → Selection, or a SelectionError that says what is wrong and how to fix it. */
export function parseSelection(opts: SelectionOptions): Selection {
  const has = (v: unknown) => v !== undefined && !(Array.isArray(v) && v.length === 0);
  const groups = [has(opts.experiment) || has(opts.filter), has(opts.run), has(opts.model)].filter(Boolean).length;
  if (!has(opts.model) && (has(opts.version) || has(opts.alias))) {
    throw new SelectionError(`--version and --alias need --model NAME; ${USAGE}`);
  }
  if (groups === 0) throw new SelectionError(`no runs selected: ${USAGE}`);
  if (groups > 1) {
    const given = [
      has(opts.experiment) ? "--experiment" : "",
      has(opts.filter) ? "--filter" : "",
      has(opts.run) ? "--run" : "",
      has(opts.model) ? "--model" : "",
    ].filter(Boolean);
    throw new SelectionError(`${given.join(", ")} cannot be combined (only --experiment with --filter): ${USAGE}`);
  }
  let candidate: unknown;
  if (has(opts.run)) candidate = { kind: "runs", runIds: [...new Set(opts.run)] };
  else if (has(opts.model)) {
    if (has(opts.version) && has(opts.alias)) throw new SelectionError("give --model either --version or --alias, not both");
    if (!has(opts.version) && !has(opts.alias)) throw new SelectionError(`--model ${opts.model} needs --version V or --alias A`);
    candidate = has(opts.version)
      ? { kind: "model_version", model: opts.model, version: opts.version?.trim() }
      : { kind: "model_alias", model: opts.model, alias: opts.alias?.replace(/^@/, "") };
  } else if (has(opts.experiment)) {
    candidate = { kind: "experiment", experiments: [...new Set(opts.experiment)], filter: opts.filter };
  } else candidate = { kind: "filter", filter: opts.filter };

  const parsed = SelectionSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? optionName(issue.path) : "selection";
    throw new SelectionError(`${where}: ${issue?.message ?? "invalid"} (got ${JSON.stringify(valueAt(candidate, issue?.path ?? []))})`);
  }
  return parsed.data;
}

function optionName(path: readonly PropertyKey[]): string {
  const head = path[0];
  const names: Record<string, string> = {
    experiments: "--experiment",
    filter: "--filter",
    runIds: "--run",
    model: "--model",
    version: "--version",
    alias: "--alias",
  };
  return typeof head === "string" ? (names[head] ?? head) : "selection";
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const seg of path) v = v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[seg] : undefined;
  return v;
}

/** One line that names the selection, for headings and messages. */
export function describeSelection(sel: Selection): string {
  switch (sel.kind) {
    case "experiment":
      return `experiment ${sel.experiments.map((e) => JSON.stringify(e)).join(", ")}${sel.filter ? ` filtered by ${sel.filter}` : ""}`;
    case "filter":
      return `all experiments filtered by ${sel.filter}`;
    case "runs":
      return `run${sel.runIds.length === 1 ? "" : "s"} ${sel.runIds.join(", ")}`;
    case "model_version":
      return `model ${sel.model} version ${sel.version}`;
    case "model_alias":
      return `model ${sel.model}@${sel.alias}`;
  }
}

/** What resolving a selection needs from the tracking client. */
export interface SelectionClient {
  getExperimentByName(name: string): Promise<Experiment | undefined>;
  searchExperiments(opts?: { filter?: string }): Promise<Experiment[]>;
  searchRuns(opts: { experimentIds: string[]; filter?: string }): Promise<Run[]>;
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
  opts: { concurrency?: number } = {},
): Promise<ResolvedSelection> {
  const concurrency = opts.concurrency ?? 8;
  switch (sel.kind) {
    case "experiment": {
      const ids: string[] = [];
      for (const name of sel.experiments) {
        const exp = await notFoundAs(() => client.getExperimentByName(name), `experiment "${name}" does not exist`);
        if (!exp) throw new SelectionError(`experiment "${name}" does not exist on the tracking server`);
        ids.push(exp.experiment_id);
      }
      return { runs: dedupe(await searchRunsChecked(client, ids, sel.filter)) };
    }
    case "filter": {
      const experiments = await client.searchExperiments();
      const ids = experiments.map((e) => e.experiment_id);
      // Large servers: the REST search takes a list of experiments; keep requests small.
      const runs: Run[] = [];
      for (let i = 0; i < ids.length; i += 100) runs.push(...(await searchRunsChecked(client, ids.slice(i, i + 100), sel.filter)));
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

async function searchRunsChecked(client: SelectionClient, experimentIds: string[], filter: string | undefined): Promise<Run[]> {
  if (experimentIds.length === 0) return [];
  try {
    return await client.searchRuns({ experimentIds, ...(filter ? { filter } : {}) });
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
  return runs.filter((r) => (seen.has(r.info.run_id) ? false : (seen.add(r.info.run_id), true)));
}
