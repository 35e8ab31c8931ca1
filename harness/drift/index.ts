/** Drift scoring: pure statistics and verdicts over an original run and its replays. */
export * from "./schema.js";
export { DEFAULT_POLICY, DEFAULT_TOLERANCE, ToleranceSpecError, describePolicy, parseTolerancePolicy, parseToleranceSpec, toleranceFor } from "./tolerance.js";
export type { ToleranceSpec } from "./tolerance.js";
export { SCORE_FORMULA, VERDICT_WEIGHTS, isAccepted, passesGate, scoreAudit, scoreRun } from "./score.js";
export type { ScoreRunInput } from "./score.js";
export { VERDICT_ORDER, VERDICT_RULES_TEXT, insideSpread, judgeMetric, settleMetric, verdictRank } from "./verdict.js";
export type { JudgeOptions, ReplayValue } from "./verdict.js";
export { DEFAULT_ALPHA, holmAdjust, predictionTest, settleBound } from "./evidence.js";
export { betterDirection, rankAmong, smallestRankP } from "./rank.js";
export { DEFAULT_MAX_REPLAYS, DEFAULT_MIN_REPLAYS, alphaSpending, lookSchedule, nextStep } from "./stopping.js";
export type { StoppingDecision, StoppingInput } from "./stopping.js";
export { PREDICTION_LEVEL, PREDICTION_METHOD, computeStats, predictionInterval } from "./stats.js";
export { compareHistories } from "./history.js";
export { compareArtifacts } from "./artifacts.js";
export { nextUp, sameBits, ulpDistance } from "./ulps.js";
export { withinTolerance, relativeDeviation } from "./within.js";
export { studentTCdf, studentTQuantile } from "./student-t.js";
