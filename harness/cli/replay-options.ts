import type { Command } from "commander";
import { DEFAULT_AUDIT_EXPERIMENT } from "../audit/audit-experiment.js";
import { DEFAULT_MAX_REPLAYS, firstLook } from "../drift/replay-counts.js";
import {
  DEFAULT_EXECUTOR,
  EXECUTORS,
  EXECUTOR_KINDS,
  type ExecutorKind,
  executorKindsText,
} from "../exec/executors.js";
import { REGISTRY_ENV, registryFrom } from "../exec/swarm-image.js";
import { LIMIT_BOUNDS } from "../plan/limit-bounds.js";
import type { Limits } from "../plan/limits.js";
import { BadInputError } from "../errors.js";

// The options of every command that replays runs (replay, audit): how many, where
// the code is, which executor, and the limits each replay runs under.

export interface ReplayCliOptions {
  /** "auto" only where the command scores its replays (audit) */
  replays: number | "auto";
  maxReplays: number;
  /** "auto" only where the runs share one pool (audit) */
  parallel: number | "auto";
  executor: ExecutorKind;
  /** --engine URL, repeatable (each checked as given; the list in replayInputs) */
  engine: string[];
  code?: string;
  scenario?: string;
  timeout?: number;
  memory?: number;
  cpus?: number;
  pids?: number;
  extraParams: "append" | "ignore";
  auditExperiment: string;
  resultsDir?: string;
  trackingUri?: string;
  allowMount: string[];
  allowEnv: string[];
  registry?: string;
  dryRun?: boolean;
}

/** A repeatable option's values, in the order given. */
export const collect = (v: string, prev: string[]) => [...prev, v];

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Replays per run and replays at once: past these, memory and the engine give out before the audit ends. */
export const REPLAY_BOUNDS = {
  replays: { min: 1, max: 1000 },
  parallel: { min: 1, max: 64 },
} as const;

interface Bound {
  min: number;
  max: number;
  unit?: string;
}

function outOfBounds(flag: string, kind: string, b: Bound, example: string, given: string): BadInputError {
  const unit = b.unit !== undefined ? ` ${b.unit}` : "";
  return new BadInputError(
    `${flag} must be ${kind} from ${b.min} to ${b.max}${unit}, got ${JSON.stringify(given)} (e.g. ${flag} ${example})`,
  );
}

/** Decimal digits only: Number() would also take 1e9, 0x10 and " ", which nobody means as a count. */
export const wholeNumber =
  (flag: string, b: Bound, example: string) =>
  (v: string): number => {
    const n = /^\s*\d+\s*$/.test(v) ? Number(v) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < b.min || n > b.max) throw outOfBounds(flag, "a whole number", b, example, v);
    return n;
  };

export const decimalNumber =
  (flag: string, b: Bound, example: string) =>
  (v: string): number => {
    const n = /^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(v) ? Number(v) : Number.NaN;
    if (!Number.isFinite(n) || n < b.min || n > b.max) throw outOfBounds(flag, "a number", b, example, v);
    return n;
  };

/** `--replays`: a count, or "auto" for a command that scores its replays and can let the stopping rule decide. */
const replayCount =
  (allowAuto: boolean) =>
  (v: string): number | "auto" => {
    if (allowAuto && v.trim().toLowerCase() === "auto") return "auto";
    return wholeNumber("--replays", REPLAY_BOUNDS.replays, allowAuto ? "5, or --replays auto" : "5")(v);
  };

/** `--parallel` where runs share one pool: a count, or "auto" (sized from the engine). */
const parallelCount = (v: string): number | "auto" =>
  v.trim().toLowerCase() === "auto"
    ? "auto"
    : wholeNumber("--parallel", REPLAY_BOUNDS.parallel, "2, or --parallel auto")(v);

const isExecutorKind = (v: string): v is ExecutorKind => (EXECUTOR_KINDS as readonly string[]).includes(v);

/**
 * The limits each execution runs under (--timeout, --memory, --cpus, --pids), for the
 * commands that replay and for compare; `noun` is what one execution is called there.
 */
export function addLimitOptions(cmd: Command, noun: "replay" | "execution"): Command {
  return cmd
    .option(
      "--timeout <seconds>",
      `wall-clock limit per ${noun}`,
      decimalNumber("--timeout", LIMIT_BOUNDS.timeoutSeconds, "600"),
    )
    .option("--memory <MiB>", `memory limit per ${noun}`, wholeNumber("--memory", LIMIT_BOUNDS.memoryMb, "2048"))
    .option("--cpus <n>", `CPUs per ${noun} (may be fractional)`, decimalNumber("--cpus", LIMIT_BOUNDS.cpus, "1.5"))
    .option("--pids <n>", `process/thread limit per ${noun}`, wholeNumber("--pids", LIMIT_BOUNDS.pids, "256"));
}

