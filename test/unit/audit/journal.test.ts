import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  Journal,
  JournalError,
  type JournalReplay,
  parseJournal,
  pendingIndexes,
} from "../../../harness/audit/journal.js";

function replay(index: number, status: JournalReplay["status"] = "finished"): JournalReplay {
  return {
    type: "replay",
    index,
    status,
    exitCode: status === "finished" ? 0 : 1,
    oomKilled: false,
    timedOut: false,
    durationMs: 10,
    wallMs: 12,
    metrics: { rmse: 1.5 },
    missingMetrics: [],
    stdoutTail: "",
    stderrTail: "",
    executor: "docker",
    isolated: true,
    pinned: true,
    startedAt: "2025-01-01T00:00:00Z",
    finishedAt: "2025-01-01T00:00:01Z",
  };
}
const header = {
  type: "header" as const,
  auditId: "a1",
  runId: "r1",
  replays: 4,
  createdAt: "2025-01-01T00:00:00Z",
  plan: {},
  planDigest: "d",
};

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});
function tempJournal(): string {
  dir = mkdtempSync(join(tmpdir(), "journal-test-"));
  return join(dir, "a1", "journal.jsonl");
}

describe("journal", () => {
  it("appends one fsync'd line per record and reloads them", () => {
    const path = tempJournal();
    const j = Journal.open(path);
    j.append(header);
    j.append(replay(0));
    j.append(replay(2, "failed"));
    const lines = readFileSync(path, "utf8").split("\n");
    expect(lines).toHaveLength(4); // three records and the final newline
    const again = Journal.open(path).snapshot;
    expect(again.header?.runId).toBe("r1");
    expect([...again.replays.keys()]).toEqual([0, 2]);
    expect(pendingIndexes(again, 4)).toEqual([1, 3]);
  });

  it("a replay the engine or the server failed is pending again; the workload's own failures are not", () => {
    const path = tempJournal();
    const j = Journal.open(path);
    j.append(header);
    j.append({
      ...replay(0, "failed"),
      failure: { kind: "infrastructure", message: "importing it into the tracking server failed" },
    });
    j.append({ ...replay(1, "failed"), failure: { kind: "exit", message: "exit code 1" } });
    j.append(replay(2));
    expect(pendingIndexes(Journal.open(path).snapshot, 4)).toEqual([0, 3]);
  });

  it("a torn last line (crash mid-write) is dropped and cut off before the next append", () => {
    const path = tempJournal();
    const j = Journal.open(path);
    j.append(header);
    j.append(replay(0));
    appendFileSync(path, JSON.stringify(replay(1)).slice(0, 40)); // no newline: torn
    const state = parseJournal(readFileSync(path, "utf8"));
    expect(state.droppedTail).toBe(true);
    expect(pendingIndexes(state, 3)).toEqual([1, 2]);

    const reopened = Journal.open(path);
    reopened.append(replay(1));
    const text = readFileSync(path, "utf8");
    expect(
      text
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l).type),
    ).toEqual(["header", "replay", "replay"]);
    expect(pendingIndexes(Journal.open(path).snapshot, 3)).toEqual([2]);
  });

  it("a complete record without its newline counts as torn (the write did not finish)", () => {
    const text = `${JSON.stringify(header)}\n${JSON.stringify(replay(0))}`;
    const state = parseJournal(text);
    expect(state.droppedTail).toBe(true);
    expect(state.replays.size).toBe(0);
  });

  it("garbage before the last line is corruption, reported with its line number", () => {
    const path = tempJournal();
    Journal.open(path).append(header);
    appendFileSync(path, "{not json}\n");
    appendFileSync(path, `${JSON.stringify(replay(0))}\n`);
    expect(() => Journal.open(path)).toThrow(JournalError);
    expect(() => Journal.open(path)).toThrow(/line 2 is not a journal record/);
  });

  it("refuses records that do not fit the schema", () => {
    const j = Journal.open(tempJournal());
    expect(() => j.append({ ...replay(0), index: -1 })).toThrow();
  });

  it("the last record of an index wins; failed replays count as done", () => {
    const text = `${[header, replay(0, "failed"), replay(0)].map((r) => JSON.stringify(r)).join("\n")}\n`;
    const state = parseJournal(text);
    expect(state.replays.get(0)?.status).toBe("finished");
    expect(pendingIndexes(state, 2)).toEqual([1]);
  });

  it("an empty file is an empty journal", () => {
    const path = tempJournal();
    Journal.open(path);
    writeFileSync(path, "");
    expect(pendingIndexes(Journal.open(path).snapshot, 2)).toEqual([0, 1]);
  });
});
