import { randomBytes } from "node:crypto";
import type Docker from "dockerode";
import { docker } from "./engine.js";
import {
  DEFAULT_OUTPUT_LIMIT,
  ExecAbortedError,
  type ExecResult,
  type ExecSpec,
  type Executor,
  parseExecSpec,
  type RunOptions,
} from "./executor.js";
import { OutputTail } from "./output-tail.js";
import { pushPinned } from "./swarm-image.js";
import { type TaskView, currentTask, demuxLogs, serviceSpec, taskOutcome } from "./swarm-service.js";

// I/O: each execution as one Docker Swarm service (a replicated job of one task),
// created on the manager the engine endpoint names (DOCKER_HOST), its task followed
// until it ends, its logs read back, the service removed whatever happened. The
// harness keeps the deadline: past it the service is removed (its task killed) and
// the result is a timeout, as the docker executor's. Host folders are bind-mounted
// as the docker executor mounts them, so a task sees the work tree and output
// folders only on a node that shares the harness's file system (this machine's
// one-node swarm); see harness/exec/README.md.

/** A task that has not started its command by then is the orchestrator's failure (no node, image not pulled). */
const START_TIMEOUT_MS = 120_000;
/** How long removing a service's containers may take (the engine kills a running one first). */
const GONE_TIMEOUT_MS = 30_000;
/** Task polls: quick at first (most replays are short), then easing off to this. */
const POLL_MAX_MS = 500;
/**
 * How often the node under a started task is asked after: a node that left keeps its
 * task "running" in the manager (swarm orphans it only after a day), so without this
 * the replay would wait out its whole deadline and then some.
 */
const NODE_CHECK_MS = 1_000;

function statusCode(err: unknown): number | undefined {
  return (err as { statusCode?: number }).statusCode;
}

/** Sleeps `ms`, or less when the signal aborts. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** An image as services name it: by digest in the registry; replays still record its ID. */
interface PinnedImage {
  imageId: string;
  ref: string;
}

/** How the wait for the task ended. */
type Waited =
  | { kind: "exited"; exitCode: number; containerId?: string; startedAt: number; endedAt: number }
  | { kind: "timeout"; startedAt: number }
  | { kind: "aborted" };

export class SwarmExecutor implements Executor {
  readonly kind = "swarm" as const;

  /** `labels` go on every service and its task's container (e.g. a test's own, to count leftovers). */
  constructor(
    private readonly registry: string,
    private readonly client: Docker = docker(),
    private readonly labels: Record<string, string> = {},
  ) {}

  /** Image (ID or name) -> its ID and the reference by digest pushed for it: each image is pushed once per executor. */
  private readonly pins = new Map<string, Promise<PinnedImage>>();

  /** The image's ID and the reference services name it by (pushed to the registry on first use). */
  pin(image: string): Promise<PinnedImage> {
    let pinned = this.pins.get(image);
    if (pinned === undefined) {
      pinned = this.imageIdOf(image).then(async (imageId) => ({
        imageId,
        ref: await pushPinned(this.client, imageId, this.registry),
      }));
      // A failed push is tried again by the next execution, not remembered.
      pinned.catch(() => this.pins.delete(image));
      this.pins.set(image, pinned);
    }
    return pinned;
  }

  private async imageIdOf(image: string): Promise<string> {
    try {
      return (await this.client.getImage(image).inspect()).Id;
    } catch (err) {
      if (statusCode(err) === 404)
        throw new Error(
          `Image ${JSON.stringify(image)} is not present in the swarm manager's engine; the swarm executor pushes it from there and never pulls from elsewhere.`,
        );
      throw err;
    }
  }

  async run(specIn: ExecSpec, opts: RunOptions = {}): Promise<ExecResult> {
    const spec = parseExecSpec(specIn);
    if (spec.image === undefined) throw new Error("The swarm executor needs spec.image (an image ID).");
    if (opts.signal?.aborted) throw new ExecAbortedError(0);
    const { imageId, ref: imageRef } = await this.pin(spec.image);
    const name = `repro-audit-${randomBytes(6).toString("hex")}`;
    const created = performance.now();
    const service = await this.client.createService(serviceSpec(spec, { imageRef, name, labels: this.labels }));
    const serviceId = (service as unknown as { id: string }).id;
    try {
      const waited = await this.waitForTask(serviceId, spec.limits.timeoutMs, opts.signal, created);
      if (waited.kind === "aborted") throw new ExecAbortedError(performance.now() - created);
      const limit = spec.outputLimitBytes ?? DEFAULT_OUTPUT_LIMIT;
      const out = new OutputTail(limit);
      const err = new OutputTail(limit);
      await this.readLogs(serviceId, out, err, opts.onOutput);
      const timedOut = waited.kind === "timeout";
      const oomKilled = waited.kind === "exited" && (await this.oomKilled(waited.containerId));
      const res: ExecResult = {
        exitCode: waited.kind === "exited" ? waited.exitCode : null,
        oomKilled,
        timedOut,
        durationMs: (waited.kind === "exited" ? waited.endedAt : performance.now()) - waited.startedAt,
        stdoutTail: out.text(),
        stderrTail: err.text(),
        stdoutTruncated: out.truncated,
        stderrTruncated: err.truncated,
        isolated: true,
        pinned: true,
        imageId,
        executor: "swarm",
      };
      if (timedOut || oomKilled) res.signal = "SIGKILL";
      return res;
    } finally {
      await this.client
        .getService(serviceId)
        .remove()
        .catch((e: unknown) => {
          if (statusCode(e) !== 404) throw e;
        });
      await this.removeContainers(serviceId);
    }
  }

