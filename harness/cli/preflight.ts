import { checkEngine } from "../exec/engine.js";
import { EXECUTORS, type ExecutorKind } from "../exec/executors.js";
import { checkResultsDir } from "./results-dir.js";

// What a replaying command checks before it reads a single run: that it can write
// its results, and that the engine it will replay in answers. Either failing later
// costs the time spent until then, and says less about the cause.

/** `dryRun`: nothing will be written, so the results folder is not checked (nor created); the engine still is, since a preview asks it about images. */
export async function preflight(
  opts: { resultsDir: string; executor: ExecutorKind },
  { dryRun = false }: { dryRun?: boolean } = {},
): Promise<void> {
  if (!dryRun) checkResultsDir(opts.resultsDir);
  if (EXECUTORS[opts.executor].needsEngine) await checkEngine();
}
