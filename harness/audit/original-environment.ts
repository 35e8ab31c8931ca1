import { redactEnvValue, stripUrlCredentials } from "../fingerprint/redact.js";
import type { CodeFingerprint } from "../fingerprint/schema.js";
import { type RecordedRun, Tags } from "../plan/recorded-run.js";
import type { OriginalEnvironment } from "../report/schema.js";

// What the original run recorded about its environment, read from its tags. MLflow
// records little at run level (no library versions, no hardware), which is exactly
// what the report should show next to the replays' full fingerprints. Pure.

/** Tag prefixes that describe where and how the original ran. */
const ENVIRONMENT_TAG_PREFIXES = ["mlflow.source.", "mlflow.docker.", "mlflow.project.", "repro.host.", "repro.hardware.", "repro.image"] as const;
/** Tags under those prefixes that are not environment facts, or too large to list. */
const LEFT_OUT = new Set<string>([Tags.gitDiff]);
const MAX_VALUE_CHARS = 500;

const DIRTY_TAGS = [Tags.gitDirty, Tags.reproGitDirty] as const;
const REPO_TAGS = ["mlflow.source.git.repoURL", "mlflow.gitRepoURL"] as const;

export function originalEnvironment(run: Pick<RecordedRun, "tags">): OriginalEnvironment {
  const recorded: Record<string, string> = {};
  for (const key of Object.keys(run.tags).sort()) {
    if (LEFT_OUT.has(key) || !ENVIRONMENT_TAG_PREFIXES.some((p) => key.startsWith(p))) continue;
    const value = redactEnvValue(key, run.tags[key] ?? "");
    recorded[key] = value.length > MAX_VALUE_CHARS ? `${value.slice(0, MAX_VALUE_CHARS)}…` : value;
  }

  const code: CodeFingerprint = { dirty: null };
  const commit = run.tags[Tags.gitCommit]?.trim();
  if (commit) code.commit = commit;
  const dirty = DIRTY_TAGS.map((t) => run.tags[t]?.trim().toLowerCase()).find((v) => v !== undefined && v !== "");
  if (dirty === "true" || dirty === "1") code.dirty = true;
  else if (dirty === "false" || dirty === "0") code.dirty = false;
  const repo = REPO_TAGS.map((t) => run.tags[t]?.trim()).find((v) => v !== undefined && v !== "");
  if (repo) code.repositoryUrl = stripUrlCredentials(repo);
  const branch = run.tags["mlflow.source.git.branch"]?.trim();
  if (branch) code.branch = branch;

  const knowsCode = code.commit !== undefined || code.dirty !== null || code.repositoryUrl !== undefined;
  const imageId = (run.tags["mlflow.docker.image.id"] ?? run.tags["repro.image.id"])?.trim();
  const fingerprint: NonNullable<OriginalEnvironment["fingerprint"]> = {
    ...(knowsCode ? { code } : {}),
    ...(imageId ? { imageId } : {}),
  };
  return { ...(Object.keys(fingerprint).length > 0 ? { fingerprint } : {}), recorded };
}