  /** Follows the service's one task until it exits, the deadline passes (counted from its start) or the signal aborts. */
  private async waitForTask(
    serviceId: string,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    created: number,
  ): Promise<Waited> {
    let startedAt: number | undefined;
    let nodeCheckedAt = Number.NEGATIVE_INFINITY;
    for (let polls = 0; ; polls++) {
      if (signal?.aborted) return { kind: "aborted" };
      const task = currentTask((await this.client.listTasks({ filters: { service: [serviceId] } })) as TaskView[]);
      const now = performance.now();
      const outcome = taskOutcome(task);
      if (outcome.kind === "exited") {
        return {
          kind: "exited",
          exitCode: outcome.exitCode,
          ...(outcome.containerId ? { containerId: outcome.containerId } : {}),
          startedAt: startedAt ?? created,
          endedAt: now,
        };
      }
      if (outcome.kind === "not-run")
        throw new Error(`the swarm ended the replay's task without a result (${outcome.message})`);
      if (outcome.state === "running") startedAt ??= now;
      // A task on a node that is down (its dockerd stopped, the machine gone) will never
      // report its end: the infrastructure failed, which the runner retries and journals.
      if (task?.NodeID !== undefined && now - nodeCheckedAt >= NODE_CHECK_MS) {
        nodeCheckedAt = now;
        await this.nodeStillThere(task.NodeID);
      }
      if (startedAt !== undefined && now - startedAt > timeoutMs) {
        // A task whose node left still reads "running": that is the infrastructure's failure, not a timeout.
        await this.nodeStillThere(task?.NodeID);
        return { kind: "timeout", startedAt };
      }
      if (startedAt === undefined && now - created > START_TIMEOUT_MS)
        throw new Error(`the replay's task did not start within ${START_TIMEOUT_MS / 1000} s (state ${outcome.state})`);
      await pause(Math.min(POLL_MAX_MS, 50 + polls * 25), signal);
    }
  }

  /** Throws when the task's node is no longer ready (left, down): its task's end is unknown. */
  private async nodeStillThere(nodeId: string | undefined): Promise<void> {
    if (nodeId === undefined) return;
    const node = (await this.client
      .getNode(nodeId)
      .inspect()
      .catch(() => undefined)) as { Status?: { State?: string } } | undefined;
    const state = node?.Status?.State ?? "gone";
    if (state !== "ready") throw new Error(`the node running the replay's task is ${state}: it did not finish there`);
  }

  /** The task's stdout and stderr from the service's logs (json-file on its node), kept to the output limit. */
  private async readLogs(
    serviceId: string,
    out: OutputTail,
    err: OutputTail,
    onOutput: RunOptions["onOutput"],
  ): Promise<void> {
    const logs = (await this.client
      .getService(serviceId)
      .logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer | NodeJS.ReadableStream;
    const buf = Buffer.isBuffer(logs) ? logs : await collect(logs);
    for (const { stream, chunk } of demuxLogs(buf)) {
      (stream === "stdout" ? out : err).push(chunk);
      onOutput?.(stream, chunk);
    }
  }

  /** Whether the kernel killed the task for memory: read from its container where the manager's engine holds it. */
  private async oomKilled(containerId: string | undefined): Promise<boolean> {
    if (containerId === undefined) return false;
    try {
      return (await this.client.getContainer(containerId).inspect()).State.OOMKilled === true;
    } catch {
      // On another node: its engine is not ours to ask; the exit code (137) still shows.
      return false;
    }
  }

  /**
   * Removes what is left of the service's task on the manager's engine: swarm removes
   * a removed service's containers only later, and a killed task's copy of the code is
   * read back next, so nothing of it may still run. Bounded; a task on another node is
   * that node's to remove (its agent does, with the service).
   */
  private async removeContainers(serviceId: string): Promise<void> {
    const until = performance.now() + GONE_TIMEOUT_MS;
    while (performance.now() < until) {
      const left = await this.client
        .listContainers({ all: true, filters: { label: [`com.docker.swarm.service.id=${serviceId}`] } })
        .catch(() => []);
      if (left.length === 0) return;
      await Promise.all(
        left.map((c) =>
          this.client
            .getContainer(c.Id)
            .remove({ force: true, v: true })
            .catch(() => undefined),
        ),
      );
      await pause(100, undefined);
    }
  }
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(chunks);
}
