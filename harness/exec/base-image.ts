import { createReadStream } from "node:fs";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type Docker from "dockerode";
import { execa } from "execa";
import { z } from "zod";
import { followEngineStream, type OnBuildProgress } from "./build-progress.js";
import { cacheDir } from "./cache-dir.js";
import { contentHash } from "./content-hash.js";
import { docker } from "./engine.js";
import { withFileLock } from "./file-lock.js";
import { type BaseSuite, DEFAULT_SUITE } from "./python-bases.js";

/** Bump when the way the rootfs is made changes, so old tags stop matching. */
const BASE_SCRIPT_VERSION = 1;

export const BASE_REPO = "repro-audit/base";

export interface BaseRecipe {
  scriptVersion: number;
  suite: BaseSuite;
  variant: string;
  packages: string[];
  mirror: string;
  arch: string;
}

function debianArch(): string {
  const map: Record<string, string> = {
    x64: "amd64",
    arm64: "arm64",
    arm: "armhf",
    ia32: "i386",
    ppc64: "ppc64el",
    s390x: "s390x",
  };
  return map[process.arch] ?? process.arch;
}

/**
 * The recipe of one suite's base. Only the suite differs between them: the default's
 * recipe (bookworm) is the one every base had before there were several, so its hash,
 * which is its tag, is unchanged and images built then are reused.
 */
export function baseRecipe(suite: BaseSuite = DEFAULT_SUITE): BaseRecipe {
  return {
    scriptVersion: BASE_SCRIPT_VERSION,
    suite,
    variant: "minbase",
    packages: ["ca-certificates", "python3", "python3-pip", "python3-venv"],
    mirror: process.env.REPRO_AUDIT_DEBIAN_MIRROR ?? "http://deb.debian.org/debian",
    arch: debianArch(),
  };
}

export function baseTag(recipe: BaseRecipe = baseRecipe()): string {
  return `${BASE_REPO}:${contentHash(recipe)}`;
}

/** What we learn about the rootfs when it is made, kept beside the cached tarball and as image labels. */
const RootfsFacts = z.object({ python: z.string().regex(/^\d+\.\d+\.\d+/), glibc: z.string() });
type RootfsFacts = z.infer<typeof RootfsFacts>;

export interface BaseImage {
  /** the Debian suite it was debootstrapped from */
  suite: BaseSuite;
  imageId: string;
  tag: string;
  /** Full python version inside the image, e.g. "3.11.2". */
  pythonVersion: string;
  glibcVersion: string;
  built: boolean;
  seconds: number;
}

const LABEL_PY = "org.repro-audit.python";
const LABEL_GLIBC = "org.repro-audit.glibc";
const LABEL_RECIPE = "org.repro-audit.recipe";

async function inspectIfPresent(client: Docker, ref: string): Promise<Docker.ImageInspectInfo | undefined> {
  try {
    return await client.getImage(ref).inspect();
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

function fromInspect(
  info: Docker.ImageInspectInfo,
  suite: BaseSuite,
  tag: string,
  built: boolean,
  t0: number,
): BaseImage {
  const labels = info.Config?.Labels ?? {};
  return {
    suite,
    imageId: info.Id,
    tag,
    pythonVersion: labels[LABEL_PY] ?? "unknown",
    glibcVersion: labels[LABEL_GLIBC] ?? "unknown",
    built,
    seconds: (Date.now() - t0) / 1000,
  };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function debootstrapRootfs(
  recipe: BaseRecipe,
  tarball: string,
  factsFile: string,
  onProgress?: OnBuildProgress,
): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error(
      `Building the base image needs root (debootstrap), and this process runs as uid ${process.getuid?.()}. ` +
        `Run \`bash scripts/ensure-docker.sh\` and the first build as root once; later runs reuse the image ${baseTag(recipe)}.`,
    );
  }
  const which = await execa("sh", ["-c", "command -v debootstrap"], { reject: false });
  if (which.exitCode !== 0) {
    throw new Error(
      "debootstrap is not installed; run `bash scripts/ensure-docker.sh` as root (it installs it) or `apt-get install -y debootstrap`.",
    );
  }
  const rootfs = `${tarball}.rootfs`;
  await rm(rootfs, { recursive: true, force: true });
  onProgress?.({ phase: "base", message: `debootstrap ${recipe.suite} (${recipe.variant}) from ${recipe.mirror}` });
  const proc = execa(
    "debootstrap",
    [
      `--variant=${recipe.variant}`,
      `--arch=${recipe.arch}`,
      `--include=${recipe.packages.join(",")}`,
      recipe.suite,
      rootfs,
      recipe.mirror,
    ],
    { reject: false, all: true, buffer: true },
  );
  proc.all?.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n"))
      if (line.trim()) onProgress?.({ phase: "base", message: line.trim() });
  });
  const res = await proc;
  if (res.exitCode !== 0) {
    const log = await readFile(join(rootfs, "debootstrap", "debootstrap.log"), "utf8").catch(() => "");
    await rm(rootfs, { recursive: true, force: true });
    throw new Error(
      `debootstrap failed (exit ${res.exitCode}); is ${recipe.mirror} reachable? Last output:\n` +
        `${String(res.all ?? "")
          .split("\n")
          .slice(-15)
          .join("\n")}\n${log.split("\n").slice(-15).join("\n")}`,
    );
  }
  // Downloaded .debs and apt lists are only build leftovers; dropping them halves the image.
  await execa("sh", [
    "-c",
    'rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/* "$1"/debootstrap',
    "sh",
    rootfs,
  ]);
  const probe = await execa("chroot", [
    rootfs,
    "/usr/bin/python3",
    "-c",
    "import json,platform; print(json.dumps({'python': platform.python_version(), 'glibc': platform.libc_ver()[1]}))",
  ]);
  const facts = RootfsFacts.parse(JSON.parse(probe.stdout));
  onProgress?.({ phase: "base", message: `rootfs ready: python ${facts.python}, glibc ${facts.glibc}; packing` });
  const tmp = `${tarball}.tmp`;
  await execa("tar", ["--numeric-owner", "-C", rootfs, "-cf", tmp, "."]);
  await writeFile(factsFile, JSON.stringify(facts));
  await rename(tmp, tarball);
  await rm(rootfs, { recursive: true, force: true });
}

