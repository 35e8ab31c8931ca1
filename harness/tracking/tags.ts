// Every run tag name the harness reads or writes, in one place: MLflow's own tags
// (set by mlflow.start_run, MLflow Projects and autologging), the repro.* tags the
// harness writes, and the conventions of other tools the traceability checklist
// recognises. It lives in tracking/ because plan/, audit/ and trace/ all read it and
// tracking/ imports none of them.
//
// Separator rule for repro.* names: a dot opens a level of a hierarchy only where
// that level groups several tags (repro.image, repro.image.id, repro.image.digest;
// repro.git.dirty beside MLflow's mlflow.source.git.*; repro.host.*); the words of
// one name are joined by underscores (repro.replay_of, repro.audit_id). A name
// that an earlier version wrote differently keeps its old spelling in ALIASES, so
// runs recorded then still read right; the harness writes only the canonical name.

export const MLFLOW_NAMESPACE = "mlflow.";
export const REPRO_NAMESPACE = "repro.";

/** Canonical tag names. */
export const Tags = {
  // MLflow's own
  runName: "mlflow.runName",
  parentRunId: "mlflow.parentRunId",
  sourceName: "mlflow.source.name",
  sourceType: "mlflow.source.type",
  gitCommit: "mlflow.source.git.commit",
  gitBranch: "mlflow.source.git.branch",
  gitDirty: "mlflow.source.git.dirty",
  gitDiff: "mlflow.source.git.diff",
  gitRepoUrl: "mlflow.source.git.repoURL",
  entryPoint: "mlflow.project.entryPoint",
  projectEnv: "mlflow.project.env",
  dockerImageId: "mlflow.docker.image.id",
  dockerImageUri: "mlflow.docker.image.uri",
  dockerImageName: "mlflow.docker.image.name",
  /** MLflow 2's list of the models a run logged (flavors with their Python and library versions), JSON */
  logModelHistory: "mlflow.log-model.history",

  // the harness's: read from recorded runs
  reproGitDirty: "repro.git.dirty",
  reproCommand: "repro.command",
  image: "repro.image",
  /** the image a run ran in, by ID: written on replay runs, read from originals too */
  imageId: "repro.image.id",
  imageDigest: "repro.image.digest",
  hardware: "repro.hardware",

  // the harness's: written at training time by the capture plugin (harness/capture,
  // whose vocabulary.json holds the same names; a unit test compares them)
  /** the working directory the command ran in, relative to the repository root */
  commandCwd: "repro.command.cwd",
  /** the plugin's version: the run was recorded with it */
  captureVersion: "repro.capture.version",
  /** what the plugin could not capture (the run itself went on) */
  captureError: "repro.capture.error",
  /** links the run to the files the plugin staged for it */
  captureId: "repro.capture.id",
  /** `sha256:<hex>` of the requirements artifact (name==version of every installed distribution) */
  requirementsDigest: "repro.requirements_digest",
  hostCpu: "repro.host.cpu",
  hostMemoryBytes: "repro.host.memory_bytes",
  hostOs: "repro.host.os",
  hostGpus: "repro.host.gpus",
  hostContainer: "repro.host.container",

  // the harness's: written on replay runs
  replayOf: "repro.replay_of",
  auditId: "repro.audit_id",
  /** 0-based: the key replay runs are found by (an earlier attempt's run is taken over by it), as written since the first version */
  replayIndex: "repro.replay_index",
  /** 1-based: the replay's number as progress lines, run names and reports show it */
  replayNumber: "repro.replay_number",
  executor: "repro.executor",

  // the harness's: published onto audited runs and their model versions (DESIGN.md);
  // `repro.audit` names the audit there, as `repro.audit_id` does on replay runs
  audit: "repro.audit",
  verdict: "repro.verdict",
  score: "repro.score",
  report: "repro.report",

  // the harness's: on the run `compare --attach-experiment` creates to hold a compare report
  compare: "repro.compare",
  compareOutcome: "repro.compare_outcome",
} as const;

export type TagName = (typeof Tags)[keyof typeof Tags];

