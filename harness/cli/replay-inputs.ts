import { join } from "node:path";
import { DEFAULT_MAX_REPLAYS } from "../drift/replay-counts.js";
import { BadInputError } from "../errors.js";
import { type EngineEndpoint, parseEngineList } from "../exec/engine-endpoints.js";
import { EXECUTORS, type ExecutorKind } from "../exec/executors.js";
import { REGISTRY_ENV } from "../exec/swarm-image.js";
import type { Limits } from "../plan/limits.js";
import { projectRoot } from "../project-root.js";
import { type ReplayCliOptions, limitsFrom } from "./replay-options.js";

// The replaying commands' options turned into the inputs their jobs take, checked as a
// whole. Apart from replay-options.ts (the options and their help) because checking the
// --engine list needs zod, which `--help` must not load: only the actions import this.

/** The replay inputs every replaying command passes on, from its options. */
export function replayInputs(opts: ReplayCliOptions): {
  replays: number | "auto";
  maxReplays: number;
  parallel: number | "auto";
  executor: ExecutorKind;
  /** absent without --engine: the default engine alone, as before there were several */
  engines?: EngineEndpoint[];
  codePath?: string;
  scenarioDir?: string;
  limits: Partial<Limits>;
  extraParams: "append" | "ignore";
  auditExperiment: string;
  resultsDir: string;
  allowMounts: string[];
  allowEnv: string[];
  /** the environment the replays' preparation reads: --registry is REPRO_AUDIT_REGISTRY's spelling on the command line */
  env?: Record<string, string | undefined>;
} {
  return {
    replays: opts.replays,
    maxReplays: opts.maxReplays ?? DEFAULT_MAX_REPLAYS,
    parallel: opts.parallel,
    executor: opts.executor,
    ...enginesFrom(opts),
    ...(opts.code !== undefined ? { codePath: opts.code } : {}),
    ...(opts.scenario !== undefined ? { scenarioDir: opts.scenario } : {}),
    limits: limitsFrom(opts),
    extraParams: opts.extraParams,
    auditExperiment: opts.auditExperiment,
    resultsDir: opts.resultsDir ?? join(projectRoot(), "results"),
    allowMounts: opts.allowMount,
    allowEnv: opts.allowEnv,
    ...(opts.registry !== undefined ? { env: { ...process.env, [REGISTRY_ENV]: opts.registry } } : {}),
  };
}

/** The --engine list, checked as a whole (duplicates, "default" resolved); only for an executor that runs on an engine. */
function enginesFrom(opts: Pick<ReplayCliOptions, "engine" | "executor">): { engines?: EngineEndpoint[] } {
  const given = opts.engine ?? [];
  if (given.length === 0) return {};
  if (!EXECUTORS[opts.executor].engineList)
    throw new BadInputError(
      EXECUTORS[opts.executor].needsEngine
        ? `--engine spreads replays over Docker engines, but --executor ${opts.executor} has one manager (DOCKER_HOST) and places them itself: leave --engine out, or use --executor docker`
        : `--engine names a Docker engine, but --executor ${opts.executor} runs on none: leave --engine out, or use --executor docker`,
    );
  return { engines: parseEngineList(given) };
}
