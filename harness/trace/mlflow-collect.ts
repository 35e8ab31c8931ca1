import type { ArtifactTarget } from "../tracking/client.js";
import { MlflowConfigError, MlflowError, UnsafePathError } from "../tracking/errors.js";
import type { FileInfo, LoggedModel, Run } from "../tracking/schemas.js";
import { mapBounded } from "../bounded-map.js";
import { type ArtifactFolders, artifactFolders } from "./mlflow-artifact-folders.js";
import { type ModelLookupClient, loggedModelsByRun, modelVersionsByRun } from "./mlflow-models.js";
import { type MlflowSubjectParts, subjectFromMlflow } from "./mlflow-subject.js";
import type { RunArtifactListing, TraceSubject } from "./subject.js";

// The trace's MLflow side. Gathers, for each selected run, what the checklist reads
// beyond the run itself: its artifact files (bounded walk), its MLflow 3 logged models
// and their files, and the registered versions made from it; mlflow-subject.ts turns
// each into a TraceSubject. The cost follows pages, not runs, wherever the server
// lets it: the model lookups are searches over the experiment or the registry
// (mlflow-models.ts), and a run's artifacts are listed only when its folder exists,
// which one listing of the experiment's artifact folder tells for all of its runs
// (mlflow-artifact-folders.ts). A sweep of 10,000 runs without artifacts costs the
// search pages and a few requests more; each run that logged files costs its listing.

/** What collect needs from the tracking client (MlflowClient satisfies it). */
export interface CollectClient extends ModelLookupClient {
  listArtifacts(target: ArtifactTarget, path?: string): Promise<FileInfo[]>;
}

export interface CollectOptions {
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** Sub-folders of a run's artifact root that are listed (default 20); more sets `truncated`. */
  maxArtifactDirs?: number;
  /** Called after each run's subject is complete, for progress display. */
  onProgress?: (done: number, total: number) => void;
}

export async function collectSubjects(
  client: CollectClient,
  runs: readonly Run[],
  opts: CollectOptions = {},
): Promise<TraceSubject[]> {
  const concurrency = opts.concurrency ?? 8;
  const maxDirs = opts.maxArtifactDirs ?? 20;
  const [modelsByRun, versionsByRun, folders] = await Promise.all([
    loggedModelsByRun(client, runs, concurrency),
    modelVersionsByRun(client, runs, concurrency),
    artifactFolders(client, runs, concurrency),
  ]);
  let done = 0;
  return mapBounded(runs, concurrency, async (run) => {
    const runArtifacts = await listRunArtifacts(client, run, maxDirs, folders);
    const models = modelsByRun.get(run.info.run_id) ?? [];
    const loggedModels: MlflowSubjectParts["loggedModels"] = [];
    for (const model of models) loggedModels.push(await listModelFiles(client, model));
    const subject = subjectFromMlflow({
      run,
      runArtifacts,
      loggedModels,
      modelVersions: versionsByRun.get(run.info.run_id) ?? [],
    });
    done += 1;
    opts.onProgress?.(done, runs.length);
    return subject;
  });
}

/** Errors that mean "these files cannot be read here", not "the server is broken". */
function unreadable(err: unknown): string | undefined {
  if (err instanceof MlflowConfigError || err instanceof UnsafePathError) return err.message;
  if (err instanceof MlflowError && (err.isNotFound || err.status === 501)) return err.message;
  return undefined;
}

/**
 * The run's artifact files: the root and its direct sub-folders (that is where MLflow 2
 * models, MLproject files, requirements and diffs sit). Deeper folders are not walked.
 */
async function listRunArtifacts(
  client: CollectClient,
  run: Run,
  maxDirs: number,
  folders: ArtifactFolders,
): Promise<RunArtifactListing> {
  // No folder, no files: what listing it would answer, without asking.
  if (folders.hasNoFolder(run)) return { files: [], truncated: false };
  const uri = run.info.artifact_uri;
  const target: ArtifactTarget = uri ? { artifactUri: uri } : { runId: run.info.run_id };
  try {
    const root = await client.listArtifacts(target);
    const files = root.filter((f) => !f.is_dir).map((f) => f.path);
    const dirs = root.filter((f) => f.is_dir).map((f) => f.path);
    for (const dir of dirs.slice(0, maxDirs)) {
      for (const f of await client.listArtifacts(target, dir)) if (!f.is_dir) files.push(f.path);
    }
    return { files, truncated: dirs.length > maxDirs };
  } catch (err) {
    const why = unreadable(err);
    if (why === undefined) throw err;
    return { files: [], truncated: false, error: why };
  }
}

async function listModelFiles(
  client: CollectClient,
  model: LoggedModel,
): Promise<MlflowSubjectParts["loggedModels"][number]> {
  try {
    const files = await client.listArtifacts({ artifactUri: model.info.artifact_uri });
    return { model, files: files.filter((f) => !f.is_dir).map((f) => f.path) };
  } catch (err) {
    const why = unreadable(err);
    if (why === undefined) throw err;
    return { model, files: [], error: why };
  }
}
