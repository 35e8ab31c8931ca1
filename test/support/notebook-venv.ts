import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { cacheDir } from "../../harness/exec/cache-dir.js";
import { NOTEBOOK_TOOLING } from "../../harness/exec/notebook-tooling.js";
import { projectDir } from "./cli.js";

/**
 * A host virtualenv that runs the bundled notebooks for real: their lock (hash-checked)
 * plus the harness's kernel and runner (NOTEBOOK_TOOLING), from PyPI, made once and
 * kept under the cache, named by a hash of what it holds. Its python records notebook
 * runs (test/python/record_notebook_run.py).
 */
export async function ensureNotebookVenv(lock = "notebooks/basic/requirements.lock"): Promise<string> {
  const lockText = readFileSync(join(projectDir, lock), "utf8");
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
