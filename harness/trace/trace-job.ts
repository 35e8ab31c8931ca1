import { BadInputError } from "../errors.js";
import type { OnSelectionEvent } from "../selection/progress.js";
import { type Selection, describeSelection } from "../selection/selection.js";
import { type TraceDocument, buildTraceDocument } from "./document.js";
import type { TraceReader } from "./ports.js";

// The trace command's whole job, as auditJob and replayJob are theirs: selected
// runs -> what each recorded -> the versioned document. Rendering is the caller's.

export interface TraceJobOptions {
  selection: Selection;
  /** Where the runs live, as the document names it (credentials are stripped there). */
  trackingUri: string;
  /** The tracker, behind the trace's port (mlflowTraceReader for an MLflow server). */
  reader: TraceReader;
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** Progress of the selection (runs read, runs collected), for a display. */
  onEvent?: OnSelectionEvent;
  generatedAt?: Date;
}

/** Throws a BadInputError when the selection matches no run: an empty trace answers nothing. */
export async function traceJob(opts: TraceJobOptions): Promise<TraceDocument> {
  const subjects = await opts.reader.subjects(opts.selection, {
    concurrency: opts.concurrency ?? 8,
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
  });
  if (subjects.length === 0)
    throw new BadInputError(`${describeSelection(opts.selection)} matched no runs on ${opts.trackingUri}`);
  return buildTraceDocument(subjects, {
    trackingUri: opts.trackingUri,
    selection: opts.selection,
    generatedAt: opts.generatedAt ?? new Date(),
  });
}
