import { describe, expect, it } from "vitest";
import { selectionDisplay } from "../../../harness/cli/selection-progress.js";

// The selection's progress on a terminal: one line rewritten in place, cleared before
// the result is printed; into a log, timestamped lines only for a long selection.

const stream = (isTTY: boolean) => {
  const writes: string[] = [];
  return { writes, s: { isTTY, write: (chunk: string) => writes.push(chunk) > 0 } as unknown as NodeJS.WriteStream };
};

describe("selectionDisplay", () => {
  it("on a terminal: rewrites one line, draws the end, and clears it on stop", () => {
    const { writes, s } = stream(true);
    const d = selectionDisplay(s);
    d.onEvent({ kind: "searched", runs: 1000 });
    d.onEvent({ kind: "collected", done: 1, total: 2 }); // within 100 ms: not redrawn
    d.onEvent({ kind: "collected", done: 2, total: 2 });
    d.stop();
    expect(writes).toEqual([
      "\rselecting: 1000 runs read\x1b[K",
      "\rreading what each run recorded: 2/2\x1b[K",
      "\r\x1b[K",
    ]);
  });

  it("into a log: nothing for a selection done at once, and nothing to clear", () => {
    const { writes, s } = stream(false);
    const d = selectionDisplay(s);
    d.onEvent({ kind: "searched", runs: 3 });
    d.onEvent({ kind: "collected", done: 3, total: 3 });
    d.stop();
    expect(writes).toEqual([]);
  });
});
