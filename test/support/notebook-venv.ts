import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { cacheDir } from "../../harness/exec/cache-dir.js";
import { NOTEBOOK_TOOLING } from "../../harness/exec/notebook-tooling.js";
import { projectDir } from "./cli.js";
import { venvPython } from "./record-run.js";

/**
 * A host virtualenv that runs the bundled notebooks for real: their lock (hash-checked)
 * plus the harness's kernel and runner (NOTEBOOK_TOOLING), from PyPI, made once and
 * kept under the cache, named by a hash of what it holds. Its python records notebook
 * runs (test/python/record_notebook_run.py).
 */
export async function ensureNotebookVenv(lock = "notebooks/basic/requirements.lock"): Promise<string> {
  const lockText = readFileSync(join(projectDir, lock), "utf8");
  // The project venv (scripts/python/server-requirements.lock) carries the kernel and the
  // runner too: where it pins every package of the notebook's lock at the same version, a
  // run recorded with it computes what the pinned image computes, and no venv is built.
  const serverLock = readFileSync(join(projectDir, "scripts/python/server-requirements.lock"), "utf8");
  const serverPins = new Set(pins(serverLock));
  if ([...pins(lockText), ...NOTEBOOK_TOOLING].every((p) => serverPins.has(p.toLowerCase())) && existsSync(venvPython))
    return venvPython;
  const key = createHash("sha256")
    .update(JSON.stringify({ lock: lockText, tooling: NOTEBOOK_TOOLING }))
    .digest("hex")
    .slice(0, 16);
  const dir = cacheDir(`notebook-host-venv-${key}`);
  const python = join(dir, "bin", "python");
  if (existsSync(join(dir, ".complete"))) return python;
  const tmp = `${dir}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  await execa("python3", ["-m", "venv", tmp]);
  const pip = [join(tmp, "bin", "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"];
  await execa(pip[0] as string, [...pip.slice(1), "--require-hashes", "-r", join(projectDir, lock)]);
  await execa(pip[0] as string, [...pip.slice(1), ...NOTEBOOK_TOOLING]);
  await execa("touch", [join(tmp, ".complete")]);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  // A venv's scripts name their folder: the renamed one runs through `python -m` only, which is all that is used.
  return python;
}

/** `name==version` of each requirement line of a pip lock, lower-cased. */
function pins(lockText: string): string[] {
  return lockText
    .split("\n")
    .map((l) => /^([A-Za-z0-9][A-Za-z0-9._-]*==[^\s;\\]+)/.exec(l)?.[1]?.toLowerCase())
    .filter((p): p is string => p !== undefined);
}
