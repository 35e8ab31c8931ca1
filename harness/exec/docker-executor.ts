import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import type Docker from "dockerode";
import { CONTAINER_LABEL, DEADLINE_LABEL } from "./container-labels.js";
import { docker } from "./engine.js";
import {
  DEFAULT_OUTPUT_LIMIT,
  ExecAbortedError,
  type ExecResult,
  type ExecSpec,
  type Executor,
  type OutputStream,
  parseExecSpec,
  type RunOptions,
} from "./executor.js";
import { OutputTail } from "./output-tail.js";
import { DEFAULT_TMPFS_BYTES, DEFAULT_USER, watchdogCommand } from "./container-defaults.js";

function sink(tail: OutputTail, stream: OutputStream, onOutput: RunOptions["onOutput"]): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      tail.push(chunk);
      onOutput?.(stream, chunk);
      cb();
    },
  });
}

function statusCode(err: unknown): number | undefined {
  return (err as { statusCode?: number }).statusCode;
}

/** Settles when `p` does, or after `ms`, whichever comes first; never rejects. */
function settleWithin(p: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    p.then(
      () => {
        clearTimeout(t);
        resolve();
      },
      () => {
        clearTimeout(t);
        resolve();
      },
    );
  });
}

/**
 * Runs each execution in a fresh container with the isolation the design asks for: no network
 * unless `host` is requested, read-only root with a tmpfs /tmp, all capabilities dropped,
 * no-new-privileges, memory/CPU/pids limits, a non-root user and a wall-clock timeout that kills.
 * The container is removed afterwards whatever happened.
 */
export class DockerExecutor implements Executor {
  readonly kind = "docker" as const;

  /** `labels` are added to every container (e.g. an audit ID), so a caller can find its own. */
  constructor(
    private readonly client: Docker = docker(),
    private readonly labels: Record<string, string> = {},
  ) {}

  /** Image IDs already resolved: an audit's replays check their image once, not once each. */
  private readonly resolved = new Map<string, string>();

  async resolveImageId(image: string): Promise<string> {
    const known = this.resolved.get(image);
    if (known !== undefined) return known;
    const id = await this.inspectImageId(image);
    this.resolved.set(image, id);
    return id;
  }

  private async inspectImageId(image: string): Promise<string> {
    try {
      return (await this.client.getImage(image).inspect()).Id;
    } catch (err) {
      if (statusCode(err) === 404) {
        throw new Error(
          `Image ${JSON.stringify(image)} is not present in the engine; the docker executor never pulls. Build it (ensureEnvImage) or load it (docker load) first.`,
        );
      }
      throw err;
    }
  }

  createOptions(spec: ExecSpec, imageId: string, name: string, now = Date.now()): Docker.ContainerCreateOptions {
    const { argv: cmd, watchdogMs } = watchdogCommand(spec);
    const memory = spec.limits.memoryBytes;
    return {
      name,
      Image: imageId,
      Cmd: cmd,
      WorkingDir: spec.workdir,
      Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      User: spec.user ?? DEFAULT_USER,
      Tty: false,
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      OpenStdin: false,
      Labels: {
        ...this.labels,
        ...(spec.labels ?? {}),
        [CONTAINER_LABEL]: "docker",
        [DEADLINE_LABEL]: String(now + watchdogMs),
      },
      HostConfig: {
        NetworkMode: spec.network,
        ReadonlyRootfs: true,
        Tmpfs: { "/tmp": `rw,nosuid,nodev,size=${spec.tmpfsBytes ?? DEFAULT_TMPFS_BYTES}` },
        CapDrop: ["ALL"],
        SecurityOpt: ["no-new-privileges"],
        Memory: memory,
        // Equal to Memory: no swap, so exceeding the limit is an OOM kill, not a slow crawl.
        MemorySwap: memory,
        NanoCpus: spec.limits.nanoCpus,
        PidsLimit: spec.limits.pids,
        // A tiny init reaps zombies and turns a missing executable into exit 127 with a message.
        Init: true,
        // Output is captured through attach; the engine need not keep a second copy on disk.
        LogConfig: { Type: "none", Config: {} },
        Mounts: spec.mounts.map((m) => ({
          Type: "bind" as const,
          Source: m.host,
          Target: m.container,
          ReadOnly: m.readOnly,
        })),
      },
    };
  }

