import { describe, expect, it } from "vitest";
import { AllEnginesDownError, EngineDownError, EnginePools } from "../../../harness/audit/engine-pools.js";

// The audit's slots across engines: each engine its own limit, the queue served
// first come first served onto whichever engine has room (the roomiest at the
// start, so replays spread), a task whose engine is gone redone on another at the
// head of the queue with the engine down for good, and every waiting task told when
// no engine is left. The fake engines below hold each task until released, or fail it
// as a gone engine does.

const tick = () => new Promise((r) => setTimeout(r, 2));

/** Fake engines: a task on one waits until released, or rejects as its engine going away does. */
function fakeEngines() {
  const ran: Array<{ id: number; engine: string }> = [];
  const held = new Map<number, { engine: string; release: () => void; gone: () => void }>();
  const task = (id: number) => async (engine: string) => {
    ran.push({ id, engine });
    await new Promise<void>((resolve, reject) =>
      held.set(id, {
        engine,
        release: resolve,
        gone: () => reject(new EngineDownError(engine, "connect ECONNREFUSED")),
      }),
    );
    held.delete(id);
    return `${id}@${engine}`;
  };
  const settle = async (id: number, how: "release" | "gone" = "release") => {
    for (let i = 0; i < 50 && !held.has(id); i++) await tick();
    held.get(id)?.[how]();
    await tick();
  };
  return { task, settle, ran, held };
}

describe("EnginePools", () => {
  it("each engine holds at most its own limit; together they hold the sum", async () => {
    const pools = new EnginePools([
      { engine: "a", limit: 2 },
      { engine: "b", limit: 1 },
    ]);
    const f = fakeEngines();
    const all = [1, 2, 3, 4, 5].map((id) => pools.run(f.task(id)));
    await tick();
    expect(pools.limit).toBe(3);
    expect(pools.active("a")).toBe(2);
    expect(pools.active("b")).toBe(1);
    expect(pools.waiting).toBe(2);
    for (const id of [1, 2, 3, 4, 5]) await f.settle(id);
    expect((await Promise.all(all)).length).toBe(5);
  });

  it("spreads: at the start each replay goes to the engine with the most room, not all to the first", async () => {
    const pools = new EnginePools([
      { engine: "a", limit: 2 },
      { engine: "b", limit: 2 },
    ]);
    const f = fakeEngines();
    const all = [1, 2, 3].map((id) => pools.run(f.task(id)));
    await tick();
    expect(f.ran.map((r) => r.engine)).toEqual(["a", "b", "a"]);
    for (const id of [1, 2, 3]) await f.settle(id);
    await Promise.all(all);
  });

  it("the next in line takes the slot of whichever engine frees first", async () => {
    const pools = new EnginePools([
      { engine: "a", limit: 1 },
      { engine: "b", limit: 1 },
    ]);
    const f = fakeEngines();
    const all = [1, 2, 3, 4].map((id) => pools.run(f.task(id)));
    await tick();
    await f.settle(2); // b frees first
    expect(f.ran.find((r) => r.id === 3)?.engine).toBe("b");
    await f.settle(3); // b again
    expect(f.ran.find((r) => r.id === 4)?.engine).toBe("b");
    await f.settle(1);
    await f.settle(4);
    expect(await Promise.all(all)).toEqual(["1@a", "2@b", "3@b", "4@b"]);
  });

  it("one engine is the FIFO limiter it was: in order, never past the limit, a failure the caller's", async () => {
    const pools = EnginePools.single(1);
    const order: number[] = [];
    const failing = pools.run(async () => {
      order.push(1);
      throw new Error("workload failed");
    });
    const next = pools.run(async () => {
      order.push(2);
      return 2;
    });
    await expect(failing).rejects.toThrow("workload failed");
    expect(await next).toBe(2);
    expect(order).toEqual([1, 2]);
    expect(pools.down).toEqual([]);
  });

  it("failover: a gone engine's running and queued replays are redone on the others, it gets none again", async () => {
    const downs: string[] = [];
    const pools = new EnginePools(
      [
        { engine: "a", limit: 1 },
        { engine: "b", limit: 1 },
      ],
      (engine, reason) => downs.push(`${engine}: ${reason}`),
    );
    const f = fakeEngines();
    const all = [1, 2, 3, 4].map((id) => pools.run(f.task(id)));
    await tick();
    expect(f.ran.map((r) => `${r.id}@${r.engine}`)).toEqual(["1@a", "2@b"]);
    await f.settle(2, "gone"); // b goes away under replay 2
    expect(downs).toEqual(["b: connect ECONNREFUSED"]);
    expect(pools.down).toEqual([{ engine: "b", reason: "connect ECONNREFUSED" }]);
    expect(pools.limit).toBe(1);
    // Replay 2 is redone first (it had waited its turn), on a, after replay 1 frees it.
    await f.settle(1);
    expect(f.ran.at(-1)).toEqual({ id: 2, engine: "a" });
    for (const id of [2, 3, 4]) await f.settle(id);
    expect(await Promise.all(all)).toEqual(["1@a", "2@a", "3@a", "4@a"]);
    expect(f.ran.filter((r) => r.engine === "b").map((r) => r.id)).toEqual([2]);
  });

  it("when every engine is down, what runs and what waits is rejected with AllEnginesDownError", async () => {
    const pools = new EnginePools([
      { engine: "a", limit: 1 },
      { engine: "b", limit: 1 },
    ]);
    const f = fakeEngines();
    const all = [1, 2, 3].map((id) => pools.run(f.task(id)).catch((e: unknown) => e));
    await tick();
    await f.settle(1, "gone");
    await f.settle(2, "gone");
    const outcomes = await Promise.all(all);
    for (const o of outcomes) expect(o).toBeInstanceOf(AllEnginesDownError);
    expect(String((outcomes[0] as Error).message)).toBe(
      "every engine is down: a (connect ECONNREFUSED); b (connect ECONNREFUSED)",
    );
    await expect(pools.run(async () => 1)).rejects.toBeInstanceOf(AllEnginesDownError);
  });

  it("refuses a pool of nothing", () => {
    expect(() => new EnginePools([])).toThrow("for no engine");
    expect(() => new EnginePools([{ engine: "a", limit: 0 }])).toThrow("a replay pool of 0 on a");
  });
});
