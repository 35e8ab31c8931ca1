import { describe, expect, it } from "vitest";
import { LIMIT_BOUNDS } from "../../../harness/plan/limit-bounds.js";
import { LimitsError, mergeLimits } from "../../../harness/plan/limits.js";

describe("mergeLimits", () => {
  it("a limit out of range (e.g. from a scenario file) is one readable line, not zod's JSON", () => {
    let caught: unknown;
    try {
      mergeLimits({ memoryMb: 1 }, { pids: 2 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(LimitsError);
    const message = (caught as Error).message;
    expect(message).toContain("memoryMb: at least 16 MiB");
    expect(message).toContain("pids: at least 16 processes");
    expect(message).not.toContain("\n");
    expect(message).not.toMatch(/"code"/);
  });

  it("accepts the bounds themselves", () => {
    const low = mergeLimits({
      timeoutSeconds: LIMIT_BOUNDS.timeoutSeconds.min,
      memoryMb: LIMIT_BOUNDS.memoryMb.min,
      cpus: LIMIT_BOUNDS.cpus.min,
      pids: LIMIT_BOUNDS.pids.min,
    });
    expect(low.memoryMb).toBe(16);
    expect(() => mergeLimits({ timeoutSeconds: LIMIT_BOUNDS.timeoutSeconds.max + 1 })).toThrow(
      /timeoutSeconds: at most 604800 seconds/,
    );
  });
});
