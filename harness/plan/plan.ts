import { z } from "zod";
import { type CaptureSpec, CaptureSpecSchema } from "./capture-spec.js";
import { type Limits, LimitsSchema, mergeLimits } from "./limits.js";
import { type MlProject, entryPoint } from "./mlproject.js";
import { BindingError, bindCommand } from "./parameters.js";
import { Tags } from "../tracking/tags.js";
import type { RecordedRun } from "./recorded-run.js";
import type { ScenarioFile } from "./scenario.js";
import { shlexUnquoteExact } from "./shlex.js";
import { type ScriptMatch, scriptCommand } from "./recorded-script.js";
import { dockerWorkdir } from "./docker-workdir.js";
import { BadInputError } from "../errors.js";
import { hashPinned } from "../exec/requirements.js";
import { NOTEBOOK_TOOLING } from "../exec/notebook-tooling.js";
import { type RecordedMlflow, mlflowToAdd } from "./mlflow-requirement.js";
import { type NotebookEntry, NotebookParamError, injectedParameters, notebookCommand } from "./notebook-source.js";

// From a recorded run to what a replay executes. Pure: the caller has read the
// MLproject / scenario / requirement files and prepared the code folder.

export const EnvironmentSchema = z.object({
  /** where the requirements came from ("requirements": a requirements.txt found beside the code, `file`) */
  source: z.enum(["python_env", "conda_env", "requirements", "docker_env", "scenario", "none"]),
  file: z.string().optional(),
  /** pip requirement lines, pinned where the source pins them */
  requirements: z.array(z.string()),
  /** the Python version the source asks for (the image may not have it: recorded as a mismatch) */
  python: z.string().optional(),
  dockerImage: z.string().optional(),
  dockerVolumes: z.array(z.string()).default([]),
  dockerEnvironment: z.array(z.union([z.string(), z.tuple([z.string(), z.string()])])).default([]),
  /**
   * docker_env: "image" when `mlflow run` ran the image as it is, in its own working
   * directory (docker-workdir.ts); absent: the project folder, /code (so plans made
   * before this field digest the same).
   */
  dockerWorkdir: z.enum(["project", "image"]).optional(),
  /** entries of the source that cannot be installed (conda-only packages, ...) */
  ignored: z
    .array(z.object({ entry: z.string(), reason: z.string(), mayBeInstalled: z.literal(true).optional() }))
    .default([]),
  /** conda_env: conda packages installed by their PyPI name (absent when none, so older plans digest the same) */
  mapped: z.array(z.object({ entry: z.string(), requirement: z.string() })).optional(),
  /**
   * requirements the harness added that the source does not list (mlflow-skinny when the
   * code imports mlflow, as MLflow Projects adds it), each with why and where its version came from
   */
  added: z.array(z.object({ requirement: z.string(), reason: z.string() })).optional(),
  /** the harness's tooling installed after the requirements: a notebook run's kernel and runner (absent otherwise) */
  tooling: z.array(z.string()).optional(),
});
export type PlanEnvironmentInput = z.input<typeof EnvironmentSchema>;

export const CodeSchema = z.object({
  source: z.enum(["checkout", "scenario"]),
  /** host folder mounted read-only at /code */
  path: z.string(),
  commit: z.string().optional(),
  /** whether the original ran from a tree with uncommitted changes, as far as the run says */
  dirtyOriginal: z.union([z.boolean(), z.literal("unknown")]),
  /** whether those changes were recorded (and so could be applied) */
  diffAvailable: z.boolean(),
  /** whether they were applied to the replay's code */
  diffApplied: z.boolean().default(false),
});
export type PlanCode = z.infer<typeof CodeSchema>;

