import { readFileSync } from "node:fs";
import { copyFile, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type Docker from "dockerode";
import { pack } from "tar-fs";
import { z } from "zod";
import { baseRecipe, ensureBaseImage } from "./base-image.js";
import { followEngineStream, type OnBuildProgress } from "./build-progress.js";
import { cacheDir } from "./cache-dir.js";
import { contentHash } from "./content-hash.js";
import { docker } from "./engine.js";
import type { EnvSpec } from "./env-spec.js";
import { withFileLock } from "./file-lock.js";
import { type BaseChoice, chooseBase, pythonMismatch } from "./python-bases.js";
import { type IgnoredEntry, hashPinned, parseRequirementList } from "./requirements.js";
import { type LocalWheel, downloadWheels, localWheels, machineFor, type WheelTarget } from "./wheels.js";
import { NOTEBOOK_RUNNER_FILE, NOTEBOOK_RUNNER_PATH } from "./notebook-tooling.js";
import { projectRoot } from "../project-root.js";

/** Bump when the Dockerfile or install recipe changes, so old tags stop matching. */
const ENV_RECIPE_VERSION = 1;

export const ENV_REPO = "repro-audit/env";

/** Something asked for that the image does not have; the report shows each one. */
export const Mismatch = z.object({ what: z.string(), requested: z.string(), actual: z.string() });
export type Mismatch = z.infer<typeof Mismatch>;

export interface EnvImageRequest {
  /** pip requirement lines (requirements.txt / lock lines; `-r` includes are not resolved here). */
  requirements: readonly string[];
  /** Requested python ("3.8.10", ">=3.9"): it chooses the base (python-bases.ts); what that base lacks is a mismatch. */
  python?: string;
  /** Entries the caller already could not honour (e.g. conda-only packages), carried into mismatches. */
  ignored?: readonly IgnoredEntry[];
  /**
   * Local wheel files installed after the requirements (absolute paths; compare's capture arm
   * installs the capture plugin so). Their sha256 is part of the cache tag.
   */
  localWheels?: readonly string[];
  /**
   * The harness's own tooling (a notebook replay: kernel and runner, notebook-tooling.ts),
   * installed after the requirements in a second pip step, with the runner script copied in.
   */
  tooling?: readonly string[];
  onProgress?: OnBuildProgress;
  client?: Docker;
  signal?: AbortSignal;
}

export interface EnvImage {
  imageId: string;
  tag: string;
  mismatches: Mismatch[];
  /** False when an image with the same inputs was already present. */
  built: boolean;
  seconds: number;
  /** Python inside the image, e.g. "3.11.2". */
  pythonVersion: string;
  /** Every installed distribution as `name==version` (from the wheels). */
  resolved: string[];
  baseImageId: string;
  /** the base it was built on: its suite, and why that one for the requested python */
  base: { suite: string; tag: string; choice: BaseChoice };
}

const LABEL_INPUTS = "org.repro-audit.inputs";
const LABEL_MISMATCHES = "org.repro-audit.mismatches";
const LABEL_RESOLVED = "org.repro-audit.resolved";
const LABEL_PYTHON = "org.repro-audit.python";

const Labels = z.object({
  [LABEL_MISMATCHES]: z.string().transform((s) => z.array(Mismatch).parse(JSON.parse(s))),
  [LABEL_RESOLVED]: z.string().transform((s) => z.array(z.string()).parse(JSON.parse(s))),
  [LABEL_PYTHON]: z.string(),
});

/** The inputs an environment image is a function of; their hash is the image tag. */
export function envImageInputs(
  baseImageId: string,
  requirements: readonly string[],
  python: string | undefined,
  target: WheelTarget,
) {
  return {
    recipe: ENV_RECIPE_VERSION,
    base: baseImageId,
    requirements: [...requirements].sort(),
    python: python ?? null,
    target,
  };
}

/** The image's Dockerfile: requirements, then the harness's tooling, then local wheels, each a pip step of its own. */
export function dockerfile(
  baseImageId: string,
  hasRequirements: boolean,
  extra: { tooling?: boolean; localWheelFiles?: readonly string[] } = {},
): string {
  const pip = "/opt/venv/bin/pip install --no-index --no-cache-dir --disable-pip-version-check";
  const install = hasRequirements ? ` \\\n && ${pip} --find-links /tmp/wheels -r /tmp/wheels/requirements.txt` : "";
  // A second step: a hash-pinned lock puts pip in --require-hashes mode, which the tooling's lines are not in.
  const hasTooling = extra.tooling === true;
  const tooling = hasTooling
    ? ` \\\n && ${pip} --find-links /tmp/wheels/tooling -r /tmp/wheels/tooling/requirements.txt`
    : "";
  // Local wheels last: their dependencies must already be there or among the wheels (offline).
  const localWheelFiles = extra.localWheelFiles ?? [];
  const local =
    localWheelFiles.length > 0
      ? ` \\\n && ${pip} --find-links /tmp/wheels ${localWheelFiles.map((f) => `/tmp/wheels/local/${f}`).join(" ")}`
      : "";
  const runnerDir = NOTEBOOK_RUNNER_PATH.slice(0, NOTEBOOK_RUNNER_PATH.lastIndexOf("/"));
  return [
    `FROM ${baseImageId}`,
    "COPY wheels/ /tmp/wheels/",
    ...(hasTooling ? [`COPY runner/ ${runnerDir}/`] : []),
    // The replay user is not root: the venv must be readable and traversable by anyone.
    `RUN python3 -m venv /opt/venv${install}${tooling}${local} \\\n && rm -rf /tmp/wheels \\\n && chmod -R a+rX /opt/venv${hasTooling ? ` ${runnerDir}` : ""}`,
    "ENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin PYTHONDONTWRITEBYTECODE=1 HOME=/tmp LANG=C.UTF-8",
    "WORKDIR /tmp",
    "",
  ].join("\n");
}

async function inspectIfPresent(client: Docker, ref: string): Promise<Docker.ImageInspectInfo | undefined> {
  try {
    return await client.getImage(ref).inspect();
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

interface ChosenBase {
  imageId: string;
  tag: string;
  suite: string;
  pythonVersion: string;
  choice: BaseChoice;
}

function fromInspect(
  info: Docker.ImageInspectInfo,
  tag: string,
  base: ChosenBase,
  built: boolean,
  t0: number,
): EnvImage {
  const parsed = Labels.safeParse(info.Config?.Labels ?? {});
  if (!parsed.success)
    throw new Error(`Image ${tag} (${info.Id}) lacks repro-audit labels; remove it (docker rmi ${tag}) and retry.`);
  return {
    imageId: info.Id,
    tag,
    mismatches: parsed.data[LABEL_MISMATCHES],
    built,
    seconds: (Date.now() - t0) / 1000,
    pythonVersion: parsed.data[LABEL_PYTHON],
    resolved: parsed.data[LABEL_RESOLVED],
    baseImageId: base.imageId,
    base: { suite: base.suite, tag: base.tag, choice: base.choice },
  };
}

const inFlight = new Map<string, Promise<EnvImage>>();

/**
 * Builds (or reuses) `FROM base` + a venv with exactly these requirements, installed from wheels
 * downloaded on the host for the base's python, with the build's network set to none. The base
 * is the one the requested python chooses. Tagged by a hash of its inputs (the base's ID among them).
 */
export async function ensureEnvImage(req: EnvImageRequest): Promise<EnvImage> {
  const t0 = Date.now();
  const client = req.client ?? docker();
  const choice = chooseBase(req.python);
  req.onProgress?.({ phase: "base", message: choice.reason });
  const base = {
    ...(await ensureBaseImage({
      suite: choice.base.suite,
      client,
      ...(req.onProgress ? { onProgress: req.onProgress } : {}),
    })),
    choice,
  };
  const wheels = await localWheels(req.localWheels ?? []);
  const { tag, hash, requirements, ignored, target } = envImageKey(base, { ...req, localWheels: wheels });

  let p = inFlight.get(tag);
  if (!p) {
    p = buildOrReuse(client, tag, hash, base, requirements, ignored, target, { ...req, wheels }, t0).finally(() =>
      inFlight.delete(tag),
    );
    inFlight.set(tag, p);
  }
  return p;
}

/**
 * The cache tag of the image for these requirements on this base, and what it is a
 * function of: computed without the engine, so a preview names the same tag a build would.
 */
export function envImageKey(
  base: { imageId: string; pythonVersion: string; glibcVersion: string },
  req: Pick<EnvImageRequest, "requirements" | "python" | "ignored" | "tooling"> & {
    localWheels?: readonly LocalWheel[];
  },
): { tag: string; hash: string; requirements: string[]; ignored: IgnoredEntry[]; target: WheelTarget } {
  const parsed = parseRequirementList(req.requirements);
  const ignored = [...(req.ignored ?? []), ...parsed.ignored];
  const target: WheelTarget = {
    pythonMinor: base.pythonVersion.split(".").slice(0, 2).join("."),
    glibc: base.glibcVersion,
    machine: machineFor(baseRecipe().arch),
  };
  // Ignored entries are part of the inputs: they change what the report must say about the image.
  const inputs = {
    ...envImageInputs(base.imageId, parsed.requirements, req.python, target),
    ignored: ignored.map((i) => i.entry).sort(),
    // Each only when there are any, so every image made without them keeps its tag.
    ...(req.localWheels !== undefined && req.localWheels.length > 0
      ? { localWheels: req.localWheels.map((w) => ({ file: w.file, sha256: w.sha256 })) }
      : {}),
    ...(req.tooling !== undefined && req.tooling.length > 0
      ? { tooling: { requirements: [...req.tooling].sort(), runner: contentHash({ source: runnerSource() }) } }
      : {}),
  };
  const hash = contentHash(inputs);
  return { tag: `${ENV_REPO}:${hash}`, hash, requirements: parsed.requirements, ignored, target };
}

/** The notebook runner's source (harness/exec/notebook_runner.py; dist/ has no copy, so the sources' one). */
function runnerFile(): string {
  return join(projectRoot(), "harness", "exec", NOTEBOOK_RUNNER_FILE);
}

function runnerSource(): string {
  return readFileSync(runnerFile(), "utf8");
}

/** Whether the engine has an image by this tag (a preview's "cached"; nothing is built). */
export async function imagePresent(tag: string, client: Docker = docker()): Promise<boolean> {
  return (await inspectIfPresent(client, tag)) !== undefined;
}

/** Convenience for a parsed environment file (python_env.yaml, conda.yaml, requirements, lock). */
export function ensureEnvImageFromSpec(
  spec: EnvSpec,
  opts: Omit<EnvImageRequest, "requirements" | "python" | "ignored"> = {},
): Promise<EnvImage> {
  return ensureEnvImage({
    ...opts,
    requirements: spec.requirements,
    ignored: spec.ignored,
    ...(spec.python !== undefined ? { python: spec.python } : {}),
  });
}

async function buildOrReuse(
  client: Docker,
  tag: string,
  hash: string,
  base: ChosenBase,
  requirements: string[],
  ignored: IgnoredEntry[],
  target: WheelTarget,
  req: EnvImageRequest & { wheels: readonly LocalWheel[] },
  t0: number,
): Promise<EnvImage> {
  const present = await inspectIfPresent(client, tag);
  if (present) return fromInspect(present, tag, base, false, t0);

  const dir = cacheDir("env");
  await mkdir(dir, { recursive: true });
  return withFileLock(
    join(dir, `${hash}.lock`),
    async () => {
      const again = await inspectIfPresent(client, tag);
      if (again) return fromInspect(again, tag, base, false, t0);

      // Against the python the base really has (probed when its rootfs was made), not the table's.
      const python = pythonMismatch(req.python, base.pythonVersion);
      const mismatches: Mismatch[] = python ? [python] : [];
      for (const i of ignored)
        mismatches.push({
          what: "requirement",
          requested: i.entry,
          actual: i.mayBeInstalled ? i.reason : `not installed: ${i.reason}`,
        });

      const ctx = join(dir, hash);
      const wheelsDir = join(ctx, "wheels");
      await rm(ctx, { recursive: true, force: true });
      await mkdir(ctx, { recursive: true });
      const wheels = await downloadWheels(
        requirements,
        wheelsDir,
        { ...target, pythonVersion: base.pythonVersion },
        {
          ...(req.onProgress ? { onProgress: req.onProgress } : {}),
          ...(req.signal ? { signal: req.signal } : {}),
        },
      );
      for (const r of wheels.relaxed) {
        const got = wheels.resolved.find((l) => l.startsWith(`${r.name}==`));
        mismatches.push({
          what: `package:${r.name}`,
          requested: r.requested,
          actual: got ? got.slice(r.name.length + 2) : "unknown",
        });
      }
      if (req.wheels.length > 0) {
        await mkdir(join(wheelsDir, "local"), { recursive: true });
        for (const w of req.wheels) await copyFile(w.path, join(wheelsDir, "local", w.file));
        req.onProgress?.({
          phase: "build",
          message: `installing local wheel(s) ${req.wheels.map((w) => w.file).join(", ")}`,
        });
      }
      const tooling = req.tooling ?? [];
      if (tooling.length > 0) {
        req.onProgress?.({ phase: "build", message: `notebook tooling: ${tooling.join(", ")}` });
        const got = await downloadWheels(
          tooling,
          join(wheelsDir, "tooling"),
          { ...target, pythonVersion: base.pythonVersion },
          {
            ...(req.onProgress ? { onProgress: req.onProgress } : {}),
            ...(req.signal ? { signal: req.signal } : {}),
          },
        );
        for (const r of got.relaxed)
          mismatches.push({ what: `package:${r.name}`, requested: r.requested, actual: "loosened (notebook tooling)" });
        await mkdir(join(ctx, "runner"), { recursive: true });
        await copyFile(runnerFile(), join(ctx, "runner", NOTEBOOK_RUNNER_FILE));
      }
      await writeFile(
        join(ctx, "Dockerfile"),
        dockerfile(base.imageId, wheels.install.length > 0, {
          tooling: tooling.length > 0,
          localWheelFiles: req.wheels.map((w) => w.file),
        }),
      );
      if (hashPinned(wheels.install))
        req.onProgress?.({
          phase: "build",
          message: "hash-pinned requirements: pip installs in --require-hashes mode",
        });

      req.onProgress?.({ phase: "build", message: `building ${tag} (network none)` });
      const stream = await client.buildImage(pack(ctx) as unknown as NodeJS.ReadableStream, {
        t: tag,
        networkmode: "none",
        rm: true,
        forcerm: true,
        labels: {
          [LABEL_INPUTS]: hash,
          [LABEL_MISMATCHES]: JSON.stringify(mismatches),
          [LABEL_RESOLVED]: JSON.stringify(wheels.resolved),
          [LABEL_PYTHON]: base.pythonVersion,
        },
        ...(req.signal ? { abortSignal: req.signal } : {}),
      });
      await followEngineStream(stream, "build", req.onProgress);
      const info = await inspectIfPresent(client, tag);
      if (!info) throw new Error(`Build of ${tag} finished but the engine does not know the tag.`);
      // The wheels are only needed until the image exists; from then on the image is the cache.
      await rm(ctx, { recursive: true, force: true });
      return fromInspect(info, tag, base, true, t0);
    },
    {
      onWait: (pid) =>
        req.onProgress?.({ phase: "build", message: `waiting for pid ${pid}, which is building ${tag}` }),
    },
  );
}
