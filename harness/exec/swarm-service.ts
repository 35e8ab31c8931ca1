import type Docker from "dockerode";
import { CONTAINER_LABEL, DEADLINE_LABEL } from "./container-labels.js";
import { DEFAULT_TMPFS_BYTES, DEFAULT_USER, watchdogCommand } from "./container-defaults.js";
import type { ExecSpec } from "./executor.js";

// PURE: one execution as a Docker Swarm service, and what a task's status says about
// how it ended. The isolation is the docker executor's, spelled in the service API
// (1.41, docker 20.10): a replicated job of one task that is never restarted, no
// network attachment (a task then has its node's default network: only `lo` on a
// dockerd without a bridge, which swarm-prepare.ts requires of the manager; `--network
// none` is refused for services), read-only root, a tmpfs /tmp, every capability dropped, a non-root user,
// memory/CPU/pids limits, an init, the in-container watchdog, the audit's labels.
// Two things the service API of 1.41 cannot say: no-new-privileges (Privileges has
// no such field before API 1.44: the node's dockerd `--no-new-privileges` sets it
// for every container) and swap (the engine gives a service's container twice its
// memory as memory+swap; on a node without swap that is the memory limit).

/** Task states after which nothing more happens to a task (swarmkit's terminal states). */
const TERMINAL_STATES = new Set(["complete", "failed", "rejected", "shutdown", "orphaned", "remove"]);

/** Logs a task keeps on its node (json-file, one file): bounded on disk, read back once it ended. */
const LOG_MAX_BYTES = "16m";

/** What the executor names in a service besides the spec: the pinned image and the service's name. */
export interface ServiceTarget {
  /** registry/repo@sha256:digest: the image every node pulls by digest */
  imageRef: string;
  name: string;
  /** labels on the service and its task's container (the executor's own and the spec's) */
  labels: Record<string, string>;
  now?: number;
}

/** The service that runs one execution: a job of exactly one task, never restarted, isolated as a docker replay. */
export function serviceSpec(spec: ExecSpec, target: ServiceTarget): Docker.CreateServiceOptions {
  const { argv, watchdogMs } = watchdogCommand(spec);
  const labels = {
    ...target.labels,
    ...(spec.labels ?? {}),
    [CONTAINER_LABEL]: "swarm",
    [DEADLINE_LABEL]: String((target.now ?? Date.now()) + watchdogMs),
  };
  return {
    Name: target.name,
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: target.imageRef,
        // Args, not Command: like the docker executor's Cmd, a named image's entrypoint still applies.
        Args: argv,
        Dir: spec.workdir,
        Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
        User: spec.user ?? DEFAULT_USER,
        Labels: labels,
        ReadOnly: true,
        Init: true,
        CapabilityDrop: ["ALL"],
        // Removing the service (deadline, abort) kills at once: a replay has nothing to flush for us.
        StopSignal: "SIGKILL",
        StopGracePeriod: 0,
        Mounts: [
          ...spec.mounts.map((m) => ({
            Type: "bind" as const,
            Source: m.host,
            Target: m.container,
            ReadOnly: m.readOnly,
          })),
          {
            Type: "tmpfs" as const,
            Source: "",
            Target: "/tmp",
            TmpfsOptions: { SizeBytes: spec.tmpfsBytes ?? DEFAULT_TMPFS_BYTES, Mode: 0o1777 },
          },
        ],
      },
      Resources: {
        Limits: { MemoryBytes: spec.limits.memoryBytes, NanoCPUs: spec.limits.nanoCpus, Pids: spec.limits.pids },
      },
      RestartPolicy: { Condition: "none", MaxAttempts: 0 },
      LogDriver: { Name: "json-file", Options: { "max-size": LOG_MAX_BYTES, "max-file": "1" } },
      // No Networks: the task gets its node's default network, only lo on a dockerd without a bridge
      // (swarm-prepare.ts refuses a manager with one). "host" is the node's own network, as `docker run --network host`.
      ...(spec.network === "host" ? { Networks: [{ Target: "host" }] } : {}),
    },
    Mode: { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } },
  };
}

/** The fields of a task (GET /tasks) the executor reads. */
export interface TaskView {
  CreatedAt?: string;
  NodeID?: string;
  Status?: {
    State?: string;
    Err?: string;
    ContainerStatus?: { ContainerID?: string; ExitCode?: number };
  };
}

/**
 * The task that stands for the execution: the newest. A job whose node leaves may get
 * a replacement task from the orchestrator; the one that left is not the result.
 */
export function currentTask<T extends TaskView>(tasks: readonly T[]): T | undefined {
  let newest: T | undefined;
  for (const t of tasks) if (newest === undefined || (t.CreatedAt ?? "") > (newest.CreatedAt ?? "")) newest = t;
  return newest;
}

export type TaskOutcome =
  | { kind: "pending"; state: string }
  /** the workload ran and exited on its own (any exit code) */
  | { kind: "exited"; exitCode: number; containerId?: string }
  /** the task never ran its command, or the orchestrator ended it: the infrastructure's fault, not the workload's */
  | { kind: "not-run"; state: string; message: string };

/** How a task stands: still on its way, exited with a code, or ended without running (rejected, shut down, orphaned). */
export function taskOutcome(task: TaskView | undefined): TaskOutcome {
  const state = task?.Status?.State ?? "new";
  if (!TERMINAL_STATES.has(state)) return { kind: "pending", state };
  const exitCode = task?.Status?.ContainerStatus?.ExitCode;
  const containerId = task?.Status?.ContainerStatus?.ContainerID;
  if ((state === "complete" || state === "failed") && typeof exitCode === "number")
    return { kind: "exited", exitCode, ...(containerId ? { containerId } : {}) };
  return { kind: "not-run", state, message: `task ${state}${task?.Status?.Err ? `: ${task.Status.Err}` : ""}` };
}

/**
 * Splits the engine's multiplexed log stream (8-byte frames: stream 1 stdout, 2
 * stderr, then a big-endian length) into its two streams, in order. A truncated last
 * frame keeps what arrived.
 */
export function demuxLogs(buf: Buffer): { stream: "stdout" | "stderr"; chunk: Buffer }[] {
  const frames: { stream: "stdout" | "stderr"; chunk: Buffer }[] = [];
  let at = 0;
  while (at + 8 <= buf.length) {
    const kind = buf[at];
    const size = buf.readUInt32BE(at + 4);
    const chunk = buf.subarray(at + 8, Math.min(buf.length, at + 8 + size));
    if (kind === 1 || kind === 2) frames.push({ stream: kind === 2 ? "stderr" : "stdout", chunk });
    at += 8 + size;
  }
  return frames;
}
