import { z } from "zod";
import { HAZARD_KINDS, TRACKING_FEATURES } from "./kinds.js";

// The scan's JSON document (`repro-audit scan --json`), versioned: schema
// "repro-audit/scan", version 1. A new field is additive; a changed meaning bumps
// the version. The terminal table and the Markdown are renderings of it.

export const SCAN_SCHEMA = "repro-audit/scan";
export const SCAN_VERSION = 1;

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

export const LISTING_RULE =
  "in a git work tree, the files `git ls-files --cached --others --exclude-standard` lists (git-ignored files skipped); " +
  "elsewhere a walk of the folder. Either way vendored and generated folders are skipped " +
  "(.git, .venv, venv, any folder with a pyvenv.cfg, site-packages, node_modules, __pycache__, build, dist, .tox, .nox, " +
  ".ipynb_checkpoints, mlruns, ...), as are symlinks and files over 2 MiB.";

export const SEEDING_RULE =
  "a heuristic: a random draw counts as seeded when a seed call for its generator (numpy.random.seed, random.seed, " +
  "torch.manual_seed, tf.random.set_seed, or one that seeds several: keras.utils.set_random_seed, lightning's " +
  "seed_everything, transformers.set_seed) stands on an earlier line of the same file, notebook cells read in order; " +
  "sklearn estimators and splits count as seeded with a random_state argument or after a numpy.random.seed. " +
  "Seeds set in another module or through a helper function are not seen.";
