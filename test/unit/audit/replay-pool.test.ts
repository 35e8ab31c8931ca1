import { describe, expect, it } from "vitest";
import { ReplayPool, poolSize } from "../../../harness/audit/replay-pool.js";

// The audit's one replay pool: its default size from the engine's CPUs and memory
// and each replay's limits, and the limiter itself (never past its limit, first come
// first served, a failing task the caller's alone).

const GIB = 1024 ** 3;
const engine = (cpus: number, gib: number) => ({ cpus, memoryBytes: gib * GIB, what: "the engine" });

describe("poolSize", () => {
  it("auto: as many replays as the CPUs hold, and states why", () => {
    expect(poolSize("auto", engine(2, 8), { cpus: 1, memoryMb: 2048 }, 64)).toEqual({
      limit: 2,
      why: "parallel 2: the engine has 2 CPUs, 8 GiB; each replay 1 CPU, 2 GiB",
    });
  });

  it("auto: memory bounds it when it holds fewer replays than the CPUs", () => {
    expect(poolSize("auto", engine(16, 4), { cpus: 1, memoryMb: 2048 }, 64).limit).toBe(2);
    expect(poolSize("auto", engine(16, 24), { cpus: 0.5, memoryMb: 1024 }, 64).limit).toBe(24);
  });

  it("auto: fractional CPUs per replay, never below 1 nor above the bound", () => {
    expect(poolSize("auto", engine(2, 24), { cpus: 0.5, memoryMb: 256 }, 64).limit).toBe(4);
    expect(poolSize("auto", engine(1, 1), { cpus: 2, memoryMb: 4096 }, 64).limit).toBe(1);
    expect(poolSize("auto", engine(256, 1024), { cpus: 1, memoryMb: 256 }, 64).limit).toBe(64);
  });

  it("auto with no figures from the engine: one at a time, and says so", () => {
    expect(poolSize("auto", undefined, { cpus: 1, memoryMb: 2048 }, 64)).toEqual({
      limit: 1,
      why: "parallel 1: the engine did not say its CPUs and memory",
    });
  });

  it("--parallel K is taken as given", () => {
    expect(poolSize(3, engine(2, 8), { cpus: 1, memoryMb: 2048 }, 64)).toEqual({
      limit: 3,
      why: "parallel 3: as --parallel asked; each replay 1 CPU, 2 GiB",
    });
  });
});

/** A task that waits until released, counting how many run at once. */
function gate() {
  let running = 0;
  let most = 0;
  const order: number[] = [];
  const releases = new Map<number, () => void>();
  const task =
    (id: number, fail = false) =>
    async () => {
      running++;
      most = Math.max(most, running);
      order.push(id);
      await new Promise<void>((resolve) => releases.set(id, resolve));
      running--;
      if (fail) throw new Error(`task ${id} failed`);
      return id;
    };
  const release = async (id: number) => {
    for (let i = 0; i < 50 && !releases.has(id); i++) await new Promise((r) => setTimeout(r, 1));
    releases.get(id)?.();
  };
  return { task, release, most: () => most, order };
}

describe("ReplayPool", () => {
  it("runs at most `limit` tasks at once, in the order they came", async () => {
    const pool = new ReplayPool(2);
    const g = gate();
    const all = [1, 2, 3, 4, 5].map((id) => pool.run(g.task(id)));
    await new Promise((r) => setTimeout(r, 5));
    expect(pool.active).toBe(2);
    expect(pool.waiting).toBe(3);
    for (const id of [2, 1, 3, 4, 5]) await g.release(id);
    expect(await Promise.all(all)).toEqual([1, 2, 3, 4, 5]);
    expect(g.most()).toBe(2);
    expect(g.order).toEqual([1, 2, 3, 4, 5]);
    expect(pool.active).toBe(0);
  });

  it("a slot a finished task frees goes to the next in line, not to a task that arrives meanwhile", async () => {
    const pool = new ReplayPool(1);
    const g = gate();
    const first = pool.run(g.task(1));
    const queued = pool.run(g.task(2));
    await g.release(1);
    await first;
    // Arrives while task 2 holds the freed slot: it must wait.
    const late = pool.run(g.task(3));
    await new Promise((r) => setTimeout(r, 5));
    expect(g.order).toEqual([1, 2]);
    expect(pool.active).toBe(1);
    await g.release(2);
    await g.release(3);
    expect([await queued, await late]).toEqual([2, 3]);
    expect(g.most()).toBe(1);
  });

  it("a failing task rejects its own caller only; the pool goes on", async () => {
    const pool = new ReplayPool(1);
    const g = gate();
    const bad = pool.run(g.task(1, true));
    const good = pool.run(g.task(2));
    await g.release(1);
    await expect(bad).rejects.toThrow("task 1 failed");
    await g.release(2);
    expect(await good).toBe(2);
  });

  it("refuses a limit below 1", () => {
    expect(() => new ReplayPool(0)).toThrow("a replay pool of 0");
  });
});