export const ReplayPlanSchema = z.object({
  runId: z.string(),
  experimentId: z.string(),
  /** the shell command run in /code, or a docker_env image's own WORKDIR (sh -c) */
  command: z.string(),
  commandSource: z.enum(["mlproject", "scenario", "tag", "script", "notebook"]),
  /** a notebook run: the notebook replayed headless, and what said the run is one (notebook-source.ts) */
  notebook: z
    .object({
      path: z.string(),
      evidence: z.enum(["scenario", "source-notebook", "kernel-source"]),
      cellTimeoutSeconds: z.number(),
    })
    .optional(),
  entryPoint: z.string().optional(),
  /** parameter values as logged (strings) that were bound into the command */
  params: z.record(z.string(), z.string()),
  /**
   * logged params the entry point does not declare, appended as --key value
   * (--extra-params append). Absent when none were, so older plans digest the same.
   */
  appendedParams: z.record(z.string(), z.string()).optional(),
  /** declared parameters the run did not log, bound to their defaults */
  defaulted: z.array(z.string()).default([]),
  /** logged params that are not parameters of the entry point (left out of the command) */
  unboundParams: z.array(z.string()).default([]),
  environment: EnvironmentSchema,
  code: CodeSchema,
  capture: CaptureSpecSchema,
  limits: LimitsSchema,
  /** the original's metrics, for comparison */
  /** NaN and ±Infinity included: a diverged original is exactly what an audit must show (z.number() rejects them) */
  originalMetrics: z.record(
    z.string(),
    z.custom<number>((v) => typeof v === "number", "expected a number"),
  ),
  notes: z.array(z.string()).default([]),
});
/** Deeply readonly: a step that needs a different plan builds a new one. */
export type ReplayPlan = Immutable<z.infer<typeof ReplayPlanSchema>>;

/** Readonly all the way down (arrays and tuples keep their shape). */
export type Immutable<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends object
    ? { readonly [K in keyof T]: Immutable<T[K]> }
    : T;

export interface PlanInput {
  run: RecordedRun;
  project?: MlProject;
  scenario?: ScenarioFile;
  environment: PlanEnvironmentInput;
  /**
   * the run's recorded script (mlflow.source.name) as a path in the code folder,
   * when the caller found it there (scriptInCheckout)
   */
  script?: ScriptMatch;
  /** the run's notebook, when it is a notebook run (notebookEntry, notebook-source.ts) */
  notebook?: NotebookEntry;
  /** a .py file of the code that imports mlflow (code-imports.ts), when one does */
  mlflowImportedBy?: string;
  /** the mlflow version the original recorded (its logged model's files), when the caller read one */
  recordedMlflow?: RecordedMlflow;
  code: Omit<PlanCode, "dirtyOriginal" | "diffAvailable" | "diffApplied"> & {
    diffAvailable: boolean;
    diffApplied?: boolean;
  };
  options?: {
    /** MLflow appends undeclared params; a run's own log_param calls are mixed in, so default "ignore" */
    extraParams?: "append" | "ignore";
    limits?: Partial<Limits>;
    capture?: Immutable<CaptureSpec>;
  };
}

export class PlanError extends BadInputError {
  constructor(message: string) {
    super(message);
    this.name = "PlanError";
  }
}

/** Which dirty state the run recorded: MLflow 3's git tag, the harness's own tag, or unknown. */
export function dirtyOriginal(tags: Readonly<Record<string, string>>): boolean | "unknown" {
  const v = tags[Tags.gitDirty] ?? tags[Tags.reproGitDirty];
  if (v === undefined) return "unknown";
  return v.toLowerCase() === "true";
}

/**
 * Where the command comes from, in DESIGN.md's order: the MLproject when `mlflow run`
 * launched the run (it tags the entry point); else the notebook when the run is a notebook
 * run (plan/notebook-source.ts); else the command line the run recorded
 * (Tags.reproCommand, written by the capture plugin: what really ran, arguments and
 * all); else the scenario; else the MLproject when there is no scenario file; else
 * the script the run recorded as its source.
 */
export function chooseCommandSource(
  run: RecordedRun,
  has: { project: boolean; scenario: boolean; notebook?: boolean },
): ReplayPlan["commandSource"] | undefined {
  if (has.project && run.tags[Tags.entryPoint] !== undefined) return "mlproject";
  // Before the recorded command: in a notebook that is the kernel's launcher, not the workload.
  if (has.notebook === true) return "notebook";
  if ((run.tags[Tags.reproCommand] ?? "").trim() !== "") return "tag";
  if (has.scenario) return "scenario";
  if (has.project) return "mlproject";
  if (recordedScriptName(run) !== undefined) return "script";
  return undefined;
}

/** The LOCAL source a run recorded (`python train.py`); a project or notebook source is not a script to run. */
export function recordedScriptName(run: RecordedRun): string | undefined {
  const name = (run.tags[Tags.sourceName] ?? "").trim();
  const type = run.tags[Tags.sourceType];
  if (name === "" || (type !== undefined && type !== "LOCAL")) return undefined;
  return name;
}

