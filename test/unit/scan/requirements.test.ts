import { describe, expect, it } from "vitest";
import { isEnvironmentFile, unpinnedEntries } from "../../../harness/scan/requirements.js";

describe("scan: unpinned requirements", () => {
  it("reads requirements files: == pins, options, URLs and comments are left alone", () => {
    const text =
      "a==1\nb\nc>=2  # floor\n-r other.txt\ngit+https://x/y@abc\nd @ https://x/d.whl\n# only a comment\ne===3\n";
    expect(unpinnedEntries("requirements.txt", text)).toEqual([
      { line: 2, entry: "b" },
      { line: 3, entry: "c>=2" },
    ]);
  });

  it("reads conda.yaml (conda's = is a pin, its pip entry is the installer) and python_env.yaml", () => {
    const conda = "dependencies:\n  - python=3.11\n  - numpy\n  - pip\n  - pip:\n    - scipy\n    - mlflow==3.1.4\n";
    expect(unpinnedEntries("conda.yaml", conda)).toEqual([
      { line: 3, entry: "numpy" },
      { line: 6, entry: "scipy" },
    ]);
    const env = 'python: "3.11"\nbuild_dependencies:\n  - pip\ndependencies:\n  - torch\n  - mlflow==3.1.4\n';
    expect(unpinnedEntries("python_env.yaml", env)).toEqual([{ line: 5, entry: "torch" }]);
    expect(unpinnedEntries("conda.yaml", "dependencies: [\n")).toMatch(/^not valid YAML/);
  });

  it("knows which files are environment files", () => {
    expect(
      ["requirements.txt", "requirements-dev.txt", "conda.yaml", "conda-gpu.yml", "python_env.yaml"].map(
        isEnvironmentFile,
      ),
    ).toEqual([true, true, true, true, true]);
    expect(["setup.py", "env.yaml", "requirements.lock", "requirements.in"].map(isEnvironmentFile)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});
