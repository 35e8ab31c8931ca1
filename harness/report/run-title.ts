import type { ReportRun } from "./schema.js";

/** How a run is named in headings and test names: its name, or its id when unnamed. */
export function runTitle(run: Pick<ReportRun, "runName" | "runId">): string {
  return run.runName.trim() === "" ? run.runId : run.runName;
}
