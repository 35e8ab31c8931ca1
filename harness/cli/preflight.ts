import { checkEngine } from "../exec/engine.js";
import { EXECUTORS, type ExecutorKind } from "../exec/executors.js";
import { checkResultsDir } from "./results-dir.js";

// What a replaying command checks before it reads a single run: that it can write
// its results, and that the engine it will replay in answers. Either failing later
// costs the time spent until then, and says less about the cause.

export async function preflight(opts: { resultsDir: string; executor: ExecutorKind }): Promise<void> {
  checkResultsDir(opts.resultsDir);
  if (EXECUTORS[opts.executor].needsEngine) await checkEngine();
}
