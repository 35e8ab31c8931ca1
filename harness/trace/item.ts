import { z } from "zod";

// The checklist's vocabulary: stable item ids (they appear in the JSON document and
// in CI scripts that grep it, so never rename one), their labels and their weights.

export const TRACE_ITEM_IDS = [
  "params",
  "metrics",
  "source",
  "git_commit",
  "git_dirty",
  "repo_url",
  "entry_point",
  "env_run",
  "env_model",
  "datasets",
  "seed",
  "hardware",
  "image",
] as const;

export const TraceItemIdSchema = z.enum(TRACE_ITEM_IDS);
export type TraceItemId = z.infer<typeof TraceItemIdSchema>;

export const TraceStatusSchema = z.enum(["present", "missing", "partial", "not_applicable"]);
export type TraceStatus = z.infer<typeof TraceStatusSchema>;

export const TraceItemSchema = z.object({
  id: TraceItemIdSchema,
  label: z.string(),
  status: TraceStatusSchema,
  /** What was found, or what was looked for when nothing was. */
  detail: z.string(),
});
export type TraceItem = z.infer<typeof TraceItemSchema>;

export const TRACE_ITEM_LABELS: Record<TraceItemId, string> = {
  params: "Params",
  metrics: "Metrics",
  source: "Source name and type",
  git_commit: "Git commit",
  git_dirty: "Git dirty state / diff",
  repo_url: "Repository URL",
  entry_point: "Entry point / command",
  env_run: "Environment (run)",
  env_model: "Environment (logged models)",
  datasets: "Dataset inputs with digests",
  seed: "Seed",
  hardware: "Hardware",
  image: "Container image",
};

/** Short column headers for the terminal table. */
export const TRACE_ITEM_SHORT: Record<TraceItemId, string> = {
  params: "par",
  metrics: "met",
  source: "src",
  git_commit: "git",
  git_dirty: "dirty",
  repo_url: "repo",
  entry_point: "cmd",
  env_run: "env",
  env_model: "menv",
  datasets: "data",
  seed: "seed",
  hardware: "hw",
  image: "img",
};
