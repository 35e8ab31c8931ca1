import type { EngineCapacity } from "../exec/executors.js";

// PURE (no I/O): one concurrency limit for every replay of an audit, and how big it
// is by default. Before it, each run had its own workers and runs went one after
// another, so `--parallel` helped only within a run and the last replays of every
// run left the engine's cores idle. Now every run's replays queue here, first come
// first served, and the audit plans the next runs and prepares their images while
// earlier runs' replays hold the slots (audit-job.ts).
//
// One pool per engine: with several (`--engine`), each gets its own limit, sized by
// `poolSize` from that engine's capacity, and a replay takes a slot on whichever
// engine frees one first (engine-pools.ts, which is this limiter with one engine).
// ReplayPool itself still bounds the runs an audit has in flight.

/** What one replay is given (the plan's limits). */
export interface ReplayShare {
  cpus: number;
  memoryMb: number;
}

export interface PoolSize {
  limit: number;
  /** the sentence progress and --help state: "parallel 2: engine has 2 CPUs, 8 GiB; each replay 1 CPU, 2 GiB" */
  why: string;
}

const GIB = 1024 ** 3;

function gib(bytes: number): string {
  const g = bytes / GIB;
  return `${g >= 10 ? g.toFixed(0) : Number(g.toFixed(1))} GiB`;
}

function cpusText(n: number): string {
  return `${Number(n.toFixed(2))} CPU${n === 1 ? "" : "s"}`;
}

/**
 * The pool's limit: `--parallel K` as given, else as many replays as the engine's
 * CPUs and memory hold at once, each with its plan's CPU and memory limit (at least 1,
 * at most `max`). Memory is what the engine enforces per replay (no swap), so replays
 * past MemTotal / memory would be OOM-killed or starve the engine.
 */
export function poolSize(
  requested: number | "auto",
  capacity: EngineCapacity | undefined,
  share: ReplayShare,
  max: number,
): PoolSize {
  const each = `each replay ${cpusText(share.cpus)}, ${gib(share.memoryMb * 1024 ** 2)}`;
  if (requested !== "auto") return { limit: requested, why: `parallel ${requested}: as --parallel asked; ${each}` };
  if (capacity === undefined || capacity.cpus <= 0 || capacity.memoryBytes <= 0)
    return { limit: 1, why: "parallel 1: the engine did not say its CPUs and memory" };
  const byCpu = Math.floor(capacity.cpus / share.cpus + 1e-9);
  const byMemory = Math.floor(capacity.memoryBytes / (share.memoryMb * 1024 ** 2));
  const limit = Math.max(1, Math.min(byCpu, byMemory, max));
  return {
    limit,
    why: `parallel ${limit}: ${capacity.what} has ${cpusText(capacity.cpus)}, ${gib(capacity.memoryBytes)}; ${each}`,
  };
}

/**
 * A FIFO concurrency limiter (p-limit's shape): `run(task)` starts the task when fewer
 * than `limit` run, else queues it. A task's rejection is its caller's; the pool goes on.
 */
export class ReplayPool {
  private running = 0;
  private readonly queue: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`internal error: a replay pool of ${limit}`);
  }

  /** tasks running now */
  get active(): number {
    return this.running;
  }

  /** tasks waiting for a slot */
  get waiting(): number {
    return this.queue.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    // A finished task hands its slot straight to the next in line, so a task that
    // arrives meanwhile cannot take it too and go past the limit.
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      const next = this.queue.shift();
      if (next !== undefined) next();
      else this.running--;
    }
  }
}
