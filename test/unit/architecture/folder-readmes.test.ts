import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// A folder's README names every module in it, so a new file cannot arrive without
// saying what it holds (and whether it is pure).

const HARNESS = new URL("../../../harness", import.meta.url).pathname;
const DOCUMENTED = ["audit", "compare", "drift", "exec", "plan", "report", "scan", "trace", "tracking"];

/** The modules among `files` that `readme` does not name. */
function unnamed(readme: string, files: readonly string[]): string[] {
  return files.filter((f) => f.endsWith(".ts") && !readme.includes(f)).sort();
}

const unnamedIn = (folder: string): string[] =>
  unnamed(readFileSync(join(HARNESS, folder, "README.md"), "utf8"), readdirSync(join(HARNESS, folder)));

describe("folder READMEs", () => {
  it("exist for the folders that explain themselves", () => {
    for (const folder of DOCUMENTED) expect(existsSync(join(HARNESS, folder, "README.md")), folder).toBe(true);
  });

  it("name every module of their folder", () => {
    for (const folder of DOCUMENTED) expect({ folder, unnamed: unnamedIn(folder) }).toEqual({ folder, unnamed: [] });
  });

  it("notices a module the README leaves out (the check can fail)", () => {
    expect(unnamed("| `a.ts` | holds a |", ["a.ts", "b.ts", "README.md", "server"])).toEqual(["b.ts"]);
  });
});
