import { TRACE_ITEM_LABELS, type TraceItem, type TraceItemId, type TraceStatus } from "./item.js";
import type { TraceSubject } from "./subject.js";
import {
  Conventions,
  DIRTY_TAGS,
  HARDWARE_TAG_PREFIX,
  HOST_TAG_PREFIX,
  MLFLOW_SYSTEM_TAG_PREFIX,
  Tags,
  isPublishedMetric,
  spellings,
} from "../tracking/tags.js";

// The traceability checklist: for one run, what a re-execution needs and whether the
// tracking server holds it. Pure: it reads only the TraceSubject that collect.ts built.
// Every detail names the tags/files it looked for, so a "missing" tells the user what
// to start logging.

const ENV_FILES = [
  "requirements.txt",
  "python_env.yaml",
  "conda.yaml",
  "environment.yml",
  "environment.yaml",
  "pyproject.toml",
  "poetry.lock",
  "uv.lock",
  "Pipfile.lock",
  "pylock.toml",
] as const;
const MODEL_ENV_FILES = ["requirements.txt", "python_env.yaml", "conda.yaml"] as const;

const DIRTY = [...DIRTY_TAGS, ...Conventions.dirty];
const REPO_URL_TAGS = spellings(Tags.gitRepoUrl);
const COMMAND_TAGS = [Tags.entryPoint, Tags.reproCommand, Conventions.command];
const IMAGE_ID_TAGS = [Tags.dockerImageId, ...spellings(Tags.imageId), Tags.imageDigest];
const IMAGE_NAME_TAGS = [Tags.dockerImageUri, Tags.dockerImageName, Tags.image];
const HARDWARE_PREFIXES = [HOST_TAG_PREFIX, HARDWARE_TAG_PREFIX, Conventions.hardwarePrefix, MLFLOW_SYSTEM_TAG_PREFIX];
const HARDWARE_KEYS: readonly string[] = [Conventions.hardware, Tags.hardware, ...Conventions.hardwareParts];

/** seed, random_state, random_seed, np_seed, torch.seed, SEED ... */
const SEED_KEY = /(^|[._-])(seed|random[_-]?state|random[_-]?seed)$/i;
const DIFF_FILE = /\.(diff|patch)$/i;
const SYSTEM_METRIC = /^system\//;

export function buildChecklist(subject: TraceSubject): TraceItem[] {
  const tags = new Map(Object.entries(subject.run.tags));
  return [
    checkParams(subject),
    checkMetrics(subject),
    checkSource(tags),
    checkGitCommit(tags),
    checkGitDirty(tags, subject),
    checkRepoUrl(tags),
    checkEntryPoint(tags, subject),
    checkRunEnvironment(tags, subject),
    checkModelEnvironment(subject),
    checkDatasets(subject),
    checkSeed(subject),
    checkHardware(subject),
    checkImage(tags),
  ];
}

function item(id: TraceItemId, status: TraceStatus, detail: string): TraceItem {
  return { id, label: TRACE_ITEM_LABELS[id], status, detail };
}

function listSome(names: readonly string[], max = 6): string {
  const shown = names.slice(0, max).join(", ");
  return names.length > max ? `${shown}, ... (${names.length - max} more)` : shown;
}

function nonEmpty(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== "";
}

function firstTag(tags: Map<string, string>, keys: readonly string[]): [string, string] | undefined {
  for (const key of keys) {
    const value = tags.get(key);
    if (nonEmpty(value)) return [key, value];
  }
  return undefined;
}

function basename(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? path : path.slice(i + 1);
}

function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
}

/**
 * Directories of the run's artifacts that hold an MLmodel file: models logged the
 * MLflow 2 way, under the run. Their requirements belong to the model, not the run.
 */
function runModelDirs(subject: TraceSubject): Set<string> {
  return new Set(subject.runArtifacts.files.filter((f) => basename(f) === "MLmodel").map(dirname));
}

