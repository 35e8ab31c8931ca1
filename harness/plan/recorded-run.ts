import { CaptureArtifacts, Tags } from "../tracking/tags.js";
import type { Run } from "../tracking/schemas.js";

/** The parts of a tracked run that planning reads: flat maps, values exactly as logged. */
export interface RecordedRun {
  runId: string;
  experimentId: string;
  runName?: string;
  /** how the original ended as MLflow recorded it (FINISHED, FAILED, KILLED, RUNNING): its only record of that */
  status?: string;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** latest value per metric key */
  metrics: Record<string, number>;
}

export function recordedRunFromMlflow(run: Run): RecordedRun {
  const params: Record<string, string> = {};
  for (const p of run.data.params) params[p.key] = p.value;
  const tags: Record<string, string> = {};
  for (const t of run.data.tags) tags[t.key] = t.value;
  // A run's data.metrics holds the latest value per key; keep the highest step if a
  // server ever returns several.
  const metrics: Record<string, number> = {};
  const steps: Record<string, number> = {};
  for (const m of run.data.metrics) {
    const prev = steps[m.key];
    if (prev === undefined || m.step >= prev) {
      metrics[m.key] = m.value;
      steps[m.key] = m.step;
    }
  }
  return {
    runId: run.info.run_id,
    experimentId: run.info.experiment_id,
    ...(run.info.run_name !== undefined ? { runName: run.info.run_name } : {}),
    ...(run.info.status !== undefined ? { status: run.info.status } : {}),
    params,
    tags,
    metrics,
  };
}

/** The artifact a recording step (the capture plugin) attaches with the uncommitted changes of a dirty tree. */
export const DIFF_ARTIFACT_PATH = CaptureArtifacts.diff;

/**
 * The project folder inside the repository that `mlflow run URI#SUBDIR` launched
 * (mlflow.source.name is `<repo>#<subdir>` for a project run). Undefined for a run
 * that `mlflow run` did not launch, or one at the repository's root. A subdir that
 * is absolute or climbs ("..") is not a folder of the checkout: undefined too,
 * and the caller reads the root.
 */
export function projectSubdir(run: Pick<RecordedRun, "tags">): string | undefined {
  if (run.tags[Tags.entryPoint] === undefined) return undefined;
  const name = run.tags[Tags.sourceName] ?? "";
  const hash = name.lastIndexOf("#");
  if (hash < 0) return undefined;
  return checkoutFolder(name.slice(hash + 1));
}

/** A folder inside a checkout, normalised; undefined for the root, an absolute path or one that climbs. */
function checkoutFolder(raw: string): string | undefined {
  if (raw.startsWith("/") || raw.includes("\\")) return undefined;
  const parts = raw.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.length === 0 || parts.includes("..")) return undefined;
  return parts.join("/");
}

/**
 * Where a recorded command line ran: the capture plugin records Tags.reproCommand as
 * typed in the author's working directory, and that directory relative to the
 * repository root (Tags.commandCwd), so a replay runs it from the same folder of
 * the checkout. Undefined without a recorded command, at the root, or for a path
 * that is not a folder of the checkout.
 */
export function commandSubdir(run: Pick<RecordedRun, "tags">): string | undefined {
  if ((run.tags[Tags.reproCommand] ?? "").trim() === "") return undefined;
  return checkoutFolder(run.tags[Tags.commandCwd] ?? "");
}
