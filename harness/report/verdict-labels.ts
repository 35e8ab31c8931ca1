// Words and symbols for verdicts, shared by every rendering so they never disagree.
import type { AuditScore, RunVerdict, Verdict } from "../drift/schema.js";

export const METRIC_VERDICT_LABEL: Record<Verdict, string> = {
  identical: "identical",
  equivalent: "equivalent",
  varies: "varies (within run-to-run variance)",
  inconclusive: "inconclusive",
  not_reproduced: "not reproduced",
  failed: "failed",
};

// Green only for what replays showed to be the same; amber for "within variance",
// a question mark for "cannot tell": never the green tick for either.
export const METRIC_VERDICT_ICON: Record<Verdict, string> = {
  identical: "✅",
  equivalent: "✅",
  varies: "🟠",
  inconclusive: "❔",
  not_reproduced: "❌",
  failed: "⛔",
};

export type OverallVerdict = RunVerdict | "empty";

export const RUN_VERDICT_LABEL: Record<OverallVerdict, string> = {
  reproduced: "reproduced",
  consistent_with_variance: "consistent with run-to-run variance",
  inconclusive: "inconclusive",
  not_reproduced: "not reproduced",
  failed: "failed",
  incomplete: "incomplete",
  empty: "no runs",
};

export const RUN_VERDICT_ICON: Record<OverallVerdict, string> = {
  reproduced: "✅",
  consistent_with_variance: "🟠",
  inconclusive: "❔",
  not_reproduced: "❌",
  failed: "⛔",
  incomplete: "⏸",
  empty: "➖",
};

/** The terminal summary's words: what needs a look is in capitals. */
export const RUN_VERDICT_TERMINAL: Record<RunVerdict, string> = {
  reproduced: "reproduced",
  consistent_with_variance: "consistent with variance",
  inconclusive: "INCONCLUSIVE",
  not_reproduced: "NOT REPRODUCED",
  failed: "FAILED",
  incomplete: "INCOMPLETE",
};

/** The command that finishes an incomplete audit. */
export function resumeCommand(auditId: string): string {
  return `repro-audit audit --resume ${auditId}`;
}

/** What a resume also needs: the code options are not remembered by the audit. */
export const RESUME_NOTE = "and the same --scenario/--code";

/** The command and its note in one line of text. */
export function resumeHint(auditId: string): string {
  return `${resumeCommand(auditId)} (${RESUME_NOTE})`;
}

/**
 * The audit's verdict in one word. An incomplete audit says so first: it is not
 * finished (exit code 2) whatever its finished runs found. Then a run that was not
 * reproduced is a finding and outranks a run that could not be replayed, which is
 * only an absence of evidence. Then inconclusive (the gate fails: cannot tell),
 * then within variance (passes, amber), and only then reproduced.
 */
export function overallVerdict(score: AuditScore): OverallVerdict {
  if (score.runs.total === 0) return "empty";
  if (score.runs.incomplete > 0) return "incomplete";
  if (score.runs.not_reproduced > 0) return "not_reproduced";
  if (score.runs.failed > 0) return "failed";
  if (score.runs.inconclusive > 0) return "inconclusive";
  if (score.runs.consistent_with_variance > 0) return "consistent_with_variance";
  return "reproduced";
}
