import { readCaptureRecord } from "../fingerprint/capture-record.js";
import { redactEnvValue, stripUrlCredentials } from "../fingerprint/redact.js";
import type { CodeFingerprint } from "../fingerprint/schema.js";
import { recordedVersions } from "../drift/model-environment.js";
import type { RecordedMlflow } from "../plan/mlflow-requirement.js";
import type { RecordedRun } from "../plan/recorded-run.js";
import type { RunEvidence } from "./assemble-run.js";
import type { OriginalEnvironment } from "../report/schema.js";
import {
  CaptureArtifacts,
  CAPTURE_TAG_PREFIX,
  DIRTY_TAGS,
  HARDWARE_TAG_PREFIX,
  HOST_TAG_PREFIX,
  MLFLOW_ENVIRONMENT_PREFIXES,
  Tags,
  findTag,
  readTag,
} from "../tracking/tags.js";

// What the original run recorded about its environment, read from its tags and from
// its logged model's files. MLflow records little at run level (no library versions,
// no hardware), which is exactly what the report should show next to the replays'
// full fingerprints; a logged model records its Python and library versions, and
// those are compared (drift/model-environment.ts). A run recorded with the capture
// plugin (harness/capture) has its full fingerprint: the probe's facts, the host as
// the probe saw it, the code state; those fill the fingerprint, and what tags say
// fills only what the record lacks. Pure: the files are the texts the audit's
// snapshot already read (run-evidence.ts), not read again.

/** Tag prefixes that describe where and how the original ran. */
// Tags.image as a bare prefix: repro.image, repro.image.id and its older spelling repro.image_id
const ENVIRONMENT_TAG_PREFIXES = [
  ...MLFLOW_ENVIRONMENT_PREFIXES,
  HOST_TAG_PREFIX,
  HARDWARE_TAG_PREFIX,
  CAPTURE_TAG_PREFIX,
  Tags.image,
] as const;
/** Tags under those prefixes that are not environment facts, or too large to list. */
const LEFT_OUT = new Set<string>([Tags.gitDiff]);
const MAX_VALUE_CHARS = 500;

/**
 * `modelFiles`: artifact path -> text of the original's model files (MLmodel and
 * the environment files), as the snapshot holds them; absent when none was read.
 * `captureRecord`: the text of the capture plugin's repro/fingerprint.json, when the
 * run has one.
 */
export function originalEnvironment(
  run: Pick<RecordedRun, "tags">,
  modelFiles: Readonly<Record<string, string>> = {},
  captureRecord?: string,
): OriginalEnvironment {
  const recorded: Record<string, string> = {};
  for (const key of Object.keys(run.tags).sort()) {
    if (LEFT_OUT.has(key) || !ENVIRONMENT_TAG_PREFIXES.some((p) => key.startsWith(p))) continue;
    const value = redactEnvValue(key, run.tags[key] ?? "");
    recorded[key] = value.length > MAX_VALUE_CHARS ? `${value.slice(0, MAX_VALUE_CHARS)}…` : value;
  }

  const code: CodeFingerprint = { dirty: null };
  const commit = readTag(run.tags, Tags.gitCommit);
  if (commit) code.commit = commit;
  const dirty = findTag(run.tags, DIRTY_TAGS)?.value.trim().toLowerCase();
  if (dirty === "true" || dirty === "1") code.dirty = true;
  else if (dirty === "false" || dirty === "0") code.dirty = false;
  const repo = readTag(run.tags, Tags.gitRepoUrl);
  if (repo) code.repositoryUrl = stripUrlCredentials(repo);
  const branch = readTag(run.tags, Tags.gitBranch);
  if (branch) code.branch = branch;

  const captured = captureRecord !== undefined ? readCaptureRecord(captureRecord) : undefined;
  if (captured !== undefined && !captured.ok) {
    recorded[CaptureArtifacts.fingerprint] = `not read: ${captured.why}`.slice(0, MAX_VALUE_CHARS);
  }
  const parts = captured?.ok === true ? captured.parts : undefined;
  // The record's code state is the full one (diff hash, branch); the tags fill what it lacks.
  const fullCode = parts?.code !== undefined ? { ...code, ...parts.code } : code;
  const knowsCode = fullCode.commit !== undefined || fullCode.dirty !== null || fullCode.repositoryUrl !== undefined;
  const imageId = findTag(run.tags, [Tags.dockerImageId, Tags.imageId])?.value.trim();
  const fingerprint: NonNullable<OriginalEnvironment["fingerprint"]> = {
    ...(parts?.host !== undefined ? { host: parts.host } : {}),
    ...(parts?.container !== undefined ? { container: parts.container } : {}),
    ...(knowsCode ? { code: fullCode } : {}),
    ...(imageId ? { imageId } : {}),
    ...(parts?.capturedAt !== undefined ? { capturedAt: parts.capturedAt } : {}),
  };
  const history = readTag(run.tags, Tags.logModelHistory);
  const versions = recordedVersions(
    modelFiles,
    history !== undefined ? { tag: Tags.logModelHistory, value: history } : undefined,
  );
  return {
    ...(Object.keys(fingerprint).length > 0 ? { fingerprint } : {}),
    recorded,
    ...(versions !== undefined ? { versions } : {}),
  };
}

/**
 * The mlflow version the original's logged model recorded (its requirements pin
 * mlflow==X, or MLmodel's mlflow_version; mlflow-skinny where only that is listed):
 * the client a replay gets when its environment lacks mlflow. Undefined when none.
 */
/** Every model file text of the original: its run artifacts' and its MLflow 3 logged models'. */
export function originalModelTexts(
  evidence: Pick<RunEvidence, "originalArtifactTexts" | "originalLoggedModelTexts"> | undefined,
): Record<string, string> {
  return { ...evidence?.originalArtifactTexts, ...evidence?.originalLoggedModelTexts };
}

export function recordedMlflowVersion(modelFiles: Readonly<Record<string, string>>): RecordedMlflow | undefined {
  const libraries = recordedVersions(modelFiles)?.libraries ?? [];
  const lib = libraries.find((l) => l.name === "mlflow") ?? libraries.find((l) => l.name === "mlflow-skinny");
  return lib !== undefined ? { version: lib.version, source: lib.source } : undefined;
}