/** Appended to details that depend on the run's artifact listing when it was incomplete. */
function listingNote(subject: TraceSubject): string {
  const a = subject.runArtifacts;
  if (a.error !== undefined) return ` (run artifacts could not be listed: ${a.error})`;
  if (a.truncated) return " (run artifact listing was truncated)";
  return "";
}

function checkParams(subject: TraceSubject): TraceItem {
  const keys = Object.keys(subject.run.params);
  if (keys.length === 0) return item("params", "missing", "no params logged on the run");
  return item("params", "present", `${keys.length} param${keys.length === 1 ? "" : "s"}: ${listSome(keys)}`);
}

function checkMetrics(subject: TraceSubject): TraceItem {
  // System metrics describe the machine, not the result, and an earlier audit's
  // published score describes the audit: neither counts as a result.
  const keys = Object.keys(subject.run.metrics).filter((k) => !SYSTEM_METRIC.test(k) && !isPublishedMetric(k));
  if (keys.length === 0) {
    const sys = Object.keys(subject.run.metrics).filter((k) => SYSTEM_METRIC.test(k)).length;
    return item(
      "metrics",
      "missing",
      sys > 0 ? `only ${sys} system/* metrics; no result metric logged` : "no metrics logged on the run",
    );
  }
  return item("metrics", "present", `${keys.length} metric${keys.length === 1 ? "" : "s"}: ${listSome(keys)}`);
}

function checkSource(tags: Map<string, string>): TraceItem {
  const name = tags.get(Tags.sourceName);
  const type = tags.get(Tags.sourceType);
  if (nonEmpty(name) && nonEmpty(type)) return item("source", "present", `${type}: ${name}`);
  if (nonEmpty(name)) return item("source", "partial", `${Tags.sourceName}=${name}; ${Tags.sourceType} not set`);
  if (nonEmpty(type)) return item("source", "partial", `${Tags.sourceType}=${type}; ${Tags.sourceName} not set`);
  return item("source", "missing", `tags ${Tags.sourceName} and ${Tags.sourceType} not set`);
}

function checkGitCommit(tags: Map<string, string>): TraceItem {
  const commit = tags.get(Tags.gitCommit);
  if (nonEmpty(commit)) {
    const branch = tags.get(Tags.gitBranch);
    return item("git_commit", "present", `${commit}${nonEmpty(branch) ? ` on ${branch}` : ""}`);
  }
  return item(
    "git_commit",
    "missing",
    `tag ${Tags.gitCommit} not set (MLflow sets it when the entry script is inside a git repository and GitPython is installed)`,
  );
}

function checkGitDirty(tags: Map<string, string>, subject: TraceSubject): TraceItem {
  // MLflow does not record whether the working tree was dirty; only conventions do.
  const dirty = firstTag(tags, DIRTY);
  const diffs = subject.runArtifacts.files.filter((f) => DIFF_FILE.test(f));
  const lookedFor = `looked for tags ${DIRTY.join(", ")} and a *.diff/*.patch run artifact`;
  if (dirty === undefined) {
    if (diffs.length > 0) {
      return item(
        "git_dirty",
        "partial",
        `diff artifact ${listSome(diffs)} found, but no dirty-state tag (${DIRTY.join(", ")})`,
      );
    }
    return item(
      "git_dirty",
      "missing",
      `dirty state unknown: ${lookedFor} (MLflow does not record it)${listingNote(subject)}`,
    );
  }
  const [key, value] = dirty;
  const isDirty = /^(true|1|yes|dirty)$/i.test(value.trim());
  const isClean = /^(false|0|no|clean)$/i.test(value.trim());
  if (isClean) return item("git_dirty", "present", `clean working tree (${key}=${value})`);
  if (!isDirty) return item("git_dirty", "partial", `${key}=${value} is neither true nor false`);
  if (diffs.length > 0) return item("git_dirty", "present", `dirty (${key}=${value}); diff in ${listSome(diffs)}`);
  return item(
    "git_dirty",
    "partial",
    `dirty (${key}=${value}) but no *.diff/*.patch run artifact holds the changes${listingNote(subject)}`,
  );
}

