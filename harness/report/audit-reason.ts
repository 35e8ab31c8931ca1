/**
 * The audit's verdict in one sentence, printed right under the verdict word in
 * every rendering, and the order that puts the runs needing a look first.
 */
import { RUN_VERDICTS, type RunVerdict } from "../drift/schema.js";
import { runTitle } from "./run-title.js";
import type { Report, ReportRun } from "./schema.js";
import { RUN_VERDICT_LABEL } from "./verdict-labels.js";

/** Worst first: what fails the gate, then what is unsettled, then what passes. */
const ATTENTION: Record<RunVerdict, number> = {
  not_reproduced: 0,
  failed: 1,
  inconclusive: 2,
  incomplete: 3,
  consistent_with_variance: 4,
  reproduced: 5,
};

/** The runs, worst first (then lowest score, then as audited). */
export function runsWorstFirst(runs: readonly ReportRun[]): ReportRun[] {
  return runs
    .map((run, i) => ({ run, i }))
    .sort(
      (a, b) =>
        ATTENTION[a.run.score.verdict] - ATTENTION[b.run.score.verdict] ||
        a.run.score.score - b.run.score.score ||
        a.i - b.i,
    )
    .map((x) => x.run);
}

export function auditReason(doc: Report): string {
  const runs = doc.runs;
  if (runs.length === 0) return "No runs were selected.";
  if (runs.length === 1) return (runs[0] as ReportRun).score.reason;
  const counts = RUN_VERDICTS.map((v) => [v, runs.filter((r) => r.score.verdict === v).length] as const)
    .filter(([, n]) => n > 0)
    .map(([v, n]) => `${n} ${RUN_VERDICT_LABEL[v]}`);
  const worst = runsWorstFirst(runs)[0] as ReportRun;
  const tail =
    ATTENTION[worst.score.verdict] < ATTENTION.consistent_with_variance
      ? `; first to look at: ${runTitle(worst)}, ${RUN_VERDICT_LABEL[worst.score.verdict]}`
      : "";
  return `Of ${runs.length} runs: ${counts.join(", ")}${tail}.`;
}
