/** Artifact files (models, plots) compared by content hash across executions; a model's metadata files by meaning. */
import { compareModelFile, modelFileKind } from "./model-files.js";
import type { ArtifactComparison } from "./schema.js";

type Files = Readonly<Record<string, string>>;

/** The texts of model metadata files (see model-files.ts), per execution, where they were read. */
export interface ArtifactTexts {
  original?: Files;
  replays?: ReadonlyArray<Files | undefined>;
}

/**
 * One comparison per path logged by the original or by any finished replay,
 * sorted by path. `replays[i]` is undefined when replay i did not finish (its
 * entry is then null and it does not break identity: it is a run-level finding).
 * Identical = the original has the file and every finished replay has the same
 * hash (and at least one replay finished); for an MLmodel or environment file of a
 * model whose bytes differ, the same meaning counts as identical.
 */
export function compareArtifacts(
  original: Files | undefined,
  replays: ReadonlyArray<Files | undefined>,
  finished: readonly boolean[],
  texts: ArtifactTexts = {},
): ArtifactComparison[] {
  const paths = new Set<string>(Object.keys(original ?? {}));
  replays.forEach((r, i) => {
    if (finished[i] === true) for (const p of Object.keys(r ?? {})) paths.add(p);
  });
  const out: ArtifactComparison[] = [];
  for (const path of [...paths].sort()) {
    const o = original !== undefined && Object.hasOwn(original, path) ? original[path] : undefined;
    const replaySha256 = replays.map((r, i) =>
      finished[i] === true && r !== undefined && Object.hasOwn(r, path) ? (r[path] as string) : null,
    );
    const finishedHashes = replaySha256.filter((_, i) => finished[i] === true);
    const sameBytes = o !== undefined && finishedHashes.length > 0 && finishedHashes.every((h) => h === o);
    const kind = modelFileKind(path);
    if (o === undefined) {
      out.push({ path, replaySha256, identical: false });
    } else if (kind === undefined || sameBytes || finishedHashes.every((h) => h === null || h === o)) {
      out.push({ path, originalSha256: o, replaySha256, identical: sameBytes });
    } else {
      // Replays whose bytes match (or that lack the file: the hash comparison says so) need no reading.
      const replayTexts = replaySha256.map((h, i) => (h === null || h === o ? null : textOf(texts.replays?.[i], path)));
      const semantic = compareModelFile(kind, textOf(texts.original, path), replayTexts);
      const identical =
        semantic.state === "same" && finishedHashes.length > 0 && finishedHashes.every((h) => h !== null);
      out.push({ path, originalSha256: o, replaySha256, identical, semantic });
    }
  }
  return out;
}

function textOf(files: Files | undefined, path: string): string | undefined {
  return files !== undefined && Object.hasOwn(files, path) ? files[path] : undefined;
}
