import { parse } from "yaml";

// Unpinned entries in a project's environment files. PURE: (file name, text) in.
// requirements*.in files are left out: they are pip-compile's loose inputs, the lock is what installs.
// A pip entry is pinned by `==` (or `===`); a conda entry by `=`/`==` before a version
// (`numpy=1.26`, conda's own spelling). Options (-r, -c, --index-url), editable
// installs and URLs/paths are not version specs and are left alone. MLflow's
// python_env.yaml build_dependencies (pip, setuptools, wheel) only build the
// environment and are not checked.

export interface UnpinnedEntry {
  line: number;
  entry: string;
}

/** Environment files the scan reads, by base name. */
export function isEnvironmentFile(name: string): boolean {
  return /^requirements[\w.-]*\.txt$/.test(name) || name === "python_env.yaml" || /^conda[\w.-]*\.ya?ml$/.test(name);
}

function pipUnpinned(spec: string): boolean {
  const s = spec.replace(/\s+#.*$/, "").trim();
  if (s === "" || s.startsWith("#") || s.startsWith("-") || /:\/\/|^[./~]/.test(s) || /\s@\s/.test(s)) return false;
  return !/===?/.test(s);
}

function condaUnpinned(spec: string): boolean {
  const s = spec.trim();
  // conda's `pip` entry is the installer for the `pip:` list, like build_dependencies
  if (s === "" || s.startsWith("#") || s === "pip") return false;
  return !/(^|[^<>!~])=+\s*\d/.test(s);
}

function lineOf(lines: readonly string[], entry: string, from: number): number {
  for (let i = from; i < lines.length; i++) if (lines[i]?.includes(entry)) return i + 1;
  return from + 1;
}

/** The unpinned entries of one environment file; a string saying why when it cannot be read. */
export function unpinnedEntries(name: string, text: string): UnpinnedEntry[] | string {
  const lines = text.split(/\r?\n/);
  if (name.endsWith(".txt")) {
    return lines.flatMap((line, i) =>
      pipUnpinned(line) ? [{ line: i + 1, entry: line.replace(/\s+#.*$/, "").trim() }] : [],
    );
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    return `not valid YAML (${err instanceof Error ? err.message.split("\n")[0] : String(err)})`;
  }
  if (typeof doc !== "object" || doc === null) return [];
  const deps = (doc as { dependencies?: unknown }).dependencies;
  if (!Array.isArray(deps)) return [];
  const out: UnpinnedEntry[] = [];
  let cursor = 0;
  const add = (entry: string) => {
    const line = lineOf(lines, entry, cursor);
    cursor = line;
    out.push({ line, entry });
  };
  const conda = name !== "python_env.yaml";
  for (const dep of deps) {
    if (typeof dep === "string") {
      if (conda ? condaUnpinned(dep) : pipUnpinned(dep)) add(dep.trim());
      else cursor = lineOf(lines, dep, cursor);
    } else if (typeof dep === "object" && dep !== null && Array.isArray((dep as { pip?: unknown }).pip)) {
      for (const p of (dep as { pip: unknown[] }).pip)
        if (typeof p === "string") {
          if (pipUnpinned(p)) add(p.trim());
          else cursor = lineOf(lines, p, cursor);
        }
    }
  }
  return out;
}
