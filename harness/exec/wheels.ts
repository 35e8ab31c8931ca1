import { createHash } from "node:crypto";
import { mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { basename, isAbsolute, join } from "node:path";
import { execa } from "execa";
import type { OnBuildProgress } from "./build-progress.js";
import { formatRequirement, normaliseName, parseRequirement } from "./requirements.js";

/** Which wheels fit the image: its CPython minor version and every manylinux tag its glibc accepts. */
export interface WheelTarget {
  /** "3.11" */
  pythonMinor: string;
  /** "3.11.2": the image's full version, for markers; left out of image hashes (the base ID pins it) */
  pythonVersion?: string;
  /** "2.36" */
  glibc: string;
  /** "x86_64", "aarch64" */
  machine: string;
}

export function machineFor(debArch: string): string {
  const map: Record<string, string> = {
    amd64: "x86_64",
    arm64: "aarch64",
    i386: "i686",
    ppc64el: "ppc64le",
    s390x: "s390x",
    armhf: "armv7l",
  };
  return map[debArch] ?? debArch;
}

/**
 * pip does not expand `manylinux_2_X` to older glibc tags on its own, so list them: a glibc 2.36
 * image runs manylinux_2_5 .. manylinux_2_36 wheels (and the legacy manylinux1/2010/2014 names).
 */
export function platformTags(target: WheelTarget): string[] {
  const [major = 2, minor = 17] = target.glibc.split(".").map((n) => Number.parseInt(n, 10));
  const tags: string[] = [];
  for (let m = minor; m >= 5; m--) tags.push(`manylinux_${major}_${m}_${target.machine}`);
  if (minor >= 17) tags.push(`manylinux2014_${target.machine}`);
  if (["x86_64", "i686"].includes(target.machine)) {
    if (minor >= 12) tags.push(`manylinux2010_${target.machine}`);
    tags.push(`manylinux1_${target.machine}`);
  }
  return tags;
}

/** A top-level pin that could not be had and was loosened to the bare name; reported as a mismatch. */
export interface Relaxation {
  name: string;
  requested: string;
  reason: string;
}

export interface WheelSet {
  /** Requirement lines to install (after relaxations), as written to requirements.txt. */
  install: string[];
  /** Every downloaded distribution, `name==version`, sorted. */
  resolved: string[];
  relaxed: Relaxation[];
}

/** "numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.whl" -> ["numpy", "1.26.4"] */
export function wheelNameVersion(file: string): [string, string] | undefined {
  const m = /^([^-]+)-([^-]+)-.+\.whl$/.exec(file);
  return m?.[1] && m[2] ? [normaliseName(m[1]), m[2]] : undefined;
}

/** The requirement pip names in "No matching distribution found for X" / "...satisfies the requirement X". */
export function unavailableRequirement(pipStderr: string): string | undefined {
  const m =
    /No matching distribution found for ([^\s]+)/.exec(pipStderr) ??
    /Could not find a version that satisfies the requirement ([^\s]+)/.exec(pipStderr);
  return m?.[1];
}

/**
 * pip evaluates environment markers (`exceptiongroup; python_version < "3.11"`) against the
 * interpreter running it, not `--python-version`: from a 3.11 host, a 3.9 image would miss
 * every dependency only older pythons need, and its offline install would fail. So pip runs
 * with its marker environment set to the image's python (pip's vendored packaging, looked up
 * at each evaluation). If pip's internals ever move, it says so rather than go on silently.
 */
export function markerShim(pythonVersion: string): string {
  const minor = pythonVersion.split(".").slice(0, 2).join(".");
  return [
    "import runpy, sys",
    "try:",
    "    import pip._vendor.packaging.markers as m",
    "    _d = m.default_environment",
    `    m.default_environment = lambda: {**_d(), 'python_version': ${JSON.stringify(minor)}, 'python_full_version': ${JSON.stringify(pythonVersion)}, 'implementation_version': ${JSON.stringify(pythonVersion)}}`,
    "except Exception as e:",
    "    print('ERROR: cannot set pip marker environment for the image python: %s' % e, file=sys.stderr); sys.exit(3)",
    "sys.argv[0] = 'pip'",
    "runpy.run_module('pip', run_name='__main__', alter_sys=True)",
  ].join("\n");
}

function hostPython(): string {
  return process.env.REPRO_AUDIT_HOST_PYTHON ?? "python3";
}

/**
 * Downloads wheels on the host for the image's python and platform, so the image build itself
 * needs no network. A top-level pin with no wheel for that python (say scikit-learn==0.24.2 on
 * 3.11) is loosened to the bare name and reported, never hidden; hash-pinned lock files are
 * never loosened (that would defeat the lock), they fail with pip's message instead.
 */
export async function downloadWheels(
  requirements: readonly string[],
  dir: string,
  target: WheelTarget,
  opts: { onProgress?: OnBuildProgress; signal?: AbortSignal } = {},
): Promise<WheelSet> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  let install = [...requirements];
  const relaxed: Relaxation[] = [];
  for (let attempt = 0; ; attempt++) {
    await writeFile(join(dir, "requirements.txt"), install.length ? `${install.join("\n")}\n` : "");
    if (install.length === 0) return { install, resolved: [], relaxed };
    const args = [
      "-c",
      markerShim(target.pythonVersion ?? `${target.pythonMinor}.0`),
      "download",
      "--disable-pip-version-check",
      "--no-input",
      "--progress-bar",
      "off",
      "--dest",
      dir,
      "--only-binary=:all:",
      "--implementation",
      "cp",
      "--python-version",
      target.pythonMinor,
      ...platformTags(target).flatMap((t) => ["--platform", t]),
      "-r",
      join(dir, "requirements.txt"),
    ];
    opts.onProgress?.({
      phase: "wheels",
      message: `pip download ${install.length} requirement(s) for cp${target.pythonMinor.replace(".", "")} / glibc ${target.glibc}`,
    });
    const proc = execa(hostPython(), args, {
      reject: false,
      all: true,
      ...(opts.signal ? { cancelSignal: opts.signal } : {}),
    });
    proc.all?.on("data", (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n"))
        if (line.trim()) opts.onProgress?.({ phase: "wheels", message: line.trim() });
    });
    const res = await proc;
    if (res.isCanceled) throw new Error("wheel download cancelled");
    if (res.exitCode === 0) {
      const resolved = new Map<string, string>();
      for (const f of await readdir(dir)) {
        const nv = wheelNameVersion(f);
        if (nv) resolved.set(nv[0], nv[1]);
      }
      return { install, resolved: [...resolved].map(([n, v]) => `${n}==${v}`).sort(), relaxed };
    }
    const output = String(res.all ?? "");
    if (
      res.exitCode === undefined ||
      (res as { code?: string }).code === "ENOENT" ||
      /ENOENT/.test(String(res.message))
    ) {
      throw new Error(
        `Cannot run ${hostPython()} -m pip on the host to download wheels; install CPython with pip or set REPRO_AUDIT_HOST_PYTHON.`,
      );
    }
    const missing = unavailableRequirement(output);
    const missingName = missing ? normaliseName(missing.replace(/[[<>=!~;(@].*$/, "")) : undefined;
    const idx = install.findIndex((line) => {
      const r = parseRequirement(line);
      return r.name === missingName && r.specifiers.length > 0 && r.hashes.length === 0;
    });
    if (idx < 0 || attempt > requirements.length) {
      throw new Error(
        `pip could not download wheels for python ${target.pythonMinor} (glibc ${target.glibc}, ${target.machine})` +
          (missing ? `: nothing usable for ${missing}` : "") +
          `. Only binary wheels can be installed offline; pin a version that ships wheels for this python, or check that PyPI is reachable.\n` +
          output.split("\n").slice(-12).join("\n"),
      );
    }
    const req = parseRequirement(install[idx] ?? "");
    relaxed.push({
      name: req.name,
      requested: req.specifiers.join(","),
      reason: `no wheel for python ${target.pythonMinor} on ${target.machine} matches ${req.specifiers.join(",")}`,
    });
    install = install.map((l, i) => (i === idx ? formatRequirement({ ...req, specifiers: [] }) : l));
    opts.onProgress?.({
      phase: "wheels",
      message: `${req.name}${req.specifiers.join(",")} cannot be had; retrying with any version of ${req.name} (recorded as a mismatch)`,
    });
  }
}

/** A local wheel file to install into an image as well (compare's capture arm: the capture plugin). */
export interface LocalWheel {
  /** absolute host path of the .whl */
  path: string;
  /** its file name, as pip needs it (name-version-tags.whl) */
  file: string;
  /** sha256 of its bytes: part of the image's cache tag, so a rebuilt wheel gets a new image */
  sha256: string;
}

/** The local wheels as the image's inputs: each read and hashed; a path that is not a .whl file is refused. */
export async function localWheels(paths: readonly string[]): Promise<LocalWheel[]> {
  const out: LocalWheel[] = [];
  for (const path of paths) {
    const file = basename(path);
    if (!isAbsolute(path) || !file.endsWith(".whl") || wheelNameVersion(file) === undefined)
      throw new Error(`${path}: a local wheel is an absolute path to a name-version-tags.whl file`);
    const bytes = await readFile(path);
    out.push({ path, file, sha256: createHash("sha256").update(bytes).digest("hex") });
  }
  return out.sort((a, b) => a.file.localeCompare(b.file));
}
