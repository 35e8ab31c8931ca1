import { type OnSelectionEvent, selectionEventText, selectionEventsAsStages } from "../selection/progress.js";

// The progress of a long selection on stderr, never stdout (so `--json` stays a clean
// document): on a terminal one line rewritten in place; into a log (`--progress` with
// stderr redirected) a few timestamped lines, as the audit's progress prints them.

export interface SelectionDisplay {
  onEvent: OnSelectionEvent;
  /** Clears the in-place line before the result is printed. */
  stop(): void;
}

export function selectionDisplay(stream: NodeJS.WriteStream = process.stderr): SelectionDisplay {
  if (stream.isTTY) {
    let last = Number.NEGATIVE_INFINITY;
    let shown = false;
    return {
      onEvent: (e) => {
        const t = Date.now();
        // Redrawn at most ten times a second: 10,000 runs would otherwise mean 10,000 writes.
        if (!(e.kind === "collected" && e.done === e.total) && t - last < 100) return;
        last = t;
        shown = true;
        stream.write(`\r${selectionEventText(e)}\x1b[K`);
      },
      stop: () => {
        if (shown) stream.write("\r\x1b[K");
        shown = false;
      },
    };
  }
  const line = (m: string) => stream.write(`[${new Date().toISOString().slice(11, 19)}] ${m}\n`);
  return { onEvent: selectionEventsAsStages(line), stop: () => undefined };
}
