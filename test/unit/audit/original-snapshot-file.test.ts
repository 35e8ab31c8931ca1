import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  ORIGINAL_SNAPSHOT_FILE,
  readOriginalSnapshot,
  writeOriginalSnapshot,
} from "../../../harness/audit/original-snapshot-file.js";
import type { OriginalSnapshot } from "../../../harness/audit/original-snapshot.js";

const snapshot: OriginalSnapshot = {
  takenAt: "2025-03-01T10:00:00.000Z",
  run: {
    runId: "run-a",
    experimentId: "7",
    params: { alpha: "0.5" },
    tags: {},
    metrics: { rmse: Number.NaN, r2: 0.42 },
  },
  histories: { rmse: [{ step: 0, value: Number.NaN }] },
  artifacts: { "model/model.pkl": { size: 3, sha256: "a".repeat(64) } },
  notes: [],
};

describe("original.json", () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), "repro-audit-snap-"));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("reads back what was written, NaN included; undefined when there is none", async () => {
    const d = dir();
    expect(readOriginalSnapshot(d)).toBeUndefined();
    await writeOriginalSnapshot(join(d, "runs", "run-a"), snapshot);
    expect(readOriginalSnapshot(join(d, "runs", "run-a"))).toEqual(snapshot);
  });

  it("refuses a damaged file with one message that names it", () => {
    const d = dir();
    writeFileSync(join(d, ORIGINAL_SNAPSHOT_FILE), "{not json");
    expect(() => readOriginalSnapshot(d)).toThrow(new RegExp(`${ORIGINAL_SNAPSHOT_FILE} is not valid JSON`));
    writeFileSync(join(d, ORIGINAL_SNAPSHOT_FILE), JSON.stringify({ ...snapshot, run: { runId: 1 } }));
    expect(() => readOriginalSnapshot(d)).toThrow(/is not a snapshot of an original run: .*run\.runId/s);
  });
});