/** `auto`: the command scores its replays, so `--replays auto` and `--max-replays` are offered. */
export function addReplayOptions(cmd: Command, { auto = false }: { auto?: boolean } = {}): Command {
  const replays = auto
    ? `how many replays per run: N (${REPLAY_BOUNDS.replays.min}-${REPLAY_BOUNDS.replays.max}), exactly, or auto: ${firstLook(DEFAULT_MAX_REPLAYS)} first, ` +
      "then more at each look while a metric's verdict rests on a wide interval, up to --max-replays (harness/drift/README.md)"
    : `how many replays per run (${REPLAY_BOUNDS.replays.min}-${REPLAY_BOUNDS.replays.max})`;
  // Where the command scores, auto is the default: a seeded run settles at the first
  // look (3, what a fixed default cost), and only a run the replays cannot decide gets more.
  const withCount = cmd.option("--replays <n>", replays, replayCount(auto), auto ? "auto" : 3);
  if (auto) {
    withCount.option(
      "--max-replays <n>",
      `with --replays auto: the most replays per run (${REPLAY_BOUNDS.replays.min}-${REPLAY_BOUNDS.replays.max})`,
      wholeNumber("--max-replays", REPLAY_BOUNDS.replays, "20"),
      DEFAULT_MAX_REPLAYS,
    );
  }
  withCount
    .option(
      "--parallel <k>",
      auto
        ? `replays at once, all runs together (${REPLAY_BOUNDS.parallel.min}-${REPLAY_BOUNDS.parallel.max}), or auto: as many as ` +
            "the engine's CPUs and memory hold, each replay with its --cpus and --memory (docker info's NCPU and MemTotal; " +
            "the host's for --executor local). The audit states the figure it chose, e.g. " +
            '"parallel 2: the engine has 2 CPUs, 8 GiB; each replay 1 CPU, 2 GiB". Runs after the first are planned ' +
            "and their images prepared while earlier runs replay"
        : `replays at once (${REPLAY_BOUNDS.parallel.min}-${REPLAY_BOUNDS.parallel.max})`,
      auto ? parallelCount : wholeNumber("--parallel", REPLAY_BOUNDS.parallel, "2"),
      auto ? "auto" : 1,
    )
    .option(
      "--executor <kind>",
      executorKindsText(EXECUTOR_KINDS.map((k) => `${k} (${EXECUTORS[k].description})`)),
      (v): ExecutorKind => {
        if (!isExecutorKind(v)) throw new BadInputError(`--executor must be ${executorKindsText()}, got "${v}"`);
        return v;
      },
      DEFAULT_EXECUTOR,
    )
    .option(
      "--engine <url>",
      "a Docker engine to run replays on, DOCKER_HOST style (unix:///path/docker.sock, tcp://host:2376 with TLS from " +
        'DOCKER_CERT_PATH and DOCKER_TLS_VERIFY, ssh://user@host, or "default"); repeatable: replays are spread over ' +
        "the engines, each with its own --parallel, and one that stops answering has its replays redone on the others " +
        "(default: DOCKER_HOST, else the default socket)",
      // Checked with the whole list in replayInputs (cli/replay-inputs.ts): the URL schema's zod stays out of --help.
      collect,
      [],
    )
    .option(
      "--registry <host:port>",
      `with --executor swarm: the registry every swarm node pulls the replay image from, by digest (default: $${REGISTRY_ENV})`,
      (v: string) => registryFrom({ [REGISTRY_ENV]: v }),
    )
    .option("--code <path>", "a git checkout of the run's code: replayed at the run's commit in a scratch worktree")
    .option("--scenario <dir>", "a scenario folder (scenario.yaml and/or MLproject), e.g. scenarios/basic");
  return addLimitOptions(withCount, "replay")
    .option(
      "--extra-params <mode>",
      "logged params the command does not declare: ignore, or append as --key value",
      (v) => {
        if (v !== "append" && v !== "ignore")
          throw new BadInputError(`--extra-params must be append or ignore, got "${v}"`);
        return v;
      },
      "ignore",
    )
    .option("--audit-experiment <name>", "experiment that holds the replay runs", DEFAULT_AUDIT_EXPERIMENT)
    .option("--results-dir <dir>", "where audit folders go (default: results/ in the project)")
    .option("--tracking-uri <uri>", "tracking server (default: MLFLOW_TRACKING_URI, else the embedded server)")
    .option(
      "--allow-mount <path>",
      "a host folder or file an MLproject's docker_env volumes may mount (read-only), or what lies inside it; repeatable. " +
        "Never /, /proc, /sys, /dev, /etc, a socket, the results or tracking data folders",
      (v: string, prev: string[]) => {
        if (v.trim() === "") throw new BadInputError("--allow-mount needs a host path, e.g. --allow-mount /data/wine");
        return collect(v, prev);
      },
      [],
    )
    .option(
      "--dry-run",
      "preview, in seconds, with nothing built, run or written: each run's plan (command and where it came from, entry point, " +
        "bound params), its environment file (requirements, python, what is not honoured), the image it would use or build " +
        "(and its cache tag when the base is there), what would be compared (metrics, artifacts), limits and notes; " +
        "exit 0 when every run can be replayed, 2 when any cannot (with why)",
    )
    .option(
      "--allow-env <name>",
      'a host variable an MLproject\'s docker_env may copy in (a bare "NAME" entry); repeatable. Never MLFLOW_TRACKING_*',
      (v: string, prev: string[]) => {
        if (!ENV_NAME.test(v))
          throw new BadInputError(
            `--allow-env needs an environment variable name (letters, digits, _; not starting with a digit), got ${JSON.stringify(v)}`,
          );
        return collect(v, prev);
      },
      [],
    );
}

export function limitsFrom(opts: Pick<ReplayCliOptions, "timeout" | "memory" | "cpus" | "pids">): Partial<Limits> {
  return {
    ...(opts.timeout !== undefined ? { timeoutSeconds: opts.timeout } : {}),
    ...(opts.memory !== undefined ? { memoryMb: opts.memory } : {}),
    ...(opts.cpus !== undefined ? { cpus: opts.cpus } : {}),
    ...(opts.pids !== undefined ? { pids: opts.pids } : {}),
  };
}
