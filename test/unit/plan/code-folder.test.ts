import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { mlflowImportIn } from "../../../harness/plan/code-imports.js";
import { readCodeFolder, resolveEnvironment } from "../../../harness/plan/code-folder.js";

const dirs: string[] = [];
/** A code folder holding these files (path -> text). */
function folderWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "repro-audit-code-folder-"));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("resolveEnvironment: a requirements.txt", () => {
  it("a script's plan: the script's own folder first, and the plan names the file", () => {
    const dir = folderWith({
      "src/train.py": "import numpy\n",
      "src/requirements.txt": "numpy==2.4.6\n",
      "requirements.txt": "pandas==3.1.1\n",
    });
    const env = resolveEnvironment(readCodeFolder(dir), "script", "src/train.py");
    expect(env).toMatchObject({ source: "requirements", file: "src/requirements.txt", requirements: ["numpy==2.4.6"] });
  });

  it("a script's plan: then the checkout root", () => {
    const dir = folderWith({ "src/train.py": "", "requirements.txt": "pandas==3.1.1\n" });
    const env = resolveEnvironment(readCodeFolder(dir), "script", "src/train.py");
    expect(env).toMatchObject({ source: "requirements", file: "requirements.txt", requirements: ["pandas==3.1.1"] });
  });

  it("python_env.yaml and conda.yaml come before requirements.txt in the same folder", () => {
    const dir = folderWith({
      "train.py": "",
      "python_env.yaml": "python: '3.11'\ndependencies: [six==1.17.0]\n",
      "requirements.txt": "pandas==3.1.1\n",
    });
    expect(resolveEnvironment(readCodeFolder(dir), "script", "train.py")).toMatchObject({
      source: "python_env",
      file: "python_env.yaml",
    });
    const conda = folderWith({
      "train.py": "",
      "conda.yaml": "dependencies: [numpy=2.4]\n",
      "requirements.txt": "x\n",
    });
    expect(resolveEnvironment(readCodeFolder(conda), "script", "train.py")).toMatchObject({
      source: "conda_env",
      requirements: ["numpy==2.4.*"],
      mapped: [{ entry: "numpy=2.4", requirement: "numpy==2.4.*" }],
    });
  });

  it("a file in the script's folder wins over the root's, whichever kind", () => {
    const dir = folderWith({
      "a/train.py": "",
      "a/requirements.txt": "six==1.17.0\n",
      "python_env.yaml": "dependencies: [pandas==3.1.1]\n",
    });
    expect(resolveEnvironment(readCodeFolder(dir), "script", "a/train.py")).toMatchObject({
      source: "requirements",
      file: "a/requirements.txt",
    });
  });

  it("an MLproject that names no environment: the project folder's requirements.txt", () => {
    const dir = folderWith({
      MLproject: "name: p\nentry_points:\n  main:\n    command: python t.py\n",
      "requirements.txt": "six==1.17.0\n",
    });
    expect(resolveEnvironment(readCodeFolder(dir), "mlproject")).toMatchObject({
      source: "requirements",
      file: "requirements.txt",
      requirements: ["six==1.17.0"],
    });
  });

  it("no file anywhere: none (a folder named requirements.txt is not a file)", () => {
    const dir = folderWith({ "train.py": "", "requirements.txt/x": "" });
    expect(resolveEnvironment(readCodeFolder(dir), "script", "train.py")).toEqual({ source: "none", requirements: [] });
  });
});

describe("mlflowImportIn", () => {
  it("names the first file that imports mlflow, relative to the root", () => {
    const dir = folderWith({ "wine/a.py": "import numpy\n", "wine/b.py": "import mlflow\n" });
    expect(mlflowImportIn(join(dir, "wine"), dir)).toBe("wine/b.py");
    expect(mlflowImportIn(dir)).toBe("wine/b.py");
  });

  it("none when no .py file imports it (a notebook or a text file does not count)", () => {
    const dir = folderWith({ "a.py": "import numpy\n", "notes.txt": "import mlflow\n" });
    expect(mlflowImportIn(dir)).toBeUndefined();
  });

  it("skips .git, virtualenvs (by name or by their pyvenv.cfg), node_modules and symlinks", () => {
    const dir = folderWith({
      "train.py": "print(1)\n",
      ".venv/lib/site.py": "import mlflow\n",
      "env311/pyvenv.cfg": "home = /usr/bin\n",
      "env311/lib/x.py": "import mlflow\n",
      "node_modules/x/y.py": "import mlflow\n",
      ".git/hooks/h.py": "import mlflow\n",
    });
    const outside = folderWith({ "z.py": "import mlflow\n" });
    symlinkSync(outside, join(dir, "linked"));
    symlinkSync(join(outside, "z.py"), join(dir, "linked.py"));
    mkdirSync(join(dir, "loop"));
    symlinkSync(dir, join(dir, "loop", "up"));
    expect(mlflowImportIn(dir)).toBeUndefined();
  });
});
