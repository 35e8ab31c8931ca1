import { z } from "zod";
import { BadInputError } from "../errors.js";

// Which runs a command works on. Shared by every command that takes runs (trace, audit):
//   --experiment NAME [--filter EXPR]   runs of one or more experiments, optionally filtered
//   --filter EXPR                       runs of every active experiment matching the filter
//   --run ID...                         the given runs
//   --model NAME --version V | --alias A  the run that produced a registered model version
//   none of these: MLFLOW_EXPERIMENT_NAME, else MLFLOW_EXPERIMENT_ID, as MLflow's client reads them
// The options are validated with zod into a Selection (here), then resolved against the
// server (resolve.ts). No commander here: cli/selection-options.ts declares the flags.

const RunIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,256}$/, "a run ID is letters, digits, '-' or '_' (MLflow's are 32 hex characters)");

const NonEmpty = z.string().trim().min(1, "must not be empty");

export const SelectionSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("experiment"), experiments: z.array(NonEmpty).min(1), filter: NonEmpty.optional() }),
  z.object({ kind: z.literal("experiment_id"), experimentIds: z.array(NonEmpty).min(1) }),
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

/** What the user asked for, option by option, before it is checked (the CLI's flags map onto it one to one). */
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
  "or --model NAME with --version V or --alias A (or set MLFLOW_EXPERIMENT_NAME or MLFLOW_EXPERIMENT_ID)";

/** Whether any selection option was given at all. */
export function hasSelection(opts: SelectionOptions): boolean {
  const has = (v: unknown) => v !== undefined && !(Array.isArray(v) && v.length === 0);
  return [opts.experiment, opts.filter, opts.run, opts.model, opts.version, opts.alias].some(has);
}

/**
 * Options → Selection, or a SelectionError that says what is wrong and how to fix it.
 * With no selection flag, the experiment MLflow's client would log to (from `env`) is
 * the selection; any flag wins over it.
 */
export function parseSelection(
  opts: SelectionOptions,
  env: Readonly<Record<string, string | undefined>> = {},
): Selection {
  if (!hasSelection(opts)) {
    const fromEnv = selectionFromEnv(env);
    if (fromEnv) return fromEnv;
  }
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
    if (has(opts.version) && has(opts.alias))
      throw new SelectionError("give --model either --version or --alias, not both");
    if (!has(opts.version) && !has(opts.alias))
      throw new SelectionError(`--model ${opts.model} needs --version V or --alias A`);
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
    throw new SelectionError(
      `${where}: ${issue?.message ?? "invalid"} (got ${JSON.stringify(valueAt(candidate, issue?.path ?? []))})`,
    );
  }
  return parsed.data;
}

function selectionFromEnv(env: Readonly<Record<string, string | undefined>>): Selection | undefined {
  const name = env["MLFLOW_EXPERIMENT_NAME"]?.trim();
  // MLflow's client takes the name first (and only checks the ID against it).
  if (name) return { kind: "experiment", experiments: [name] };
  const id = env["MLFLOW_EXPERIMENT_ID"]?.trim();
  if (!id) return undefined;
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(id))
    throw new SelectionError(
      `MLFLOW_EXPERIMENT_ID: an experiment ID is letters, digits, '-' or '_' (got ${JSON.stringify(id)})`,
    );
  return { kind: "experiment_id", experimentIds: [id] };
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
  for (const seg of path)
    v = v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[seg] : undefined;
  return v;
}

/** One line that names the selection, for headings and messages. */
export function describeSelection(sel: Selection): string {
  switch (sel.kind) {
    case "experiment":
      return `experiment ${sel.experiments.map((e) => JSON.stringify(e)).join(", ")}${sel.filter ? ` filtered by ${sel.filter}` : ""}`;
    case "experiment_id":
      return `experiment ID ${sel.experimentIds.join(", ")}`;
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
