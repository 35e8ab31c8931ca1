import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Journal } from "../../../harness/audit/journal.js";
import { replayRecord } from "./audit-factories.js";

// A diverged training run logs NaN or Infinity; the journal must keep those values
// (JSON.stringify would turn them into null, and a plain number schema rejects them).

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("journal: non-finite metric values", () => {
  it("a replay that logged NaN, ±Infinity and -0 is journaled and read back with the same values", () => {
    dir = mkdtempSync(join(tmpdir(), "journal-nonfinite-"));
    const path = join(dir, "journal.jsonl");
    const metrics = {
      loss: Number.NaN,
      grad: Number.POSITIVE_INFINITY,
      low: Number.NEGATIVE_INFINITY,
      zero: -0,
      rmse: 0.5,
    };
    Journal.open(path).append(replayRecord(0, { metrics }));

    const line = readFileSync(path, "utf8");
    expect(line).toContain('"loss":"NaN"');
    expect(line).toContain('"grad":"Infinity"');
    expect(line).toContain('"low":"-Infinity"');
    expect(line).not.toContain("null");

    const back = Journal.open(path).snapshot.replays.get(0);
    expect(Number.isNaN(back?.metrics.loss)).toBe(true);
    expect(back?.metrics.grad).toBe(Number.POSITIVE_INFINITY);
    expect(back?.metrics.low).toBe(Number.NEGATIVE_INFINITY);
    expect(Object.is(back?.metrics.zero, -0)).toBe(true);
    expect(back?.metrics.rmse).toBe(0.5);
  });

  it("the in-memory snapshot after append holds the decoded numbers too", () => {
    dir = mkdtempSync(join(tmpdir(), "journal-nonfinite-"));
    const j = Journal.open(join(dir, "journal.jsonl"));
    j.append(replayRecord(1, { metrics: { loss: Number.NaN } }));
    expect(Number.isNaN(j.snapshot.replays.get(1)?.metrics.loss)).toBe(true);
  });
});
