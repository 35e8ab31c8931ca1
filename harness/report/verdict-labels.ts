// Words and symbols for verdicts, shared by every rendering so they never disagree.
import type { AuditScore, RunVerdict, Verdict } from "../drift/schema.js";

export const METRIC_VERDICT_LABEL: Record<Verdict, string> = {
  identical: "identical",
  equivalent: "equivalent",
  varies: "varies",
  not_reproduced: "not reproduced",
  failed: "failed",
};

export const METRIC_VERDICT_ICON: Record<Verdict, string> = {
  identical: "✅",
  equivalent: "✅",
  varies: "⚠️",
  not_reproduced: "❌",
  failed: "⛔",
};

export type OverallVerdict = RunVerdict | "empty";

export const RUN_VERDICT_LABEL: Record<OverallVerdict, string> = {
  reproduced: "reproduced",
  not_reproduced: "not reproduced",
  failed: "failed",
  empty: "no runs",
};

export const RUN_VERDICT_ICON: Record<OverallVerdict, string> = {
  reproduced: "✅",
  not_reproduced: "❌",
  failed: "⛔",
  empty: "➖",
};

/**
 * The audit's verdict in one word. A run that was not reproduced is a finding and
 * outranks a run that could not be replayed, which is only an absence of evidence.
 */
export function overallVerdict(score: AuditScore): OverallVerdict {
  if (score.runs.total === 0) return "empty";
  if (score.runs.not_reproduced > 0) return "not_reproduced";
  if (score.runs.failed > 0) return "failed";
  return "reproduced";
}
