import { describe, expect, it } from "vitest";
import { mapBounded } from "../../../harness/bounded-map.js";

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("mapBounded", () => {
  it("keeps order and never exceeds the limit", async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapBounded([...Array(40).keys()], 8, async (x) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await tick((x * 7) % 5);
      inFlight -= 1;
      return x * 2;
    });
    expect(out).toEqual([...Array(40).keys()].map((x) => x * 2));
    expect(peak).toBe(8);
  });

  it("rethrows the first failure after in-flight calls settle, and starts no new ones", async () => {
    const started: number[] = [];
    let settled = 0;
    await expect(
      mapBounded([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 2, async (x) => {
        started.push(x);
        await tick(2);
        settled += 1;
        if (x === 1) throw new Error("boom 1");
        return x;
      }),
    ).rejects.toThrow("boom 1");
    expect(started.length).toBeLessThan(10);
    expect(settled).toBe(started.length);
  });

  it("refuses a limit below 1", async () => {
    await expect(mapBounded([1], 0, async (x) => x)).rejects.toThrow(RangeError);
  });
});