function checkRepoUrl(tags: Map<string, string>): TraceItem {
  const found = firstTag(tags, REPO_URL_TAGS);
  if (found) return item("repo_url", "present", `${found[1]} (${found[0]})`);
  return item(
    "repo_url",
    "missing",
    `tags ${REPO_URL_TAGS.join(", ")} not set (MLflow sets one from the git remote "origin")`,
  );
}

function checkEntryPoint(tags: Map<string, string>, subject: TraceSubject): TraceItem {
  const found: string[] = [];
  for (const key of COMMAND_TAGS) {
    const value = tags.get(key);
    if (nonEmpty(value)) found.push(`${key}=${value}`);
  }
  const mlproject = subject.runArtifacts.files.filter((f) => basename(f) === "MLproject");
  if (mlproject.length > 0) found.push(`MLproject artifact ${listSome(mlproject)}`);
  if (found.length > 0) return item("entry_point", "present", found.join("; "));
  const source = tags.get(Tags.sourceName);
  if (nonEmpty(source)) {
    return item(
      "entry_point",
      "partial",
      `only the script is known (${Tags.sourceName}=${source}); no command line: looked for tags ${COMMAND_TAGS.join(", ")} and an MLproject artifact${listingNote(subject)}`,
    );
  }
  return item(
    "entry_point",
    "missing",
    `looked for tags ${COMMAND_TAGS.join(", ")}, ${Tags.sourceName} and an MLproject artifact${listingNote(subject)}`,
  );
}

function checkRunEnvironment(tags: Map<string, string>, subject: TraceSubject): TraceItem {
  const modelDirs = runModelDirs(subject);
  const files = subject.runArtifacts.files.filter(
    (f) => (ENV_FILES as readonly string[]).includes(basename(f)) && !modelDirs.has(dirname(f)),
  );
  const projectEnv = tags.get(Tags.projectEnv);
  const truncated = listingNote(subject);
  if (files.length > 0) {
    const extra = nonEmpty(projectEnv) ? `; ${Tags.projectEnv}=${projectEnv}` : "";
    return item("env_run", "present", `run artifacts ${listSome(files)}${extra}`);
  }
  if (nonEmpty(projectEnv)) {
    return item(
      "env_run",
      "partial",
      `${Tags.projectEnv}=${projectEnv} (an MLflow Project environment, defined by the MLproject at the commit); no environment file among the run's artifacts${truncated}`,
    );
  }
  return item(
    "env_run",
    "missing",
    `no ${ENV_FILES.join("/")} among the run's artifacts (outside model folders) and no ${Tags.projectEnv} tag${truncated}`,
  );
}

function checkModelEnvironment(subject: TraceSubject): TraceItem {
  interface ModelEnv {
    label: string;
    files: string[];
  }
  const models: ModelEnv[] = subject.loggedModels.map((lm) => ({
    label: `${lm.name} (${lm.modelId})${lm.error !== undefined ? ` [files not listed: ${lm.error}]` : ""}`,
    files: lm.files.filter((f) => (MODEL_ENV_FILES as readonly string[]).includes(f)),
  }));
  // MLflow 2 logged models live under the run's artifacts, in a folder with an MLmodel.
  for (const dir of runModelDirs(subject)) {
    const prefix = dir === "" ? "" : `${dir}/`;
    models.push({
      label: `run artifact folder ${dir === "" ? "(root)" : dir}`,
      files: subject.runArtifacts.files
        .filter((f) => f.startsWith(prefix) && !f.slice(prefix.length).includes("/"))
        .map((f) => f.slice(prefix.length))
        .filter((f) => (MODEL_ENV_FILES as readonly string[]).includes(f)),
    });
  }
  const registered = subject.modelVersions.map(
    (v) => `${v.name} v${v.version}${v.aliases.length > 0 ? ` @${v.aliases.join(",@")}` : ""}`,
  );
  const reg = registered.length > 0 ? `; registered as ${listSome(registered)}` : "";
  if (models.length === 0) {
    return item(
      "env_model",
      "not_applicable",
      `the run logged no model (no logged model with source_run_id = this run, no MLmodel among its artifacts)${reg}${listingNote(subject)}`,
    );
  }
  const withEnv = models.filter((m) => m.files.length > 0);
  const describe = (m: ModelEnv) => `${m.label}: ${m.files.length > 0 ? m.files.join(", ") : "none"}`;
  const detail = `${models.map(describe).join("; ")}${reg}`;
  if (withEnv.length === models.length) return item("env_model", "present", detail);
  const lookedFor = `looked for ${MODEL_ENV_FILES.join(", ")}`;
  if (withEnv.length === 0) return item("env_model", "missing", `${lookedFor}: ${detail}`);
  return item("env_model", "partial", `${withEnv.length} of ${models.length} models: ${detail}`);
}

