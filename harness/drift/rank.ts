/**
 * Where the original ranks among its replays, and the exact rank p-values that
 * need no assumption beyond exchangeability: if the original is one more draw
 * like the replays, its rank among the K + 1 values is uniform, so the chance
 * that it beats all K replays is exactly 1/(K + 1), whatever the distribution.
 */
import type { BetterDirection, MetricRank, TolerancePolicy } from "./schema.js";

// Name words that say which way is better. Matched on whole words of the
// metric's name (split on anything not a letter or digit), so "val_loss" is a
// loss but "glossary" is not.
const LOWER_WORDS = new Set([
  "loss",
  "error",
  "err",
  "rmse",
  "mae",
  "mse",
  "mape",
  "smape",
  "rmsle",
  "msle",
  "nll",
  "logloss",
  "perplexity",
  "ppl",
  "cer",
  "wer",
  "fpr",
  "fnr",
  "regret",
  "cost",
]);
const HIGHER_WORDS = new Set([
  "accuracy",
  "acc",
  "r2",
  "f1",
  "auc",
  "roc",
  "precision",
  "recall",
  "ap",
  "map",
  "iou",
  "dice",
  "bleu",
  "rouge",
  "tpr",
  "tnr",
  "specificity",
  "sensitivity",
  "reward",
  "return",
  "score",
]);

/**
 * The metric's better direction: the policy's declaration first, else the words
 * of its name, else null (unknown: then only the two-sided p-value is given).
 */
export function betterDirection(policy: Pick<TolerancePolicy, "better">, metric: string): BetterDirection | null {
  const declared =
    policy.better !== undefined && Object.hasOwn(policy.better, metric) ? policy.better[metric] : undefined;
  if (declared !== undefined) return declared;
  const words = metric
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== "");
  const lower = words.some((w) => LOWER_WORDS.has(w));
  const higher = words.some((w) => HIGHER_WORDS.has(w));
  if (lower === higher) return null; // none, or contradictory ("error_rate_auc"): do not guess
  return lower ? "lower" : "higher";
}

/**
 * The original's rank among the finite replay values. Null when the original is
 * not finite or no replay value is. Ties count half in the percentile and as
 * "at least as extreme" in the p-values (conservative).
 */
export function rankAmong(
  original: number,
  replays: readonly number[],
  direction: BetterDirection | null,
): MetricRank | null {
  if (!Number.isFinite(original)) return null;
  const finite = replays.filter((v) => Number.isFinite(v));
  const k = finite.length;
  if (k === 0) return null;
  const below = finite.filter((v) => v < original).length;
  const ties = finite.filter((v) => v === original).length;
  const above = k - below - ties;
  const pLow = (1 + below + ties) / (k + 1); // original unusually low
  const pHigh = (1 + above + ties) / (k + 1); // original unusually high
  const pTwoSided = Math.min(1, 2 * Math.min(pLow, pHigh));
  const percentile = (100 * (below + ties / 2)) / k;
  if (direction === null)
    return {
      replays: k,
      below,
      ties,
      above,
      percentile,
      direction: null,
      pTwoSided,
      pBetter: null,
      betterThanAll: false,
    };
  const pBetter = direction === "lower" ? pLow : pHigh;
  const beats = direction === "lower" ? above : below;
  return { replays: k, below, ties, above, percentile, direction, pTwoSided, pBetter, betterThanAll: beats === k };
}

/** The smallest p-value the exact rank test can give with k replays, one-sided: 1/(k+1). */
export function smallestRankP(k: number): number {
  return 1 / (k + 1);
}
