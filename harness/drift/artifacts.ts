/** Artifact files (models, plots) compared by content hash across executions. */
import type { ArtifactComparison } from "./schema.js";

/**
 * One comparison per path logged by the original or by any finished replay,
 * sorted by path. `replays[i]` is undefined when replay i did not finish (its
 * entry is then null and it does not break identity: it is a run-level finding).
 * Identical = the original has the file and every finished replay has the same
 * hash (and at least one replay finished).
 */
export function compareArtifacts(
  original: Readonly<Record<string, string>> | undefined,
  replays: ReadonlyArray<Readonly<Record<string, string>> | undefined>,
  finished: readonly boolean[],
): ArtifactComparison[] {
  const paths = new Set<string>(Object.keys(original ?? {}));
  replays.forEach((r, i) => { if (finished[i] === true) for (const p of Object.keys(r ?? {})) paths.add(p); });
  const out: ArtifactComparison[] = [];
  for (const path of [...paths].sort()) {
    const o = original !== undefined && Object.hasOwn(original, path) ? original[path] : undefined;
    const replaySha256 = replays.map((r, i) =>
      finished[i] === true && r !== undefined && Object.hasOwn(r, path) ? (r[path] as string) : null);
    const finishedHashes = replaySha256.filter((_, i) => finished[i] === true);
    const identical = o !== undefined && finishedHashes.length > 0 && finishedHashes.every((h) => h === o);
    out.push(o === undefined ? { path, replaySha256, identical } : { path, originalSha256: o, replaySha256, identical });
  }
  return out;
}
