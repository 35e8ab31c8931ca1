import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The repository root, found from this module's location, so that the CLI works
 * the same from harness/ (vitest, sources) and from dist/harness/ (built).
 */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "harness"))) return dir;
    dir = dirname(dir);
  }
  throw new Error("repro-audit: cannot find the project root (package.json beside harness/)");
}
