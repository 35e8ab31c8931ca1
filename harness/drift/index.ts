/** Drift scoring: pure statistics and verdicts over an original run and its replays. */
export * from "./schema.js";
export { DEFAULT_POLICY, DEFAULT_TOLERANCE, ToleranceSpecError, describePolicy, parseTolerancePolicy, parseToleranceSpec, toleranceFor } from "./tolerance.js";
export type { ToleranceSpec } from "./tolerance.js";
export { SCORE_FORMULA, VERDICT_WEIGHTS, isAccepted, scoreAudit, scoreRun } from "./score.js";
export type { ScoreRunInput } from "./score.js";
export { VERDICT_ORDER, VERDICT_RULES_TEXT, insideSpread, judgeMetric, verdictRank } from "./verdict.js";
export type { ReplayValue } from "./verdict.js";
export { PREDICTION_LEVEL, PREDICTION_METHOD, computeStats, predictionInterval } from "./stats.js";
export { compareHistories } from "./history.js";
export { compareArtifacts } from "./artifacts.js";
export { nextUp, sameBits, ulpDistance } from "./ulps.js";
export { withinTolerance, relativeDeviation } from "./within.js";
export { studentTCdf, studentTQuantile } from "./student-t.js";
