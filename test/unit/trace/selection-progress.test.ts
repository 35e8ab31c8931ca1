import { describe, expect, it } from "vitest";
import { type SelectionEvent, selectionEventsAsStages } from "../../../harness/selection/progress.js";

// The selection's progress as log lines: a few for a long selection, none for a quick one.

describe("selectionEventsAsStages", () => {
  const run = (events: Array<[number, SelectionEvent]>) => {
    const lines: string[] = [];
    let t = 0;
    const on = selectionEventsAsStages((m) => lines.push(m), { intervalMs: 2000, now: () => t });
    for (const [at, e] of events) {
      t = at;
      on(e);
    }
    return lines;
  };

  it("says nothing for a selection done within the interval", () => {
    expect(
      run([
        [100, { kind: "searched", runs: 3 }],
        [200, { kind: "collected", done: 3, total: 3 }],
      ]),
    ).toEqual([]);
  });

  it("a long selection: one line per interval, pages and collection, and its end", () => {
    const events: Array<[number, SelectionEvent]> = [];
    for (let p = 1; p <= 10; p++) events.push([p * 1000, { kind: "searched", runs: p * 1000 }]);
    for (let d = 1; d <= 10_000; d++) events.push([10_000 + d, { kind: "collected", done: d, total: 10_000 }]);
    expect(run(events)).toEqual([
      "selecting: 2000 runs read",
      "selecting: 4000 runs read",
      "selecting: 6000 runs read",
      "selecting: 8000 runs read",
      "selecting: 10000 runs read",
      "reading what each run recorded: 2000/10000",
      "reading what each run recorded: 4000/10000",
      "reading what each run recorded: 6000/10000",
      "reading what each run recorded: 8000/10000",
      "reading what each run recorded: 10000/10000",
    ]);
  });
});
