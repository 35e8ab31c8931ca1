import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The repository root, found from this module's location rather than the working
 * directory, so that the CLI and its cache behave the same from harness/ (vitest,
 * sources), from dist/harness/ (built) and from any cwd. The root is the folder whose
 * package.json names repro-audit: a package.json further down is someone else's.
 */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (namesUs(join(dir, "package.json"))) return dir;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error("repro-audit: cannot find the project root (the package.json named repro-audit)");
    dir = parent;
  }
}

function namesUs(pkg: string): boolean {
  if (!existsSync(pkg)) return false;
  try {
    return (JSON.parse(readFileSync(pkg, "utf8")) as { name?: unknown }).name === "repro-audit";
  } catch {
    // An unreadable package.json is not ours; keep climbing.
    return false;
  }
}
