import { join } from "node:path";
import type { Command } from "commander";
import { DEFAULT_AUDIT_EXPERIMENT } from "../audit/replay-runner.js";
import type { Limits } from "../plan/limits.js";
import { projectRoot } from "../project-root.js";
import { UserFacingError } from "./exit-codes.js";

// The options of every command that replays runs (replay, audit): how many, where
// the code is, which executor, and the limits each replay runs under.

export interface ReplayCliOptions {
  replays: number;
  parallel: number;
  executor: "docker" | "local";
  code?: string;
  scenario?: string;
  timeout?: number;
  memory?: number;
  extraParams: "append" | "ignore";
  auditExperiment: string;
  resultsDir?: string;
  trackingUri?: string;
  allowMount: string[];
  allowEnv: string[];
}

/** A repeatable option's values, in the order given. */
export const collect = (v: string, prev: string[]) => [...prev, v];

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UserFacingError(`${name} must be a whole number >= 1, got "${v}"`);
  return n;
};

const positive = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UserFacingError(`${name} must be a number > 0, got "${v}"`);
  return n;
};

export function addReplayOptions(cmd: Command): Command {
  return cmd
    .option("--replays <n>", "how many replays per run", positiveInt("--replays"), 3)
    .option("--parallel <k>", "replays at once", positiveInt("--parallel"), 1)
    .option("--executor <kind>", "docker (isolated, pinned) or local (neither)", (v) => {
      if (v !== "docker" && v !== "local") throw new UserFacingError(`--executor must be docker or local, got "${v}"`);
      return v;
    }, "docker")
    .option("--code <path>", "a git checkout of the run's code: replayed at the run's commit in a scratch worktree")
    .option("--scenario <dir>", "a scenario folder (scenario.yaml and/or MLproject), e.g. scenarios/basic")
    .option("--timeout <seconds>", "wall-clock limit per replay", positive("--timeout"))
    .option("--memory <MiB>", "memory limit per replay", positiveInt("--memory"))
    .option("--extra-params <mode>", "logged params the command does not declare: ignore, or append as --key value", (v) => {
      if (v !== "append" && v !== "ignore") throw new UserFacingError(`--extra-params must be append or ignore, got "${v}"`);
      return v;
    }, "ignore")
    .option("--audit-experiment <name>", "experiment that holds the replay runs", DEFAULT_AUDIT_EXPERIMENT)
    .option("--results-dir <dir>", "where audit folders go (default: results/ in the project)")
    .option("--tracking-uri <uri>", "tracking server (default: MLFLOW_TRACKING_URI, else the embedded server)")
    .option(
      "--allow-mount <path>",
      "a host folder or file an MLproject's docker_env volumes may mount (read-only), or what lies inside it; repeatable. " +
        "Never /, /proc, /sys, /dev, /etc, a socket, the results or tracking data folders",
      (v: string, prev: string[]) => {
        if (v.trim() === "") throw new UserFacingError("--allow-mount needs a host path, e.g. --allow-mount /data/wine");
        return collect(v, prev);
      },
      [],
    )
    .option(
      "--allow-env <name>",
      "a host variable an MLproject's docker_env may copy in (a bare \"NAME\" entry); repeatable. Never MLFLOW_TRACKING_*",
      (v: string, prev: string[]) => {
        if (!ENV_NAME.test(v)) throw new UserFacingError(`--allow-env needs an environment variable name (letters, digits, _; not starting with a digit), got ${JSON.stringify(v)}`);
        return collect(v, prev);
      },
      [],
    );
}

export function limitsFrom(opts: Pick<ReplayCliOptions, "timeout" | "memory">): Partial<Limits> {
  return {
    ...(opts.timeout !== undefined ? { timeoutSeconds: opts.timeout } : {}),
    ...(opts.memory !== undefined ? { memoryMb: opts.memory } : {}),
  };
}

/** The replay inputs every replaying command passes on, from its options. */
export function replayInputs(opts: ReplayCliOptions): {
  replays: number;
  parallel: number;
  executor: "docker" | "local";
  codePath?: string;
  scenarioDir?: string;
  limits: Partial<Limits>;
  extraParams: "append" | "ignore";
  auditExperiment: string;
  resultsDir: string;
  allowMounts: string[];
  allowEnv: string[];
} {
  return {
    replays: opts.replays,
    parallel: opts.parallel,
    executor: opts.executor,
    ...(opts.code !== undefined ? { codePath: opts.code } : {}),
    ...(opts.scenario !== undefined ? { scenarioDir: opts.scenario } : {}),
    limits: limitsFrom(opts),
    extraParams: opts.extraParams,
    auditExperiment: opts.auditExperiment,
    resultsDir: opts.resultsDir ?? join(projectRoot(), "results"),
    allowMounts: opts.allowMount,
    allowEnv: opts.allowEnv,
  };
}
