import type { OnBuildProgress } from "./build-progress.js";
import type { Mismatch } from "./env-image.js";
import type { IgnoredEntry } from "./requirements.js";
import type { Executor } from "./executor.js";
import type { EngineEndpoint } from "./engine-endpoints.js";

// The executors a replay can run in, as data: the kind names, their --help text,
// whether the command must check the engine first, and how each gets ready for a
// plan (image and all). Every list of kinds (the zod schemas, the CLI's choices)
// is derived from EXECUTORS, so a new executor is its own file plus one entry here.
// Each entry loads its module on use: this file stays a leaf that pure schemas
// (journal, report) can import without pulling in an engine client.

/** The pinned image replays run in: an MLproject's named image resolved to its ID, or one built (or reused) from the plan's requirements. */
export interface ImageInfo {
  imageId: string;
  built: boolean;
  seconds: number;
  mismatches: Mismatch[];
  /** the name it goes by, where one is known */
  tag?: string;
  /** the image's own WORKDIR ("" when it sets none): where a docker_env run without --build-image ran */
  workingDir?: string;
  /**
   * that WORKDIR's files on the host (exec/image-workdir.ts), where the replays run there:
   * each gets a writable copy, as it would of the code folder; or why it has none
   */
  workdirFiles?: { dir: string } | { notCopied: string };
}

/** What an executor needs to know of a plan to get ready for it. */
export interface PrepareRequest {
  environment: {
    /** an MLproject docker_env image, by name */
    dockerImage?: string | undefined;
    requirements: readonly string[];
    python?: string | undefined;
    ignored: readonly IgnoredEntry[];
    /** the harness's tooling installed after the requirements (a notebook's kernel and runner) */
    tooling?: readonly string[] | undefined;
    /** "image": the replays run in the named image's own WORKDIR (plan/docker-workdir.ts) */
    dockerWorkdir?: "project" | "image" | undefined;
  };
  /** host folder mounted read-only at /code */
  codePath: string;
  /** local wheel files (absolute paths) installed into the image after the plan's requirements */
  localWheels?: readonly string[];
  auditId: string;
  /** the run it is prepared for: only that run's leftovers of the audit are reaped (absent: all of the audit's) */
  runId?: string;
  /** the docker engines replays may run on (--engine), the first prepares the image; absent: the default engine alone */
  engines?: readonly EngineEndpoint[];
  /** where host variables come from (PATH for the local executor) */
  hostEnv: Record<string, string | undefined>;
  signal?: AbortSignal;
  onStage: (message: string) => void;
  onBuildProgress?: OnBuildProgress;
}

/** One engine a run's replays may run on, with the pinned image present there. */
export interface EngineExecutor {
  /** the engine's name (its URL without credentials): the key of its replay pool */
  name: string;
  executor: Executor;
}

export interface PreparedExecutor {
  /** the first engine's (the probe runs there; with one engine, every replay) */
  executor: Executor;
  /** every engine whose replays may run for this run, the first included; absent for an executor without engines */
  engines?: readonly EngineExecutor[];
  /** the image the replays run in; absent for an executor that runs none */
  image?: ImageInfo;
  /** what the plan's reader should know about running there */
  notes: readonly string[];
}

/**
 * The image a replay would run in, as far as can be told without building or pulling
 * anything (a preview, `--dry-run`): the MLproject's named image and whether the
 * engine has it; or the recipe (base + requirements) and, where the base is already
 * there, the cache tag a build would get and whether it is cached; or none (local).
 */
export type ImagePreview =
  | { kind: "named"; image: string; imageId?: string; present: boolean }
  | {
      kind: "recipe";
      /** the base image's tag (repro-audit/base:<recipe hash>): the one the requested python chose */
      base: string;
      /** the Debian suite of that base (bullseye, bookworm, trixie: a CPython minor each) */
      baseSuite: string;
      /** why that base, when the plan asked for a python (a mismatch the report would name is said here) */
      pythonChoice?: string;
      basePresent: boolean;
      /** the Python the base image has, when it is there */
      basePython?: string;
      requirements: number;
      /** the env image's cache tag; only when the base is there (the tag is a function of its ID) */
      tag?: string;
      cached?: boolean;
    }
  | { kind: "host" };

export interface ImagePreviewResult {
  image: ImagePreview;
  /** why a replay could not start in it (a named image the engine does not have); absent when it could */
  problem?: string;
}

/** What the engine (or, for the local executor, the host) has for replays at once: the pool's default size comes from it. */
export interface EngineCapacity {
  cpus: number;
  memoryBytes: number;
  /** whose figures they are, as the stated reason names it ("the engine", "this host") */
  what: string;
}

export interface ExecutorEntry {
  /** for --help: what running there gives (isolation, pinning) */
  readonly description: string;
  /** whether a replaying command checks the container engine before it reads a run */
  readonly needsEngine: boolean;
  /** whether it spreads replays over several engines (`--engine`, repeatable) */
  readonly engineList: boolean;
  readonly prepare: (req: PrepareRequest) => Promise<PreparedExecutor>;
  /** what `prepare` would use, read from the engine only (`url`: the first --engine; default: the default engine): nothing built, pulled or reaped */
  readonly preview: (environment: PrepareRequest["environment"], url?: string) => Promise<ImagePreviewResult>;
  /** the CPUs and memory replays share on one engine (`url`; default: the default engine), undefined when it cannot be told */
  readonly capacity: (url?: string) => Promise<EngineCapacity | undefined>;
}

export const EXECUTORS = {
  docker: {
    description: "isolated, pinned",
    needsEngine: true,
    engineList: true,
    prepare: async (req) => (await import("./docker-prepare.js")).prepareDocker(req),
    preview: async (environment, url) => (await import("./docker-prepare.js")).previewDocker(environment, url),
    capacity: async (url) => {
      const engine = await import("./engine.js");
      return engine.engineCapacity(url === undefined ? engine.docker() : engine.dockerFor(url));
    },
  },
  local: {
    description: "neither",
    needsEngine: false,
    engineList: false,
    prepare: async (req) => (await import("./local-executor.js")).prepareLocal(req),
    preview: async (): Promise<ImagePreviewResult> => ({ image: { kind: "host" } }),
    capacity: async () => {
      const os = await import("node:os");
      return { cpus: os.availableParallelism(), memoryBytes: os.totalmem(), what: "this host" };
    },
  },
  swarm: {
    description: "isolated, pinned: a Docker Swarm job per replay, on the manager DOCKER_HOST names",
    needsEngine: true,
    // The swarm places tasks on its nodes itself: one manager, no engine list of ours.
    engineList: false,
    prepare: async (req) => (await import("./swarm-prepare.js")).prepareSwarm(req),
    // The image is made as for docker, on the manager's engine: the same preview.
    preview: async (environment) => (await import("./docker-prepare.js")).previewDocker(environment),
    capacity: async () => (await import("./swarm-prepare.js")).swarmCapacity(),
  },
} as const satisfies Record<string, ExecutorEntry>;

export type ExecutorKind = keyof typeof EXECUTORS;

export const EXECUTOR_KINDS = Object.keys(EXECUTORS) as [ExecutorKind, ...ExecutorKind[]];

/** The kind replays run in unless the command line says otherwise. */
export const DEFAULT_EXECUTOR: ExecutorKind = "docker";

/** "a or b", "a, b or c": the kinds as a sentence names them. */
export function executorKindsText(kinds: readonly string[] = EXECUTOR_KINDS): string {
  return kinds.length <= 1 ? (kinds[0] ?? "") : `${kinds.slice(0, -1).join(", ")} or ${kinds[kinds.length - 1]}`;
}
