// PURE (no I/O): the replay slots of an audit across its engines. Each engine has
// its own limit (poolSize from that engine's capacity, or --parallel K each: engines
// differ, and one engine's cores say nothing of another's). Replays queue once, first
// come first served, and the head of the queue takes a slot on whichever engine frees
// one first; when several have room (at the start), the one with the most room, so
// replays spread rather than filling the first engine. With one engine this is the
// FIFO limiter ReplayPool is (replay-pool.ts).
//
// Failover: a task that finds its engine gone throws EngineDownError; the engine is
// then down for the rest of the audit (no new replay goes there) and the task goes
// back to the head of the queue, to run on another engine. The replays still running
// there fail the same way and are redone the same way. When no engine is left, every
// waiting task is rejected with AllEnginesDownError.

/** Thrown by a task whose engine is gone (connection refused, socket gone): infrastructure, never the workload. */
export class EngineDownError extends Error {
  override name = "EngineDownError";
  constructor(
    readonly engine: string,
    readonly reason: string,
  ) {
    super(`engine ${engine} is down: ${reason}`);
  }
}

/** No engine of the audit is left to run a replay on. */
export class AllEnginesDownError extends Error {
  override name = "AllEnginesDownError";
  constructor(down: ReadonlyArray<{ engine: string; reason: string }>) {
    super(`every engine is down: ${down.map((d) => `${d.engine} (${d.reason})`).join("; ")}`);
  }
}

export interface EngineSlots {
  /** the engine's name (its URL without credentials) */
  engine: string;
  limit: number;
}

interface EngineState extends EngineSlots {
  running: number;
  down?: string;
}

interface Waiting {
  start: (engine: string) => void;
  fail: (err: Error) => void;
}

export class EnginePools {
  private readonly engines: EngineState[];
  private readonly queue: Waiting[] = [];

  /** `onDown`: told once per engine that goes down (progress says so) */
  constructor(
    engines: readonly EngineSlots[],
    private readonly onDown?: (engine: string, reason: string) => void,
  ) {
    if (engines.length === 0) throw new Error("internal error: replay pools for no engine");
    for (const e of engines)
      if (!Number.isInteger(e.limit) || e.limit < 1)
        throw new Error(`internal error: a replay pool of ${e.limit} on ${e.engine}`);
    this.engines = engines.map((e) => ({ ...e, running: 0 }));
  }

  /** One engine's pool: what a run's replays use when nothing shares them. */
  static single(limit: number, engine = "the engine"): EnginePools {
    return new EnginePools([{ engine, limit }]);
  }

  /** replays at once on the engines still up */
  get limit(): number {
    return this.up().reduce((n, e) => n + e.limit, 0);
  }

  /** the engines still up */
  get upCount(): number {
    return this.up().length;
  }

  /** engines that went down, with why, in the order they did */
  get down(): Array<{ engine: string; reason: string }> {
    return this.engines.flatMap((e) => (e.down !== undefined ? [{ engine: e.engine, reason: e.down }] : []));
  }

  /** tasks waiting for a slot */
  get waiting(): number {
    return this.queue.length;
  }

  /** tasks running on `engine` now */
  active(engine: string): number {
    return this.engines.find((e) => e.engine === engine)?.running ?? 0;
  }

  /**
   * Runs `task` on an engine with a free slot (queued until one is). A task that
   * throws EngineDownError is run again on another engine; any other rejection is
   * the caller's, and the pools go on.
   */
  async run<T>(task: (engine: string) => Promise<T>): Promise<T> {
    for (let redo = false; ; redo = true) {
      const engine = await this.slot(redo);
      try {
        return await task(engine.engine);
      } catch (err) {
        if (!(err instanceof EngineDownError)) throw err;
        this.markDown(err.engine, err.reason);
      } finally {
        engine.running--;
        this.dispatch();
      }
    }
  }

  /** No new replay goes to `engine` for the rest of the audit; none left: everyone waiting is told. */
  markDown(engine: string, reason: string): void {
    const e = this.engines.find((x) => x.engine === engine);
    if (e === undefined || e.down !== undefined) return;
    e.down = reason;
    this.onDown?.(engine, reason);
    if (this.upCount > 0) return;
    const err = new AllEnginesDownError(this.down);
    for (const w of this.queue.splice(0)) w.fail(err);
  }

  /** A free slot, taken; a redo goes to the head of the queue (it waited its turn already). */
  private slot(redo: boolean): Promise<EngineState> {
    if (this.upCount === 0) return Promise.reject(new AllEnginesDownError(this.down));
    return new Promise<EngineState>((resolve, reject) => {
      const waiting: Waiting = {
        start: (name) => {
          const e = this.engines.find((x) => x.engine === name) as EngineState;
          resolve(e);
        },
        fail: reject,
      };
      if (redo) this.queue.unshift(waiting);
      else this.queue.push(waiting);
      this.dispatch();
    });
  }

  /** Hands free slots to the head of the queue: each to the engine with the most room. */
  private dispatch(): void {
    for (;;) {
      const next = this.queue[0];
      const engine = this.roomiest();
      if (next === undefined || engine === undefined) return;
      this.queue.shift();
      engine.running++;
      next.start(engine.engine);
    }
  }

  private roomiest(): EngineState | undefined {
    let best: EngineState | undefined;
    for (const e of this.up())
      if (e.running < e.limit && (best === undefined || e.limit - e.running > best.limit - best.running)) best = e;
    return best;
  }

  private up(): EngineState[] {
    return this.engines.filter((e) => e.down === undefined);
  }
}
