import { lstatSync, readdirSync } from "node:fs";
import { join, sep } from "node:path";
import { execa } from "execa";
import { isEnvironmentFile } from "./requirements.js";

// I/O: which files of a project folder the scan reads (document.ts LISTING_RULE says
// it in words). Git's own list where the folder is in a work tree, so .gitignore is
// honoured exactly as git reads it; a walk elsewhere. Vendored and generated folders
// are skipped either way: a committed virtualenv is not the project's code.

const SKIPPED_DIRS = new Set([
  ".git",
  ".hg",
  ".svn",
  ".venv",
  "venv",
  "env",
  "site-packages",
  "dist-packages",
  "node_modules",
  "__pycache__",
  "build",
  "dist",
  ".tox",
  ".nox",
  ".eggs",
  ".mypy_cache",
  ".pytest_cache",
  ".ipynb_checkpoints",
  "mlruns",
  "mlartifacts",
]);
const MAX_BYTES = 2 * 1024 * 1024;

export interface ListedFiles {
  listing: "git" | "walk";
  /** relative to the folder, `/`-separated, sorted */
  files: string[];
  skipped: Array<{ file: string; reason: string }>;
}

const wanted = (name: string) => name.endsWith(".py") || name.endsWith(".ipynb") || isEnvironmentFile(name);

async function gitList(dir: string): Promise<string[] | undefined> {
  const inside = await execa("git", ["-C", dir, "rev-parse", "--is-inside-work-tree"], { reject: false });
  if (inside.exitCode !== 0 || inside.stdout.trim() !== "true") return undefined;
  const listed = await execa(
    "git",
    ["-C", dir, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
    {
      reject: false,
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  if (listed.exitCode !== 0) return undefined;
  return [...new Set(listed.stdout.split("\0").filter((f) => f !== ""))];
}

function walk(dir: string): string[] {
  const out: string[] = [];
  const visit = (rel: string) => {
    const names = readdirSync(join(dir, rel)).sort();
    // a virtualenv under any name (env311/) is marked by its pyvenv.cfg
    if (rel !== "" && names.includes("pyvenv.cfg")) return;
    for (const name of names) {
      const path = rel === "" ? name : `${rel}/${name}`;
      const st = lstatSync(join(dir, path), { throwIfNoEntry: false });
      if (st?.isDirectory() && !SKIPPED_DIRS.has(name)) visit(path);
      else if (st !== undefined && !st.isDirectory()) out.push(path);
    }
  };
  visit("");
  return out;
}

/** The .py, .ipynb and environment files of `dir` the scan reads, and why others were left. */
export async function listProjectFiles(dir: string): Promise<ListedFiles> {
  const fromGit = await gitList(dir);
  const listing = fromGit === undefined ? "walk" : "git";
  const candidates = (fromGit ?? walk(dir)).map((f) => f.split(sep).join("/"));
  const files: string[] = [];
  const skipped: ListedFiles["skipped"] = [];
  const venvDirs = new Map<string, boolean>();
  const inVenv = (parts: string[]) =>
    parts.slice(0, -1).some((_, i) => {
      const d = parts.slice(0, i + 1).join("/");
      if (!venvDirs.has(d))
        venvDirs.set(d, lstatSync(join(dir, d, "pyvenv.cfg"), { throwIfNoEntry: false }) !== undefined);
      return venvDirs.get(d) === true;
    });
  for (const file of candidates.sort()) {
    const parts = file.split("/");
    const name = parts[parts.length - 1] ?? "";
    if (!wanted(name) || parts.slice(0, -1).some((p) => SKIPPED_DIRS.has(p))) continue;
    if (listing === "git" && inVenv(parts)) continue;
    const st = lstatSync(join(dir, file), { throwIfNoEntry: false });
    // git lists a tracked file deleted from the work tree, and symlinks as such
    if (st === undefined || st.isSymbolicLink() || !st.isFile()) continue;
    if (st.size > MAX_BYTES) skipped.push({ file, reason: `larger than ${MAX_BYTES / 1024 / 1024} MiB` });
    else files.push(file);
  }
  // A folder git ignores as a whole lists nothing: say so rather than report a clean project.
  if (listing === "git" && files.length === 0) {
    const ignored = await execa("git", ["-C", dir, "check-ignore", "-q", "."], { reject: false });
    if (ignored.exitCode === 0)
      skipped.push({
        file: ".",
        reason: "the folder is git-ignored in its work tree: scan a copy outside it to read it",
      });
  }
  return { listing, files, skipped };
}
