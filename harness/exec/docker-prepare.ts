import { statSync } from "node:fs";
import { DockerExecutor } from "./docker-executor.js";
import { docker, dockerFor } from "./engine.js";
import { type EngineEndpoint, remoteEngineNote } from "./engine-endpoints.js";
import { ensureImageOn } from "./engine-images.js";
import { baseRecipe, baseTag, presentBaseImage } from "./base-image.js";
import { ensureEnvImage, envImageKey, imagePresent } from "./env-image.js";
import type { EngineExecutor, ImageInfo, ImagePreviewResult, PrepareRequest, PreparedExecutor } from "./executors.js";
import { imageWorkdirFiles, workdirNotCopyable } from "./image-workdir.js";
import { resolveNamedImage } from "./named-image.js";
import { chooseBase } from "./python-bases.js";
import { reapLeftovers } from "./reap.js";

// Getting the docker executor ready for a plan: the pinned image (the MLproject's
// named image resolved to its ID, else one built offline from the plan's
// requirements), and no containers left behind by a harness killed earlier. With
// several engines (--engine), the image is prepared on the first and made present
// by ID on the others, and leftovers are reaped on each.

export async function prepareDocker(req: PrepareRequest): Promise<PreparedExecutor> {
  const [first, ...others] = req.engines ?? [];
  const client = first !== undefined ? dockerFor(first.url) : docker();
  const image = await pinnedImage(req, client);
  await reapOn(client, req, others.length > 0 && first !== undefined ? ` on ${first.name}` : "");
  const executor = new DockerExecutor(client);
  const engines: EngineExecutor[] = first !== undefined ? [{ name: first.name, executor }] : [];
  const notes: string[] = (req.engines ?? []).flatMap((e) => remoteEngineNote(e) ?? []);
  for (const other of others) {
    const ready = await onOtherEngine(client, other, image.imageId, req);
    if ("executor" in ready) engines.push(ready);
    else notes.push(ready.note);
  }
  if ((statSync(req.codePath).mode & 0o005) !== 0o005) {
    // Replays run as uid 65534 (nobody): a 0700 folder fails as "Permission denied" inside.
    notes.push(
      `the code folder ${req.codePath} is not readable by other users; replays run as an unprivileged user and may not read it (chmod o+rX)`,
    );
  }
  return { executor, ...(first !== undefined ? { engines } : {}), image, notes };
}

/** Containers a harness killed earlier left on this engine (this audit's, or any past its deadline), removed. */
async function reapOn(client: ReturnType<typeof docker>, req: PrepareRequest, where: string): Promise<void> {
  // A harness killed earlier (this run's in this audit, or any whose containers outlived their deadline) left these.
  const reaped = await reapLeftovers(client, {
    auditId: req.auditId,
    ...(req.runId !== undefined ? { runId: req.runId } : {}),
  });
  const probes = reaped.probes.length > 0 ? ` (and ${reaped.probes.length} of its environment probes)` : "";
  if (reaped.removed.length > 0)
    req.onStage(`removed ${reaped.removed.length} container(s) left by an interrupted harness${probes}${where}`);
  else if (probes !== "")
    req.onStage(
      `removed ${reaped.probes.length} environment probe container(s) left by an interrupted harness${where}`,
    );
}

/**
 * Another engine made ready: leftovers reaped and the pinned image present by ID
 * (copied from the first where missing). One that cannot be made ready is left out
 * of this run's engines with a note saying why; the run's replays go to the others.
 */
async function onOtherEngine(
  from: ReturnType<typeof docker>,
  engine: EngineEndpoint,
  imageId: string,
  req: PrepareRequest,
): Promise<EngineExecutor | { note: string }> {
  const client = dockerFor(engine.url);
  try {
    await reapOn(client, req, ` on ${engine.name}`);
    if ((await ensureImageOn(from, client, imageId)) === "copied")
      req.onStage(`copied the pinned image ${imageId.slice(7, 19)} to ${engine.name}`);
    return { name: engine.name, executor: new DockerExecutor(client) };
  } catch (err) {
    return { note: `engine ${engine.name} ran none of these replays: ${(err as Error).message}` };
  }
}