async function importTarball(
  client: Docker,
  tarball: string,
  tag: string,
  recipeHash: string,
  facts: RootfsFacts,
  onProgress?: OnBuildProgress,
): Promise<void> {
  const [repo, version] = tag.split(":") as [string, string];
  onProgress?.({ phase: "import", message: `importing ${tarball} as ${tag}` });
  const stream = await client.importImage(createReadStream(tarball), {
    repo,
    tag: version,
    changes: [
      "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "ENV LANG=C.UTF-8",
      `LABEL ${LABEL_RECIPE}=${recipeHash} ${LABEL_PY}=${facts.python} ${LABEL_GLIBC}=${facts.glibc}`,
      'CMD ["/bin/bash"]',
    ],
  } as unknown as Record<string, unknown>);
  await followEngineStream(stream, "import", onProgress);
}

const inFlight = new Map<string, Promise<BaseImage>>();

/**
 * The Debian base an environment image starts from (one per suite, so per CPython minor).
 * No registry is assumed: the rootfs is debootstrapped here (root, ~45-100 s) once, its
 * tarball cached under .cache/base/, and imported into the engine under a tag derived from
 * the recipe. Present tag -> reused as is.
 */
export function ensureBaseImage(
  opts: { suite?: BaseSuite; onProgress?: OnBuildProgress; client?: Docker } = {},
): Promise<BaseImage> {
  const recipe = baseRecipe(opts.suite);
  const tag = baseTag(recipe);
  let p = inFlight.get(tag);
  if (!p) {
    p = ensureBaseImageUncached(recipe, tag, opts).finally(() => inFlight.delete(tag));
    inFlight.set(tag, p);
  }
  return p;
}

/** A suite's base image if the engine already has it (nothing built, nothing imported): what a preview reads. */
export async function presentBaseImage(
  client: Docker = docker(),
  suite: BaseSuite = DEFAULT_SUITE,
): Promise<BaseImage | undefined> {
  const tag = baseTag(baseRecipe(suite));
  const info = await inspectIfPresent(client, tag);
  return info ? fromInspect(info, suite, tag, false, Date.now()) : undefined;
}

async function ensureBaseImageUncached(
  recipe: BaseRecipe,
  tag: string,
  opts: { onProgress?: OnBuildProgress; client?: Docker },
): Promise<BaseImage> {
  const t0 = Date.now();
  const client = opts.client ?? docker();
  const present = await inspectIfPresent(client, tag);
  if (present) return fromInspect(present, recipe.suite, tag, false, t0);

  const hash = contentHash(recipe);
  const dir = cacheDir("base");
  await mkdir(dir, { recursive: true });
  const tarball = join(dir, `${hash}.tar`);
  const factsFile = join(dir, `${hash}.json`);
  return withFileLock(
    join(dir, `${hash}.lock`),
    async () => {
      const again = await inspectIfPresent(client, tag);
      if (again) return fromInspect(again, recipe.suite, tag, false, t0);
      if (!(await exists(tarball)) || !(await exists(factsFile))) {
        await debootstrapRootfs(recipe, tarball, factsFile, opts.onProgress);
      } else {
        opts.onProgress?.({ phase: "base", message: `reusing cached rootfs ${tarball}` });
      }
      const facts = RootfsFacts.parse(JSON.parse(await readFile(factsFile, "utf8")));
      await importTarball(client, tarball, tag, hash, facts, opts.onProgress);
      const info = await inspectIfPresent(client, tag);
      if (!info) throw new Error(`Imported ${tarball} but the engine does not know ${tag} afterwards.`);
      return fromInspect(info, recipe.suite, tag, true, t0);
    },
    {
      onWait: (pid) =>
        opts.onProgress?.({ phase: "base", message: `waiting for pid ${pid}, which is building ${tag}` }),
    },
  );
}
