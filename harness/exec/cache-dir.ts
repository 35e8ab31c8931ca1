import { join, resolve } from "node:path";
import { projectRoot } from "../project-root.js";

/** Root of the harness's build cache (gitignored .cache/ unless REPRO_AUDIT_CACHE_DIR says otherwise). */
export function cacheDir(...parts: string[]): string {
  const root = process.env.REPRO_AUDIT_CACHE_DIR ?? join(projectRoot(), ".cache");
  return resolve(root, ...parts);
}