export function buildPlan(input: PlanInput): ReplayPlan {
  const { run, project, scenario } = input;
  const extraParams = input.options?.extraParams ?? "ignore";
  const notes: string[] = [];

  let command: string;
  let commandSource: ReplayPlan["commandSource"];
  let entryPointName: string | undefined;
  let params: Record<string, string> = {};
  let appended: Record<string, string> = {};
  let defaulted: string[] = [];
  let unbound: string[] = [];

  const launchedByMlflowRun = run.tags[Tags.entryPoint] !== undefined;
  const source = chooseCommandSource(run, {
    project: project !== undefined,
    scenario: scenario !== undefined,
    notebook: input.notebook !== undefined,
  });
  const limits = mergeLimits(
    scenario
      ? {
          ...(scenario.limits.timeout !== undefined ? { timeoutSeconds: scenario.limits.timeout } : {}),
          ...(scenario.limits.memory !== undefined ? { memoryMb: scenario.limits.memory } : {}),
          ...(scenario.limits.cpus !== undefined ? { cpus: scenario.limits.cpus } : {}),
        }
      : undefined,
    input.options?.limits,
  );
  let notebook: z.infer<typeof ReplayPlanSchema>["notebook"];
  try {
    if (source === "mlproject" && project !== undefined) {
      entryPointName = run.tags[Tags.entryPoint] ?? "main";
      const ep = entryPoint(project, entryPointName);
      const given = launchedByMlflowRun ? unquoteProjectParams(run.params) : run.params;
      const bound = bindCommand({ command: ep.command, parameters: ep.parameters, given, extraParams });
      ({ command } = bound);
      commandSource = "mlproject";
      params = bound.params;
      appended = bound.appended;
      defaulted = bound.defaulted;
      unbound = bound.ignored;
    } else if (source === "notebook" && input.notebook !== undefined) {
      // Params as the scenario declares them (their types say how Python parses the logged
      // strings), else every logged param as a string; the injected cell follows `parameters`.
      const declared = scenario?.parameters ?? {};
      const bound = bindCommand({ command: "", parameters: declared, given: run.params, extraParams: "ignore" });
      params = scenario !== undefined ? bound.params : { ...run.params };
      defaulted = bound.defaulted;
      unbound = scenario !== undefined ? bound.ignored : [];
      // Each cell may take the run's whole wall clock: a cell past it is reported as the one that hung.
      const cellTimeoutSeconds = limits.timeoutSeconds;
      command = notebookCommand(input.notebook.path, injectedParameters(params, declared), cellTimeoutSeconds);
      commandSource = "notebook";
      notebook = { path: input.notebook.path, evidence: input.notebook.evidence, cellTimeoutSeconds };
      notes.push(`${input.notebook.note}; replayed headless (nbclient), the params injected after its parameters cell`);
    } else if (source === "scenario" && scenario !== undefined && scenario.command !== undefined) {
      const bound = bindCommand({
        command: scenario.command,
        parameters: scenario.parameters,
        given: run.params,
        extraParams,
      });
      ({ command } = bound);
      commandSource = "scenario";
      params = bound.params;
      appended = bound.appended;
      defaulted = bound.defaulted;
      unbound = bound.ignored;
    } else if (source === "tag") {
      command = run.tags[Tags.reproCommand] as string;
      commandSource = "tag";
      notes.push(`command taken verbatim from the run's ${Tags.reproCommand} tag`);
    } else if (source === "script") {
      const recorded = recordedScriptName(run) as string;
      const found = input.script;
      if (found !== undefined && "ambiguous" in found) {
        throw new PlanError(
          `run ${run.runId}: its recorded script ${JSON.stringify(recorded)} (${Tags.sourceName}) could be any of ` +
            `${found.ambiguous.join(", ")} in the code; tag the run with ${Tags.reproCommand} or give a scenario folder (--scenario DIR)`,
        );
      }
      if (found === undefined || !found.path.endsWith(".py")) {
        throw new PlanError(
          found === undefined
            ? `run ${run.runId}: its recorded script ${JSON.stringify(recorded)} (${Tags.sourceName}) is not in the code; ` +
                `give the checkout it ran from (--code PATH), a scenario folder (--scenario DIR), or tag the run with ${Tags.reproCommand}`
            : `run ${run.runId}: its recorded source ${JSON.stringify(recorded)} is not a Python script to run; ` +
                `give a scenario folder (--scenario DIR) or tag the run with ${Tags.reproCommand}`,
        );
      }
      const script = found.path;
      command = scriptCommand(script);
      commandSource = "script";
      const base = script.slice(script.lastIndexOf("/") + 1);
      notes.push(
        `no MLproject and no recorded command: ran the recorded script ${script}; ` +
          `arguments were not recorded; ran \`python ${base}\` with none`,
      );
    } else {
      throw new PlanError(
        `run ${run.runId}: no way to know what to run: give the code's MLproject (--code PATH at a checkout ` +
          `that has one), a scenario folder (--scenario DIR), or tag the run with ${Tags.reproCommand}`,
      );
    }
  } catch (err) {
    if (err instanceof BindingError) throw new PlanError(`run ${run.runId}: cannot bind its params: ${err.message}`);
    if (err instanceof NotebookParamError) throw new PlanError(`run ${run.runId}: ${err.message}`);
    throw err;
  }

  if (defaulted.length > 0) notes.push(`not logged by the run, bound to defaults: ${defaulted.join(", ")}`);
  if (unbound.length > 0)
    notes.push(`logged params that are not command parameters (not passed): ${unbound.join(", ")}`);

  const dirty = dirtyOriginal(run.tags);
  if (dirty === true && !input.code.diffAvailable) {
    notes.push(
      "the original ran from a dirty tree and its changes were not recorded: the replay runs the committed code",
    );
  }

  let environment = input.environment;
  if (environment.mapped !== undefined && environment.mapped.length > 0) {
    notes.push(
      `conda packages installed by their PyPI name: ${environment.mapped.map((m) => `${m.entry} as ${m.requirement}`).join(", ")}`,
    );
  }
  environment = withMlflowAdded(environment, input, notes);
  if (commandSource === "notebook") environment = { ...environment, tooling: [...NOTEBOOK_TOOLING] };
  if (environment.source === "docker_env" && environment.dockerImage !== undefined) {
    const where = dockerWorkdir(run, environment.dockerImage);
    if (where.note !== undefined) notes.push(where.note);
    if (where.workdir === "image") environment = { ...environment, dockerWorkdir: "image" };
  }

  const capture = input.options?.capture ?? scenario?.metrics ?? { mode: "mlflow" as const };

  return ReplayPlanSchema.parse({
    runId: run.runId,
    experimentId: run.experimentId,
    command,
    commandSource,
    ...(notebook !== undefined ? { notebook } : {}),
    ...(entryPointName !== undefined ? { entryPoint: entryPointName } : {}),
    params,
    ...(Object.keys(appended).length > 0 ? { appendedParams: appended } : {}),
    defaulted,
    unboundParams: unbound,
    environment,
    code: { ...input.code, dirtyOriginal: dirty, diffApplied: input.code.diffApplied ?? false },
    capture,
    limits,
    originalMetrics: run.metrics,
    notes,
  });
}

