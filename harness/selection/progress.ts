// What a long selection reports while it runs, and the same in words: the runs read page
// by page, then each run's record gathered (artifacts, models). A sweep of 10,000 runs
// takes a while on a one-worker server; the user sees it move instead of a silent wait.

export type SelectionEvent = { kind: "searched"; runs: number } | { kind: "collected"; done: number; total: number };
export type OnSelectionEvent = (event: SelectionEvent) => void;

export function selectionEventText(e: SelectionEvent): string {
  return e.kind === "searched"
    ? `selecting: ${e.runs} run${e.runs === 1 ? "" : "s"} read`
    : `reading what each run recorded: ${e.done}/${e.total}`;
}

/**
 * Events as stage lines for a log: nothing for a selection done within `intervalMs`,
 * then at most one line per `intervalMs`, and the end of the collection once a line was
 * shown, so a log of 10,000 runs holds a dozen lines, not 10,000, and a small audit's
 * log none more than before.
 */
export function selectionEventsAsStages(
  stage: (message: string) => void,
  opts: { intervalMs?: number; now?: () => number } = {},
): OnSelectionEvent {
  const interval = opts.intervalMs ?? 2000;
  const now = opts.now ?? Date.now;
  let last = now();
  let shown = false;
  return (e) => {
    const t = now();
    const end = e.kind === "collected" && e.done === e.total;
    if (!(end && shown) && t - last < interval) return;
    last = t;
    shown = true;
    stage(selectionEventText(e));
  };
}
