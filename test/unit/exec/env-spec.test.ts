import { describe, expect, it } from "vitest";
import { loadEnvSpec, parseCondaYaml, parsePythonEnvYaml } from "../../../harness/exec/env-spec.js";

const ENVS = new URL("../../fixtures/exec/envs/", import.meta.url).pathname;

describe("python_env.yaml", () => {
  it("keeps python as written (3.10 is not the number 3.1) and resolves -r next to the file", () => {
    const spec = loadEnvSpec(`${ENVS}python_env.yaml`);
    expect(spec.source).toBe("python_env.yaml");
    expect(spec.python).toBe("3.10");
    expect(spec.buildRequirements).toEqual(["pip==23.0.1", "setuptools", "wheel"]);
    expect(spec.requirements).toEqual([
      "cloudpickle==2.2.1",
      "mlflow==2.9.2",
      'numpy<2,>=1.24; python_version >= "3.9"',
      "scikit-learn==1.3.2",
    ]);
    expect(spec.ignored.map((i) => i.entry)).toEqual([
      "-e git+https://example.invalid/repo.git#egg=thing",
      "--index-url https://example.invalid/simple",
    ]);
  });

  it("without an include resolver, the -r line is reported, not silently dropped", () => {
    const spec = parsePythonEnvYaml("python: 3.8.10\ndependencies:\n  - -r requirements.txt\n  - six\n");
    expect(spec.python).toBe("3.8.10");
    expect(spec.requirements).toEqual(["six"]);
    expect(spec.ignored).toHaveLength(1);
  });

  it("names the file and the key when the shape is wrong", () => {
    expect(() => parsePythonEnvYaml("python: [3, 8]\n", undefined, "model/python_env.yaml")).toThrow(
      /model\/python_env\.yaml: python: /,
    );
    expect(() => parsePythonEnvYaml("python: 3.8\n  bad: : indent\n")).toThrow(/not valid YAML/);
  });
});

describe("conda.yaml", () => {
  it("takes python and the pip list, reports conda-only packages as not honoured", () => {
    const spec = loadEnvSpec(`${ENVS}conda.yaml`);
    expect(spec.source).toBe("conda.yaml");
    expect(spec.python).toBe("3.8.10");
    expect(spec.requirements).toEqual(["markupsafe==2.0.1", "six"]);
    expect(spec.buildRequirements).toEqual(["pip<=23.0"]);
    expect(spec.ignored).toEqual([
      {
        entry: "libgomp=12.2.0",
        reason: expect.stringMatching(/conda package not honoured: a system library/) as unknown as string,
        mayBeInstalled: true,
      },
    ]);
  });

  it.each([
    ["python=3.9", "3.9"],
    ["python==3.9.1", "3.9.1"],
    ["python=3.9.*", "3.9"],
    ["python>=3.9", ">=3.9"],
  ])("python pin %s -> %s", (dep, want) => {
    expect(parseCondaYaml(`dependencies:\n  - ${dep}\n`).python).toBe(want);
  });

  it("a bare python (no version) requests nothing", () => {
    expect(parseCondaYaml("dependencies:\n  - python\n  - pip:\n    - six\n").python).toBeUndefined();
  });
});

describe("lock files", () => {
  it("keeps hashes and marks the source", () => {
    const spec = loadEnvSpec(`${ENVS}locked.lock`);
    expect(spec.source).toBe("lock");
    expect(spec.requirements).toHaveLength(1);
    expect(spec.requirements[0]).toMatch(/^six==1\.17\.0 --hash=sha256:4721.* --hash=sha256:ff70/);
  });

  it("a missing file is a readable error", () => {
    expect(() => loadEnvSpec(`${ENVS}nope.txt`)).toThrow(/Cannot read environment file .*nope\.txt/);
  });
});
