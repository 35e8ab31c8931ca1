import type { OnSelectionEvent } from "../selection/progress.js";
import type { Selection } from "../selection/selection.js";
import type { TraceSubject } from "./subject.js";

// What the trace needs from the outside, as one small interface it owns: the selected
// runs' records, already converted from the tracker's wire shapes. mlflow-reader.ts
// backs it with an MLflow tracking server; unit tests back it with in-memory subjects.

export interface TraceReader {
  /** The subjects of the runs the selection names, in the tracker's order, without repeats. */
  subjects(selection: Selection, opts: { concurrency: number; onEvent?: OnSelectionEvent }): Promise<TraceSubject[]>;
}
