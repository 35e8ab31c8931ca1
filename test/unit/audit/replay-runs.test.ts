import { describe, expect, it } from "vitest";
import { ReplayRunBook } from "../../../harness/audit/replay-runs.js";
import { Tags } from "../../../harness/tracking/tags.js";
import { InMemoryReplayRecorder } from "../../support/in-memory-tracking.js";

// The replay runs' bookkeeping through an in-memory ReplayRecorder: one live run per
// (audit, original, index), leftovers of an interrupted attempt taken over or
// retired. test/integration/replay/ covers the MLflow-backed recorder.

const ORIGINAL = "0123456789abcdef";
const of = (index: number, auditId = "aud-1") => ({
  [Tags.auditId]: auditId,
  [Tags.replayOf]: ORIGINAL,
  [Tags.replayIndex]: String(index),
});

function book(recorder: InMemoryReplayRecorder): ReplayRunBook {
  return new ReplayRunBook(recorder, { auditId: "aud-1", originalRunId: ORIGINAL });
}

describe("ReplayRunBook", () => {
  it("creates a replay run tagged with its audit, original, index (0-based) and number (1-based, as named), command, executor and image ID", async () => {
    const recorder = new InMemoryReplayRecorder();
    const b = book(recorder);
    await b.load();
    const id = await b.runFor(2, { command: "python train.py", executor: "docker", imageId: "sha256:abc" }, 1000);
    expect(recorder.runs.get(id)).toMatchObject({
      // index 2 is the third replay: people read "replay 3"; the index tag stays the key old runs are found by.
      runName: "replay-3-of-01234567",
      status: "RUNNING",
      tags: {
        "repro.replay_of": ORIGINAL,
        "repro.audit_id": "aud-1",
        "repro.replay_index": "2",
        "repro.replay_number": "3",
        "repro.command": "python train.py",
        "repro.executor": "docker",
        "repro.image.id": "sha256:abc",
      },
    });
    await b.finish(id, "FINISHED", 2000);
    expect(recorder.runs.get(id)).toMatchObject({ status: "FINISHED", endTime: 2000 });
  });

  it("takes over an empty leftover run of the same index and retires one that already holds data", async () => {
    const recorder = new InMemoryReplayRecorder();
    recorder.add({ runId: "empty", tags: of(0), status: "RUNNING", logged: false });
    recorder.add({ runId: "half", tags: of(1), status: "RUNNING", logged: true });
    recorder.add({ runId: "other-audit", tags: of(1, "aud-2"), status: "RUNNING", logged: true });
    const b = book(recorder);
    await b.load();

    expect(await b.runFor(0, { command: "c", executor: "local" }, 1)).toBe("empty");
    const fresh = await b.runFor(1, { command: "c", executor: "local" }, 1);
    expect(fresh).not.toBe("half");
    expect(recorder.runs.get("half")).toMatchObject({ status: "KILLED", deleted: true });
    expect(recorder.runs.get("other-audit")).toMatchObject({ status: "RUNNING", deleted: false });
    expect(
      recorder
        .live()
        .map((r) => r.runId)
        .sort(),
    ).toEqual(["empty", fresh, "other-audit"].sort());
  });

  it("gives journaled replays left RUNNING their end state, and retires a stray run of the same index", async () => {
    const recorder = new InMemoryReplayRecorder();
    recorder.add({ runId: "journaled", tags: of(0), status: "RUNNING", logged: true });
    recorder.add({ runId: "stray", tags: of(0), status: "RUNNING", logged: false });
    recorder.add({ runId: "failed", tags: of(1), status: "RUNNING", logged: true });
    const b = book(recorder);
    await b.load();
    await b.settle(
      new Map([
        [0, { status: "finished", replayRunId: "journaled" }],
        [1, { status: "failed", replayRunId: "failed" }],
      ]),
    );

    expect(recorder.runs.get("journaled")).toMatchObject({ status: "FINISHED", deleted: false });
    expect(recorder.runs.get("failed")).toMatchObject({ status: "FAILED", deleted: false });
    expect(recorder.runs.get("stray")).toMatchObject({ status: "KILLED", deleted: true });
  });
});