/**
 * `mlflow run` logs parameter values after shell-quoting them (compute_parameters
 * returns quoted values, and _create_run logs those). Quoting them again would
 * hand the script different text, so a value that is exactly a shlex.quote output
 * is turned back into what was quoted. Anything else is kept (and quoted on binding).
 */
function unquoteProjectParams(params: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) out[k] = shlexUnquoteExact(v) ?? v;
  return out;
}

/**
 * mlflow-skinny added where the code imports mlflow and the environment lacks it
 * (mlflow-requirement.ts). Not to a docker_env image (it runs as it is) nor a scenario's
 * lock (the harness's own, complete); a hash-pinned list cannot take an unhashed line,
 * so there it is a note only.
 */
function withMlflowAdded(
  environment: PlanEnvironmentInput,
  input: Pick<PlanInput, "mlflowImportedBy" | "recordedMlflow">,
  notes: string[],
): PlanEnvironmentInput {
  if (environment.source === "docker_env" || environment.source === "scenario") return environment;
  const add = mlflowToAdd(environment.requirements, input.mlflowImportedBy, input.recordedMlflow);
  if (add === undefined) return environment;
  if (hashPinned(environment.requirements)) {
    notes.push(
      `${input.mlflowImportedBy ?? "the code"} imports mlflow and the hash-pinned environment does not list it: not added (an unhashed line would fail pip's hash check)`,
    );
    return environment;
  }
  notes.push(add.reason);
  return {
    ...environment,
    requirements: [...environment.requirements, add.requirement].sort(),
    added: [...(environment.added ?? []), add],
  };
}