function checkDatasets(subject: TraceSubject): TraceItem {
  const inputs = subject.datasets;
  if (inputs.length === 0) {
    return item("datasets", "missing", "no dataset inputs on the run (mlflow.log_input records them with a digest)");
  }
  const describe = inputs.map((i) => `${i.name}${nonEmpty(i.digest) ? `@${i.digest}` : " (no digest)"}`);
  const withDigest = inputs.filter((i) => nonEmpty(i.digest)).length;
  if (withDigest === inputs.length) return item("datasets", "present", listSome(describe));
  if (withDigest === 0) return item("datasets", "missing", `dataset inputs without digests: ${listSome(describe)}`);
  return item("datasets", "partial", `${withDigest} of ${inputs.length} with digests: ${listSome(describe)}`);
}

function checkSeed(subject: TraceSubject): TraceItem {
  const found = [
    ...Object.entries(subject.run.params)
      .filter(([key]) => SEED_KEY.test(key))
      .map(([key, value]) => `param ${key}=${value}`),
    ...Object.entries(subject.run.tags)
      .filter(([key]) => SEED_KEY.test(key))
      .map(([key, value]) => `tag ${key}=${value}`),
  ];
  if (found.length > 0) return item("seed", "present", listSome(found));
  return item("seed", "missing", "no param or tag named seed, random_state, random_seed or *_seed");
}

function checkHardware(subject: TraceSubject): TraceItem {
  const isHardwareKey = (key: string) =>
    HARDWARE_PREFIXES.some((p) => key.startsWith(p)) || HARDWARE_KEYS.includes(key);
  const described = [
    ...Object.keys(subject.run.tags)
      .filter(isHardwareKey)
      .map((key) => `tag ${key}`),
    ...Object.keys(subject.run.params)
      .filter(isHardwareKey)
      .map((key) => `param ${key}`),
  ];
  const system = Object.keys(subject.run.metrics).filter((key) => SYSTEM_METRIC.test(key));
  if (described.length > 0) {
    const sys = system.length > 0 ? `; ${system.length} system/* metrics` : "";
    return item("hardware", "present", `${listSome(described)}${sys}`);
  }
  if (system.length > 0) {
    return item(
      "hardware",
      "partial",
      `only MLflow system metrics (${listSome(system, 3)}): usage is known, the machine model is not`,
    );
  }
  return item(
    "hardware",
    "missing",
    `looked for tags/params ${HARDWARE_PREFIXES.map((p) => `${p}*`).join(", ")}, ${HARDWARE_KEYS.join(", ")} and system/* metrics`,
  );
}

function checkImage(tags: Map<string, string>): TraceItem {
  const id = firstTag(tags, IMAGE_ID_TAGS);
  if (id) return item("image", "present", `${id[0]}=${id[1]}`);
  const name = firstTag(tags, IMAGE_NAME_TAGS);
  if (name) {
    // A digest pins the image; a bare name:tag can be re-pushed with other contents.
    if (/sha256:[0-9a-f]{64}/i.test(name[1])) return item("image", "present", `${name[0]}=${name[1]}`);
    return item("image", "partial", `${name[0]}=${name[1]} names the image but does not pin it by ID or digest`);
  }
  return item("image", "missing", `tags ${[...IMAGE_ID_TAGS, ...IMAGE_NAME_TAGS].join(", ")} not set`);
}
