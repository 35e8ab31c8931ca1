import { z } from "zod";
import { HAZARD_KINDS, TRACKING_FEATURES } from "./kinds.js";
import { SCAN_SCHEMA, SCAN_VERSION } from "./document-text.js";

// The scan's JSON document (`repro-audit scan --json`), versioned: schema
// "repro-audit/scan", version 1. A new field is additive; a changed meaning bumps
// the version. The terminal table and the Markdown are renderings of it.

const Location = z.object({
  /** relative to the project folder, `/`-separated */
  file: z.string(),
  /** 1-based; for a notebook, the line within the cell */
  line: z.number().int(),
  /** a notebook's cell (1-based index in the notebook's cell list) */
  cell: z.number().int().optional(),
});

const FeatureUseSchema = Location.extend({ feature: z.enum(TRACKING_FEATURES), callee: z.string() });
const HazardSchema = Location.extend({ kind: z.enum(HAZARD_KINDS), why: z.string() });
export type ScanHazard = z.infer<typeof HazardSchema>;

const ProjectSchema = z.object({
  /** the folder as given (or DIR/sub with --projects) */
  path: z.string(),
  /** how files were listed: git's list (tracked and untracked, not ignored), or a walk */
  listing: z.enum(["git", "walk"]),
  files: z.object({ python: z.number().int(), notebooks: z.number().int(), environment: z.number().int() }),
  skipped: z.array(z.object({ file: z.string(), reason: z.string() })),
  features: z.array(FeatureUseSchema),
  hazards: z.array(HazardSchema),
});
export type ScanProject = z.infer<typeof ProjectSchema>;

const ShareSchema = z.object({ projects: z.number().int(), share: z.number() });

export const ScanDocumentSchema = z.object({
  schema: z.literal(SCAN_SCHEMA),
  version: z.literal(SCAN_VERSION),
  /** the rules the findings follow, in words */
  rules: z.object({ listing: z.string(), seeding: z.string() }),
  projects: z.array(ProjectSchema),
  aggregate: z.object({
    projects: z.number().int(),
    withTracking: ShareSchema,
    withHazards: ShareSchema,
    features: z.array(ShareSchema.extend({ feature: z.enum(TRACKING_FEATURES) })),
    hazards: z.array(ShareSchema.extend({ kind: z.enum(HAZARD_KINDS) })),
  }),
});
export type ScanDocument = z.infer<typeof ScanDocumentSchema>;