async function pinnedImage(req: PrepareRequest, client: ReturnType<typeof docker>): Promise<ImageInfo> {
  const e = req.environment;
  if (e.dockerImage) {
    req.onStage(`using the MLproject's image ${e.dockerImage}`);
    const named = await resolveNamedImage(e.dockerImage, client);
    const info: ImageInfo = {
      imageId: named.imageId,
      built: false,
      seconds: 0,
      mismatches: [],
      workingDir: named.workingDir,
    };
    return e.dockerWorkdir === "image" ? { ...info, workdirFiles: await workdirFiles(client, named) } : info;
  }
  req.onStage(`preparing the pinned image (${e.requirements.length} requirements)`);
  const built = await ensureEnvImage({
    requirements: e.requirements,
    ...(e.python ? { python: e.python } : {}),
    ignored: e.ignored,
    ...(req.localWheels !== undefined && req.localWheels.length > 0 ? { localWheels: req.localWheels } : {}),
    ...(e.tooling !== undefined ? { tooling: e.tooling } : {}),
    ...(req.onBuildProgress ? { onProgress: req.onBuildProgress } : {}),
    ...(req.signal ? { signal: req.signal } : {}),
    client,
  });
  return { imageId: built.imageId, built: built.built, seconds: built.seconds, mismatches: built.mismatches };
}

/** The named image's WORKDIR as host files for the replays' copies, or why there are none. */
async function workdirFiles(
  client: ReturnType<typeof docker>,
  named: { imageId: string; workingDir: string },
): Promise<NonNullable<ImageInfo["workdirFiles"]>> {
  const why = workdirNotCopyable(named.workingDir);
  if (why !== undefined) return { notCopied: why };
  try {
    return { dir: await imageWorkdirFiles(client, named.imageId, named.workingDir) };
  } catch (err) {
    return {
      notCopied: `the image's working directory ${named.workingDir} could not be read out: ${(err as Error).message}`,
    };
  }
}

/**
 * What `prepareDocker` would run the replays in, from the engine's inspect calls only:
 * a preview builds, pulls, downloads and reaps nothing. A named image the engine does
 * not have is the problem a replay would fail with.
 */
export async function previewDocker(e: PrepareRequest["environment"], url?: string): Promise<ImagePreviewResult> {
  // The engine prepare would build on: the first --engine (the others get it copied).
  const client = url !== undefined ? dockerFor(url) : docker();
  if (e.dockerImage) {
    try {
      const named = await resolveNamedImage(e.dockerImage, client);
      return { image: { kind: "named", image: e.dockerImage, imageId: named.imageId, present: true } };
    } catch (err) {
      return {
        image: { kind: "named", image: e.dockerImage, present: false },
        problem: (err as Error).message,
      };
    }
  }
  const choice = chooseBase(e.python);
  const chosen = {
    baseSuite: choice.base.suite,
    ...(choice.requested !== undefined ? { pythonChoice: choice.reason } : {}),
  };
  const base = await presentBaseImage(client, choice.base.suite);
  if (base === undefined)
    return {
      image: {
        kind: "recipe",
        base: baseTag(baseRecipe(choice.base.suite)),
        ...chosen,
        basePresent: false,
        requirements: e.requirements.length,
      },
    };
  const { tag } = envImageKey(base, {
    requirements: e.requirements,
    ignored: e.ignored,
    ...(e.python !== undefined ? { python: e.python } : {}),
    ...(e.tooling !== undefined ? { tooling: e.tooling } : {}),
  });
  return {
    image: {
      kind: "recipe",
      base: base.tag,
      ...chosen,
      basePresent: true,
      basePython: base.pythonVersion,
      requirements: e.requirements.length,
      tag,
      cached: await imagePresent(tag, client),
    },
  };
}
