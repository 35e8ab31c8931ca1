import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

import { compareArtifacts } from "../../../harness/drift/artifacts.js";
import {
  MAX_MODEL_FILE_BYTES,
  MLMODEL_VOLATILE_FIELDS,
  compareModelFile,
  modelFileKind,
  normalizeRequirement,
} from "../../../harness/drift/model-files.js";

// MLmodel and MLmodel.again: one sklearn model logged twice with MLflow 3.17.2
// (mlflow.sklearn.log_model with a signature), so they differ in ids, time and path only.
const fixture = (name: string) => readFileSync(new URL(`../../fixtures/model-files/${name}`, import.meta.url), "utf8");
const MLMODEL = fixture("MLmodel");
const MLMODEL_AGAIN = fixture("MLmodel.again");

describe("compareModelFile: MLmodel", () => {
  it("finds the same model logged twice the same, and lists the fields it ignored", () => {
    expect(MLMODEL).not.toBe(MLMODEL_AGAIN);
    const c = compareModelFile("MLmodel", MLMODEL, [MLMODEL_AGAIN]);
    expect(c).toMatchObject({ state: "same", differences: [] });
    expect(c.ignored).toEqual(
      expect.arrayContaining(["run_id", "model_uuid", "model_id", "utc_time_created", "artifact_path"]),
    );
    expect(c.ignored).toEqual([...MLMODEL_VOLATILE_FIELDS]);
  });

  it("finds a changed signature, named by field and replay", () => {
    const changed = MLMODEL_AGAIN.replace('"shape": [-1, 3]', '"shape": [-1, 4]');
    expect(changed).not.toBe(MLMODEL_AGAIN);
    const c = compareModelFile("MLmodel", MLMODEL, [MLMODEL_AGAIN, changed]);
    expect(c.state).toBe("differs");
    expect(c.differences).toHaveLength(1);
    expect(c.differences[0]).toMatch(/^replay 2: signature\.inputs: .*\[-1,3\].*→.*\[-1,4\]/);
  });

  it("reads a signature by its meaning: JSON spacing is not a change", () => {
    const respaced = MLMODEL_AGAIN.replace(
      '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 3]}}]',
      '[{"tensor-spec":{"shape":[-1,3],"dtype":"float64"},"type":"tensor"}]',
    );
    expect(respaced).not.toBe(MLMODEL_AGAIN);
    expect(compareModelFile("MLmodel", MLMODEL, [respaced]).state).toBe("same");
  });

  it("finds a changed or added flavor", () => {
    const version = compareModelFile("MLmodel", MLMODEL, [
      MLMODEL_AGAIN.replace("sklearn_version: 1.9.1", "sklearn_version: 1.8.0"),
    ]);
    expect(version.differences).toEqual(['replay 1: flavors.sklearn.sklearn_version: "1.9.1" → "1.8.0"']);
    const flavor = compareModelFile("MLmodel", MLMODEL, [
      MLMODEL_AGAIN.replace("flavors:\n", "flavors:\n  onnx:\n    onnx_version: 1.17.0\n"),
    ]);
    expect(flavor.state).toBe("differs");
    expect(flavor.differences).toEqual(['replay 1: flavors.onnx.onnx_version: absent → "1.17.0"']);
  });

  it("says why it could not compare hostile or broken files, and does not throw", () => {
    const tagged = compareModelFile("MLmodel", MLMODEL, ["flavors: !!python/object:os.system {}\n"]);
    expect(tagged).toMatchObject({ state: "not_compared" });
    expect(tagged.why).toMatch(/^replay 1's file is not valid YAML/);
    expect(compareModelFile("MLmodel", MLMODEL, ["- a list\n- not a mapping\n"]).why).toBe(
      "replay 1's file is not a YAML mapping",
    );
    expect(compareModelFile("MLmodel", MLMODEL, ["a: [unclosed\n"]).state).toBe("not_compared");
    expect(compareModelFile("MLmodel", MLMODEL, [`x: "${"a".repeat(MAX_MODEL_FILE_BYTES)}"\n`]).why).toMatch(
      /over \d+ bytes/,
    );
    const deep = `${"a: ".repeat(0)}${Array.from({ length: 40 }, (_, i) => `${"  ".repeat(i)}k${i}:`).join("\n")} 1\n`;
    expect(compareModelFile("MLmodel", MLMODEL, [deep]).why).toMatch(/nested deeper/);
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`;
    expect(compareModelFile("MLmodel", MLMODEL, [bomb]).state).toBe("not_compared");
    expect(compareModelFile("MLmodel", undefined, [MLMODEL_AGAIN]).why).toMatch(/original's file was not read/);
  });
});

describe("compareModelFile: environment files", () => {
  it("compares requirements.txt as a set of normalized requirement lines", () => {
    const reqs = fixture("requirements.txt");
    const shuffled = `# pinned by mlflow\n${reqs.split("\n").reverse().join("\n")}\nScikit_Learn == 1.9.1\n`;
    expect(compareModelFile("requirements", reqs, [shuffled]).state).toBe("same");
    const bumped = compareModelFile("requirements", reqs, [reqs.replace("numpy==2.4.6", "numpy==2.4.5")]);
    expect(bumped.differences).toEqual(["replay 1: requirement numpy: numpy==2.4.6 → numpy==2.4.5"]);
    const dropped = compareModelFile("requirements", reqs, [reqs.replace("skops==0.16.0", "")]);
    expect(dropped.differences).toEqual(["replay 1: requirement skops: skops==0.16.0 → absent"]);
  });

  it("normalizes names as PEP 503 does and drops comments", () => {
    expect(normalizeRequirement("Scikit_Learn.Extra >= 1.0  # why")).toBe("scikit-learn-extra>=1.0");
    expect(normalizeRequirement("   # only a comment")).toBeUndefined();
    expect(normalizeRequirement("-r  requirements.txt")).toBe("-r requirements.txt");
  });

  it("parses conda.yaml: dependencies and pip lines as sets, channels in order", () => {
    const conda = fixture("conda.yaml");
    expect(compareModelFile("conda", conda, [conda]).state).toBe("same");
    const pipBump = compareModelFile("conda", conda, [conda.replace("pandas==3.1.1", "pandas==3.0.0")]);
    expect(pipBump.differences).toEqual(["replay 1: pip pandas: pandas==3.1.1 → pandas==3.0.0"]);
    const python = compareModelFile("conda", conda, [conda.replace("python=3.11.7", "python=3.12.1")]);
    expect(python.differences).toEqual(["replay 1: dependency python: python=3.11.7 → python=3.12.1"]);
    expect(compareModelFile("conda", conda, ["dependencies: 3\n"]).why).toMatch(/not a conda environment/);
  });

  it("parses python_env.yaml", () => {
    const env = fixture("python_env.yaml");
    expect(compareModelFile("python_env", env, [env]).state).toBe("same");
    expect(compareModelFile("python_env", env, [env.replace("python: 3.11.7", "python: 3.12.1")]).differences).toEqual([
      'replay 1: python: "3.11.7" → "3.12.1"',
    ]);
  });

  it("knows model files by name only", () => {
    expect(
      ["model/MLmodel", "m/conda.yaml", "requirements.txt", "a/python_env.yaml", "model/model.pkl", "MLmodel.bak"].map(
        modelFileKind,
      ),
    ).toEqual(["MLmodel", "conda", "requirements", "python_env", undefined, undefined]);
  });
});

describe("compareArtifacts with model files", () => {
  const hashes = { "model/MLmodel": "a".repeat(64), "model/model.pkl": "c".repeat(64) };
  const replay = { "model/MLmodel": "b".repeat(64), "model/model.pkl": "c".repeat(64) };

  it("counts an MLmodel that differs in bytes but not in meaning as identical; the model file stays by hash", () => {
    const got = compareArtifacts(hashes, [replay], [true], {
      original: { "model/MLmodel": MLMODEL },
      replays: [{ "model/MLmodel": MLMODEL_AGAIN }],
    });
    expect(got.map((a) => [a.path, a.identical, a.semantic?.state])).toEqual([
      ["model/MLmodel", true, "same"],
      ["model/model.pkl", true, undefined],
    ]);
  });

  it("keeps a changed model file a difference however its MLmodel reads", () => {
    const got = compareArtifacts(hashes, [{ ...replay, "model/model.pkl": "d".repeat(64) }], [true], {
      original: { "model/MLmodel": MLMODEL },
      replays: [{ "model/MLmodel": MLMODEL_AGAIN }],
    });
    expect(got.find((a) => a.path === "model/model.pkl")?.identical).toBe(false);
  });

  it("does not call a file identical when its text was not read", () => {
    const got = compareArtifacts(hashes, [replay], [true]);
    expect(got[0]).toMatchObject({ path: "model/MLmodel", identical: false, semantic: { state: "not_compared" } });
  });

  it("does not call a file identical when a finished replay lacks it", () => {
    const got = compareArtifacts(hashes, [replay, { "model/model.pkl": "c".repeat(64) }], [true, true], {
      original: { "model/MLmodel": MLMODEL },
      replays: [{ "model/MLmodel": MLMODEL_AGAIN }],
    });
    expect(got[0]).toMatchObject({ path: "model/MLmodel", identical: false, semantic: { state: "same" } });
  });
});

describe("compareModelFile: secrets", () => {
  it("never shows the credentials of an index URL in a difference", () => {
    const c = compareModelFile("requirements", "numpy==2.4.6\n", [
      "numpy==2.4.6\n--extra-index-url https://bob:s3cret@pypi.example.com/simple\n",
    ]);
    expect(c.state).toBe("differs");
    expect(c.differences.join("\n")).not.toContain("s3cret");
    expect(c.differences.join("\n")).toContain("pypi.example.com");
  });
});
