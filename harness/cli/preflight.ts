import type { EngineEndpoint } from "../exec/engine-endpoints.js";
import { EXECUTORS, type ExecutorKind } from "../exec/executors.js";
import { checkResultsDir } from "./results-dir.js";

// What a replaying command checks before it reads a single run: that it can write
// its results, and that the engine it will replay in answers. Either failing later
// costs the time spent until then, and says less about the cause.

/** `dryRun`: nothing will be written, so the results folder is not checked (nor created); the engine still is, since a preview asks it about images. */
export async function preflight(
  opts: { resultsDir: string; executor: ExecutorKind; engines?: readonly EngineEndpoint[] },
  { dryRun = false }: { dryRun?: boolean } = {},
): Promise<void> {
  if (!dryRun) checkResultsDir(opts.resultsDir);
  if (!EXECUTORS[opts.executor].needsEngine) return;
  // Loaded here, not at the top: dockerode is for the commands that talk to an engine.
  const { checkEngine, docker, dockerFor } = await import("../exec/engine.js");
  if (opts.engines === undefined) await checkEngine(docker());
  // Every engine named must answer at the start; one that stops later is failed over.
  else for (const e of opts.engines) await checkEngine(dockerFor(e.url), e.url);
}
