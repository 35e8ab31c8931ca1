import { z } from "zod";
import { FORMULA_TEXT } from "./formula-text.js";
import { TRACE_ITEM_IDS, TraceItemIdSchema, type TraceItem, type TraceItemId, type TraceStatus } from "./item.js";

// Completeness scoring. Pure. The weights and values here are the formula: they are
// copied into every JSON document, so a reader never has to guess how a score came to be.

/** Essentials (without them a re-execution cannot even start) weigh 2, the rest 1. */
export const TRACE_WEIGHTS: Record<TraceItemId, number> = {
  params: 2,
  metrics: 2,
  source: 1,
  git_commit: 2,
  git_dirty: 1,
  repo_url: 1,
  entry_point: 2,
  env_run: 2,
  env_model: 1,
  datasets: 1,
  seed: 2,
  hardware: 1,
  image: 1,
};

export const STATUS_VALUES: Record<Exclude<TraceStatus, "not_applicable">, number> = {
  present: 1,
  partial: 0.5,
  missing: 0,
};

export const FormulaSchema = z.object({
  text: z.string(),
  weights: z.record(TraceItemIdSchema, z.number()),
  values: z.object({ present: z.number(), partial: z.number(), missing: z.number() }),
});
export type Formula = z.infer<typeof FormulaSchema>;

export function formula(): Formula {
  return { text: FORMULA_TEXT, weights: { ...TRACE_WEIGHTS }, values: { ...STATUS_VALUES } };
}

export const TraceScoreSchema = z.object({
  /** null only when every item was not_applicable. */
  value: z.number().min(0).max(1).nullable(),
  earned: z.number(),
  possible: z.number(),
});
export type TraceScore = z.infer<typeof TraceScoreSchema>;

export function scoreTrace(items: readonly TraceItem[]): TraceScore {
  let earned = 0;
  let possible = 0;
  for (const it of items) {
    if (it.status === "not_applicable") continue;
    const w = TRACE_WEIGHTS[it.id];
    earned += w * STATUS_VALUES[it.status];
    possible += w;
  }
  return { value: possible === 0 ? null : round(earned / possible), earned, possible };
}

export const ItemCoverageSchema = z.object({
  id: TraceItemIdSchema,
  present: z.number().int(),
  partial: z.number().int(),
  missing: z.number().int(),
  notApplicable: z.number().int(),
  /** Mean item value over runs where it applies; null when it applies to none. */
  value: z.number().min(0).max(1).nullable(),
});
export type ItemCoverage = z.infer<typeof ItemCoverageSchema>;

export const SelectionScoreSchema = z.object({
  value: z.number().min(0).max(1).nullable(),
  runs: z.number().int(),
  coverage: z.array(ItemCoverageSchema),
});
export type SelectionScore = z.infer<typeof SelectionScoreSchema>;

export function scoreSelection(runs: readonly { items: readonly TraceItem[]; score: TraceScore }[]): SelectionScore {
  const scored = runs.map((r) => r.score.value).filter((v): v is number => v !== null);
  const value = scored.length === 0 ? null : round(scored.reduce((a, b) => a + b, 0) / scored.length);
  const coverage = TRACE_ITEM_IDS.map((id): ItemCoverage => {
    const counts = { present: 0, partial: 0, missing: 0, notApplicable: 0 };
    for (const r of runs) {
      const it = r.items.find((i) => i.id === id);
      if (!it) continue;
      if (it.status === "not_applicable") counts.notApplicable += 1;
      else counts[it.status] += 1;
    }
    const applicable = counts.present + counts.partial + counts.missing;
    const v =
      applicable === 0
        ? null
        : round((counts.present * STATUS_VALUES.present + counts.partial * STATUS_VALUES.partial) / applicable);
    return { id, ...counts, value: v };
  });
  return { value, runs: runs.length, coverage };
}

/** Four decimals: enough to compare, stable across platforms in JSON. */
function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
