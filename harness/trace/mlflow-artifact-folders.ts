import type { ArtifactTarget } from "../tracking/client.js";
import { MlflowConfigError, MlflowError, MlflowSchemaError, UnsafePathError } from "../tracking/errors.js";
import type { FileInfo, Run } from "../tracking/schemas.js";
import { mapBounded } from "../bounded-map.js";

// Which selected runs have an artifact folder at all, from one listing per experiment
// instead of one per run. MLflow gives every run the artifact URI
// `<experiment artifact location>/<run_id>/artifacts` and makes the folder only when
// something is logged there (served artifacts: `mlflow-artifacts:/<exp>/<run_id>/...`).
// So a listing of the experiment's folder names every run that has files; a run that
// is not among them would answer an empty listing, and is not asked. This is the same
// evidence, not a guess: the server's answer for that folder is "nothing there".
// Where the layout is another (a URI not ending in `<run_id>/artifacts`), the folder
// listing fails, or a folder holds one selected run only, nothing is assumed and
// each run is listed as before.

export interface ArtifactFolders {
  /** True only when the run's parent folder was listed and holds no folder of the run. */
  hasNoFolder(run: Run): boolean;
  /** Folder listings made (for tests and progress). */
  readonly listings: number;
}

interface FolderClient {
  listArtifacts(target: ArtifactTarget, path?: string): Promise<FileInfo[]>;
}

/** `<parent>/<run_id>/artifacts` → `<parent>`, for proxied URIs; undefined for any other shape. */
function parentFolder(run: Run): string | undefined {
  const uri = run.info.artifact_uri;
  const suffix = `/${run.info.run_id}/artifacts`;
  if (uri === undefined || run.info.run_id === "" || !uri.endsWith(suffix)) return undefined;
  if (!/^(mlflow-artifacts:|https?:\/\/)/.test(uri)) return undefined;
  return uri.slice(0, -suffix.length);
}

function lastSegment(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? path : path.slice(i + 1);
}

export async function artifactFolders(
  client: FolderClient,
  runs: readonly Run[],
  concurrency: number,
): Promise<ArtifactFolders> {
  const byParent = new Map<string, number>();
  for (const run of runs) {
    const parent = parentFolder(run);
    if (parent !== undefined) byParent.set(parent, (byParent.get(parent) ?? 0) + 1);
  }
  // One run in a folder: its own listing costs the same as the folder's.
  const worthListing = [...byParent].filter(([, n]) => n > 1).map(([parent]) => parent);
  const names = new Map<string, Set<string>>();
  await mapBounded(worthListing, concurrency, async (parent) => {
    try {
      const entries = await client.listArtifacts({ artifactUri: parent });
      names.set(parent, new Set(entries.map((e) => lastSegment(e.path))));
    } catch (err) {
      // Not known, so not assumed: each run of that folder is listed (and says why not).
      if (!isUnlistable(err)) throw err;
    }
  });
  return {
    listings: worthListing.length,
    hasNoFolder(run) {
      const parent = parentFolder(run);
      const listed = parent === undefined ? undefined : names.get(parent);
      return listed !== undefined && !listed.has(run.info.run_id);
    },
  };
}

/** A folder the server will not list (refused, not found, not proxied, odd answer): fall back per run. */
function isUnlistable(err: unknown): boolean {
  return (
    err instanceof MlflowError ||
    err instanceof MlflowConfigError ||
    err instanceof UnsafePathError ||
    err instanceof MlflowSchemaError
  );
}
