import { lstatSync, readFileSync, readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { importsMlflow } from "./mlflow-requirement.js";

// Which .py file of a code folder imports mlflow: the input to mlflow-requirement.ts.
// Bounded, so a checkout with a vendored tree or a committed virtualenv costs little:
// folders that are never the project's own code are skipped, and at most MAX_FILES
// files of at most MAX_BYTES each are read.

const SKIPPED_DIRS = new Set([
  ".git",
  ".hg",
  ".svn",
  "node_modules",
  "__pycache__",
  ".venv",
  "venv",
  ".tox",
  ".nox",
  ".mypy_cache",
  ".pytest_cache",
  "site-packages",
  "mlruns",
]);
const MAX_FILES = 2000;
const MAX_BYTES = 512 * 1024;

/**
 * The first .py file under `dir` (breadth first, names sorted, relative to `root`)
 * that imports mlflow; undefined when none of those read does.
 */
export function mlflowImportIn(dir: string, root: string = dir): string | undefined {
  let read = 0;
  const queue = [dir];
  while (queue.length > 0 && read < MAX_FILES) {
    const current = queue.shift() as string;
    let names: string[];
    try {
      names = readdirSync(current).sort();
    } catch {
      continue;
    }
    // A virtualenv under any name (env/, .env311/) is marked by its pyvenv.cfg.
    if (current !== dir && names.includes("pyvenv.cfg")) continue;
    for (const name of names) {
      const path = join(current, name);
      // lstat: a symlink is not followed (a link to a parent folder would loop).
      const st = lstatSync(path, { throwIfNoEntry: false });
      if (st === undefined) continue;
      if (st.isDirectory()) {
        if (!SKIPPED_DIRS.has(name)) queue.push(path);
        continue;
      }
      if (!st.isFile() || !name.endsWith(".py") || st.size > MAX_BYTES) continue;
      if (read++ >= MAX_FILES) break;
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch {
        continue;
      }
      if (importsMlflow(text)) return relative(root, path).split(sep).join("/");
    }
  }
  return undefined;
}
