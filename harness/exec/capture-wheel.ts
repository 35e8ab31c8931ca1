import { createHash } from "node:crypto";
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { execa } from "execa";
import { ReproAuditError } from "../errors.js";
import { projectRoot } from "../project-root.js";
import { venvPython } from "../tracking/server/venv.js";
import { cacheDir } from "./cache-dir.js";
import { withFileLock } from "./file-lock.js";

// The capture plugin (harness/capture, Python) as a wheel the harness can install
// into replay images and throwaway venvs without a network: py3-none-any, built
// with the project's python by the package's own stdlib-only build backend (nothing is
// downloaded), cached by a hash of the package's files.

/** The wheel could not be built: a broken checkout or project venv, which the user fixes (exit 2). */
export class CaptureWheelError extends ReproAuditError {
  override name = "CaptureWheelError";
  readonly kind = "bad input";
}

/** The plugin's source folder in this checkout (or installed package). */
export function captureSourceDir(): string {
  return join(projectRoot(), "harness", "capture");
}

/** Build leftovers and caches: not part of what the wheel is made of. */
const NOT_SOURCE = /(^|\/)(build|dist|__pycache__|[^/]*\.egg-info)(\/|$)|\.pyc$/;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      const rel = relative(dir, path);
      if (NOT_SOURCE.test(rel)) continue;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) out.push(rel);
    }
  };
  walk(dir);
  return out.sort();
}

/** sha256 over every source file's path and bytes: a changed file is a new wheel. */
export function captureSourceHash(dir = captureSourceDir()): string {
  const hash = createHash("sha256");
  for (const rel of sourceFiles(dir)) {
    hash.update(`${rel}\u0000`);
    hash.update(readFileSync(join(dir, rel)));
    hash.update("\u0000");
  }
  return hash.digest("hex").slice(0, 16);
}

function findWheel(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const wheel = readdirSync(dir).find((f) => f.startsWith("repro_audit_capture-") && f.endsWith("-py3-none-any.whl"));
  return wheel === undefined ? undefined : join(dir, wheel);
}

/**
 * The absolute path of the capture plugin's wheel, built on first use. Cached under
 * `<cacheDir>/capture-wheel/<content hash>/`; concurrent callers share one build.
 */
export async function captureWheel(opts: { cacheDir?: string } = {}): Promise<string> {
  const src = captureSourceDir();
  const root = resolve(opts.cacheDir ?? cacheDir(), "capture-wheel");
  const dir = join(root, captureSourceHash(src));
  const cached = findWheel(dir);
  if (cached !== undefined) return cached;
  mkdirSync(root, { recursive: true });
  return withFileLock(`${dir}.lock`, async () => {
    const again = findWheel(dir);
    if (again !== undefined) return again;
    // Built from a copy: setuptools writes build/ and *.egg-info next to the sources.
    const work = mkdtempSync(join(tmpdir(), "repro-capture-wheel-"));
    try {
      const copy = join(work, "src");
      cpSync(src, copy, { recursive: true, filter: (p) => !NOT_SOURCE.test(relative(src, p)) });
      const out = join(work, "out");
      const python = venvPython();
      const result = await execa(
        python,
        ["-m", "pip", "wheel", "--no-deps", "--no-index", "--quiet", "-w", out, copy],
        { reject: false, timeout: 120_000, env: { PIP_DISABLE_PIP_VERSION_CHECK: "1" } },
      );
      const built = findWheel(out);
      if (result.exitCode !== 0 || built === undefined) {
        throw new CaptureWheelError(
          `could not build the capture plugin's wheel from ${src} with ${python}: ` +
            `${
              String(result.stderr || result.stdout)
                .trim()
                .slice(-800) || `exit ${result.exitCode}`
            }. ` +
            "It builds with the package's own backend (harness/capture/_backend), which needs Python 3.11+ in the project venv (npm run setup creates it)",
        );
      }
      mkdirSync(dir, { recursive: true });
      // copied (the temp dir may be another file system), then renamed into place in one step
      const target = join(dir, built.slice(out.length + 1));
      copyFileSync(built, `${target}.partial`);
      renameSync(`${target}.partial`, target);
      return target;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
}
