import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The project root is found from this module's location, not the working directory, so the
 * cache is shared whether the harness runs from sources, from dist/, or from another cwd.
 */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: unknown }).name === "repro-audit") return dir;
      } catch {
        // An unreadable package.json further down is not ours; keep climbing.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

/** Root of the harness's build cache (gitignored .cache/ unless REPRO_AUDIT_CACHE_DIR says otherwise). */
export function cacheDir(...parts: string[]): string {
  const root = process.env.REPRO_AUDIT_CACHE_DIR ?? join(projectRoot(), ".cache");
  return resolve(root, ...parts);
}