/** The files the capture plugin logs on a run (the plugin's vocabulary.json names the same). */
export const CaptureArtifacts = {
  /** the probe's fingerprint, the code state and the command, JSON (harness/fingerprint/capture-record.ts) */
  fingerprint: "repro/fingerprint.json",
  /** name==version of every distribution installed where the run ran */
  requirements: "repro/requirements.txt",
  /** the uncommitted changes (`git diff HEAD --binary`), which a replay applies to the checkout */
  diff: "repro/diff.patch",
} as const;

/** Older spellings, read after the canonical name. */
export const ALIASES: Readonly<Partial<Record<TagName, readonly string[]>>> = {
  // versions before the sealed replays wrote the image ID of replay runs with an underscore
  [Tags.imageId]: ["repro.image_id"],
  // MLflow before 1.0 and some clients
  [Tags.gitRepoUrl]: ["mlflow.gitRepoURL", "mlflow.source.git.repoUrl"],
};

/** A canonical name followed by its aliases, in the order they are read. */
export function spellings(name: TagName): string[] {
  return [name, ...(ALIASES[name] ?? [])];
}

/** The first non-empty value among `names` and their aliases, with the name it was found under. */
export function findTag(
  tags: Readonly<Record<string, string>>,
  names: readonly string[],
): { name: string; value: string } | undefined {
  for (const name of names.flatMap((n) => spellings(n as TagName))) {
    const value = Object.hasOwn(tags, name) ? tags[name] : undefined;
    if (value !== undefined && value.trim() !== "") return { name, value };
  }
  return undefined;
}

/** The value of `name` (or of an alias), trimmed; undefined when absent or blank. */
export function readTag(tags: Readonly<Record<string, string>>, name: TagName): string | undefined {
  return findTag(tags, [name])?.value.trim();
}

/** Tags the harness publishes onto audited runs: their changes are the audit's own. */
export const PUBLISHED_TAGS: readonly TagName[] = [Tags.audit, Tags.verdict, Tags.score, Tags.report];

/**
 * Metrics the harness logs onto audited runs. The score is a metric as well as a
 * tag because MLflow charts and searches metrics (`metrics.\`repro.score\` < 1`),
 * and a metric keeps every audit's point as history where a tag is overwritten.
 * It carries the tag's name: one concept, one name. A dot is legal in metric names
 * (MLflow allows letters, digits, `_ - . / :` and spaces); `repro/score` would have
 * grouped it in a "repro" chart section of MLflow's UI, but then the one concept
 * had two spellings.
 */
export const Metrics = {
  score: Tags.score,
} as const;

/** Metrics the harness publishes onto audited runs: not the workload's, never scored. */
export const PUBLISHED_METRICS: readonly string[] = [Metrics.score];

/** Whether a metric is one the harness itself logged (and so not compared on a re-audit). */
export function isPublishedMetric(name: string): boolean {
  return PUBLISHED_METRICS.includes(name);
}

/** Where a run may say whether its working tree was dirty, in the order read. */
export const DIRTY_TAGS: readonly string[] = [Tags.gitDirty, Tags.reproGitDirty];

/** What the traceability checklist also accepts: conventions of other tools, not written by MLflow or the harness. */
export const Conventions = {
  dirty: ["git.dirty", "git_dirty"],
  command: "command",
  hardware: "hardware",
  hardwarePrefix: "hardware.",
  hardwareParts: ["gpu", "gpu_name", "cpu", "cpu_model", "accelerator"],
} as const;

/** The capture plugin's own tags: its version, what it could not capture, the id of its files. */
export const CAPTURE_TAG_PREFIX = "repro.capture.";
/** Prefixes of tags the harness writes that describe where and how a run ran. */
export const HOST_TAG_PREFIX = "repro.host.";
export const HARDWARE_TAG_PREFIX = "repro.hardware.";
/** MLflow's system tags (mlflow.system.*), which may name the machine */
export const MLFLOW_SYSTEM_TAG_PREFIX = "mlflow.system.";
/** MLflow's tag groups that describe where and how a run ran. */
export const MLFLOW_ENVIRONMENT_PREFIXES = ["mlflow.source.", "mlflow.docker.", "mlflow.project."] as const;
