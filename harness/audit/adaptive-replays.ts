import { firstLook } from "../drift/replay-counts.js";
import { type StoppingDecision, nextStep } from "../drift/stopping.js";
import type { TolerancePolicy } from "../drift/schema.js";
import type { ReplayPlan } from "../plan/plan.js";
import type { RecordedRun } from "../plan/recorded-run.js";
import type { ReportReplayCount } from "../report/schema.js";
import { recordsByIndex, scoringInputs } from "./assemble-run.js";
import type { JournalReplay } from "./journal.js";

// `--replays auto`: how many replays a run gets, decided by drift/stopping.ts's rule
// over what the journal holds. Pure; audit-job.ts runs the replays it asks for.
// The rule looks only at the replays' final metrics (histories and artifacts are
// read once, after the last replay): a metric's interval is what decides whether
// more replays can change the verdict.

/** How many replays per run: exactly N, or as many as the stopping rule needs, up to a budget. */
export type ReplayCount = { mode: "fixed"; replays: number } | { mode: "auto"; maxReplays: number };

/** Replays the journal reaches: one past its highest index (a resume may have run past a look). */
export function journaledUpTo(records: readonly JournalReplay[]): number {
  return records.reduce((n, r) => Math.max(n, r.index + 1), 0);
}

export interface ReplayCountInput {
  run: RecordedRun;
  plan?: ReplayPlan;
  records: readonly JournalReplay[];
  /** replays the run has in all so far (missing records count as skipped) */
  replays: number;
  policy: TolerancePolicy;
  maxReplays: number;
}

/** The rule's next step for the run as journaled: more replays (its target), or stop. */
export function decideReplayCount(input: ReplayCountInput): StoppingDecision {
  const { original, replays } = scoringInputs(input.run, input.plan, recordsByIndex(input.records, input.replays));
  return nextStep({
    runId: input.run.runId,
    original,
    replays,
    policy: input.policy,
    minReplays: firstLook(input.maxReplays),
    maxReplays: input.maxReplays,
    ...(input.run.status !== undefined ? { originalStatus: input.run.status } : {}),
  });
}

/** What the report says about a count the rule chose: the JSON record and the finding a person reads. */
export interface AdaptiveOutcome {
  record: ReportReplayCount;
  alpha: number;
  finding: string;
}

export function adaptiveOutcome(decision: StoppingDecision, replays: number, maxReplays: number): AdaptiveOutcome {
  const stoppedBy = decision.stoppedBy ?? (replays >= maxReplays ? "budget" : "settled");
  const head =
    stoppedBy === "settled"
      ? `auto: stopped after ${replays} replays: every metric settled`
      : `auto: reached --max-replays ${maxReplays}`;
  return {
    record: { mode: "auto", replays, maxReplays, stoppedBy, why: decision.why, alpha: decision.alpha },
    alpha: decision.alpha,
    finding: `${head} (${decision.why})`,
  };
}
