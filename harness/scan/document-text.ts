// The scan document's name and version, and its rules in words, without zod: `scan
// --help` states them, document.ts validates against them, scan-job.ts writes them.

export const SCAN_SCHEMA = "repro-audit/scan";
export const SCAN_VERSION = 1;

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