  async run(specIn: ExecSpec, opts: RunOptions = {}): Promise<ExecResult> {
    const spec = parseExecSpec(specIn);
    if (spec.image === undefined)
      throw new Error("The docker executor needs spec.image (an image ID); build one with ensureEnvImage.");
    if (opts.signal?.aborted) throw new ExecAbortedError(0);
    const imageId = await this.resolveImageId(spec.image);
    const limit = spec.outputLimitBytes ?? DEFAULT_OUTPUT_LIMIT;
    const out = new OutputTail(limit);
    const err = new OutputTail(limit);
    const name = `repro-audit-${randomBytes(6).toString("hex")}`;
    // Seconds, as the engine's event log counts them: from here on, a kill is this container's.
    const createdAt = Math.floor(Date.now() / 1000);
    const container = await this.client.createContainer(this.createOptions(spec, imageId, name));

    let timedOut = false;
    let aborted = false;
    let timer: NodeJS.Timeout | undefined;
    const kill = (): void => {
      container.kill({ signal: "SIGKILL" }).catch(() => {
        // Already gone: exit and kill raced, nothing left to stop.
      });
    };
    const onAbort = (): void => {
      aborted = true;
      kill();
    };
    let t0 = performance.now();
    try {
      const stream = await container.attach({ stream: true, stdout: true, stderr: true });
      const streamDone = new Promise<void>((resolve) => {
        stream.on("end", resolve);
        stream.on("close", resolve);
        stream.on("error", () => resolve());
      });
      this.client.modem.demuxStream(stream, sink(out, "stdout", opts.onOutput), sink(err, "stderr", opts.onOutput));
      // next-exit registered before start, so a command that exits at once is not missed.
      const waited = container.wait({ condition: "next-exit" }) as Promise<{ StatusCode: number }>;
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      t0 = performance.now();
      try {
        await container.start();
      } catch (startErr) {
        // The runtime refusing to exec the command is the workload's failure, not ours.
        const msg = (startErr as Error).message;
        if (/executable file not found|no such file or directory|permission denied/i.test(msg)) {
          err.push(`${msg}\n`);
          return this.result(spec, imageId, { exitCode: 127, timedOut, oom: false, t0, out, err });
        }
        throw startErr;
      }
      timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, spec.limits.timeoutMs);
      const { StatusCode } = await waited;
      const durationEnd = performance.now();
      clearTimeout(timer);
      await settleWithin(streamDone, 2_000);
      if (aborted) throw new ExecAbortedError(durationEnd - t0);
      const state = (await container.inspect()).State;
      const res = this.result(spec, imageId, {
        exitCode: StatusCode,
        timedOut,
        oom: state.OOMKilled,
        t0,
        end: durationEnd,
        out,
        err,
      });
      if (StatusCode === 0 || timedOut || state.OOMKilled) return res;
      const stoppedBy = await this.killedFromOutside(container.id, createdAt);
      return stoppedBy !== undefined ? { ...res, stoppedBy } : res;
    } catch (e) {
      if (aborted && !(e instanceof ExecAbortedError)) throw new ExecAbortedError(performance.now() - t0);
      throw e;
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      await container.remove({ force: true, v: true }).catch((e: unknown) => {
        if (statusCode(e) !== 404 && statusCode(e) !== 409) throw e;
      });
    }
  }

  /**
   * Who else stopped the container, when something did: the engine's own kill events
   * for it (the harness kills only at its timeout or on abort, both known here). An
   * engine shutting down stops its containers so (SIGTERM, exit 143), as does a
   * `docker stop`: the workload did not fail, it was ended. Undefined when no one did.
   */
  private async killedFromOutside(containerId: string, since: number): Promise<string | undefined> {
    const stream = await this.client.getEvents({
      since,
      until: Math.ceil(Date.now() / 1000) + 1,
      filters: { type: ["container"], container: [containerId], event: ["kill"] },
    });
    let text = "";
    for await (const chunk of stream) text += String(chunk);
    const signals = text
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => (JSON.parse(l) as { Actor?: { Attributes?: Record<string, string> } }).Actor?.Attributes?.["signal"]);
    if (signals.length === 0) return undefined;
    return `the engine killed the container with signal ${signals.join(", ")} (the engine shutting down, or a docker stop): not the workload's own end`;
  }

  private result(
    _spec: ExecSpec,
    imageId: string,
    r: {
      exitCode: number;
      timedOut: boolean;
      oom: boolean;
      t0: number;
      end?: number;
      out: OutputTail;
      err: OutputTail;
    },
  ): ExecResult {
    const killedByUs = r.timedOut;
    const res: ExecResult = {
      exitCode: killedByUs ? null : r.exitCode,
      oomKilled: r.oom,
      timedOut: r.timedOut,
      durationMs: (r.end ?? performance.now()) - r.t0,
      stdoutTail: r.out.text(),
      stderrTail: r.err.text(),
      stdoutTruncated: r.out.truncated,
      stderrTruncated: r.err.truncated,
      isolated: true,
      pinned: true,
      imageId,
      executor: "docker",
    };
    if (killedByUs || r.oom) res.signal = "SIGKILL";
    return res;
  }
}
