import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

import { pinnedRequirement, recordedVersions } from "../../../harness/drift/model-environment.js";

// Real MLflow 3 model files (test/fixtures/model-files: mlflow.sklearn.save_model on
// CPython 3.11.7) and what they say about the environment the model was made in.
const fixture = (name: string) => readFileSync(new URL(`../../fixtures/model-files/${name}`, import.meta.url), "utf8");
const files = (dir = "model"): Record<string, string> => ({
  [`${dir}/MLmodel`]: fixture("MLmodel"),
  [`${dir}/conda.yaml`]: fixture("conda.yaml"),
  [`${dir}/python_env.yaml`]: fixture("python_env.yaml"),
  [`${dir}/requirements.txt`]: fixture("requirements.txt"),
});

describe("recordedVersions: what a logged model recorded", () => {
  it("reads Python from python_env.yaml and every pinned library from requirements.txt, each with its source", () => {
    expect(recordedVersions(files())).toEqual({
      python: { version: "3.11.7", source: "logged model model/python_env.yaml" },
      libraries: [
        "mlflow==3.17.2",
        "numpy==2.4.6",
        "pandas==3.1.1",
        "scikit-learn==1.9.1",
        "scipy==1.17.1",
        "skops==0.16.0",
      ]
        .map((r) => r.split("=="))
        .map(([name, version]) => ({ name, version, source: "logged model model/requirements.txt" })),
      notes: [],
    });
  });

  it("each file alone still gives what it records: conda.yaml's python= and pip list, MLmodel's python_version, sklearn_version and mlflow_version", () => {
    const conda = recordedVersions({ "model/conda.yaml": fixture("conda.yaml") });
    expect(conda?.python).toEqual({ version: "3.11.7", source: "logged model model/conda.yaml" });
    expect(conda?.libraries.map((l) => `${l.name}==${l.version}`)).toContain("scipy==1.17.1");
    // pip<=23.2.1 is a bound, not what was installed
    expect(conda?.libraries.some((l) => l.name === "pip")).toBe(false);

    const mlmodel = recordedVersions({ "model/MLmodel": fixture("MLmodel") });
    expect(mlmodel).toEqual({
      python: { version: "3.11.7", source: "logged model model/MLmodel" },
      libraries: [
        { name: "mlflow", version: "3.17.2", source: "logged model model/MLmodel" },
        { name: "scikit-learn", version: "1.9.1", source: "logged model model/MLmodel" },
      ],
      notes: [],
    });
    // python_env.yaml's dependencies are `-r requirements.txt`: an include, no version
    expect(recordedVersions({ "model/python_env.yaml": fixture("python_env.yaml") })?.libraries).toEqual([]);
  });

  it("two sources that disagree: the first is compared and the other is a note", () => {
    const got = recordedVersions({
      ...files("a"),
      "b/requirements.txt": "scipy==1.13.1\nnumpy==2.4.6\n",
    });
    expect(got?.libraries.find((l) => l.name === "scipy")).toEqual({
      name: "scipy",
      version: "1.17.1",
      source: "logged model a/requirements.txt",
    });
    expect(got?.notes).toEqual([
      "scipy: logged model b/requirements.txt records 1.13.1, logged model a/requirements.txt 1.17.1; compared with the first",
    ]);
  });

  it("MLflow 2's mlflow.log-model.history tag: python_version and the flavor's library version", () => {
    // As MLflow 2.x writes it (Model.get_tags_dict(): run_id, artifact_path, utc_time_created, model_uuid, flavors)
    const history = JSON.stringify([
      {
        run_id: "0f4c8e3a",
        artifact_path: "model",
        utc_time_created: "2024-01-12 10:00:00.000000",
        model_uuid: "4b1f",
        flavors: {
          python_function: {
            model_path: "model.pkl",
            predict_fn: "predict",
            loader_module: "mlflow.sklearn",
            python_version: "3.9.18",
            env: { conda: "conda.yaml", virtualenv: "python_env.yaml" },
          },
          sklearn: {
            pickled_model: "model.pkl",
            sklearn_version: "1.3.2",
            serialization_format: "cloudpickle",
            code: null,
          },
        },
      },
    ]);
    const tag = { tag: "mlflow.log-model.history", value: history };
    expect(recordedVersions({}, tag)).toEqual({
      python: { version: "3.9.18", source: "tag mlflow.log-model.history" },
      libraries: [{ name: "scikit-learn", version: "1.3.2", source: "tag mlflow.log-model.history" }],
      notes: [],
    });
    // the model's own files come first; the tag is the fallback
    expect(recordedVersions(files(), tag)?.python?.source).toBe("logged model model/python_env.yaml");
    expect(recordedVersions({}, { tag: "mlflow.log-model.history", value: "{not json" })).toEqual({
      libraries: [],
      notes: ["tag mlflow.log-model.history not read for versions: not JSON"],
    });
  });

  it("nothing recorded: undefined; unreadable files are notes, never a crash", () => {
    expect(recordedVersions({})).toBeUndefined();
    expect(
      recordedVersions({ "model/model.pkl": "bytes", "model/requirements.txt": "numpy>=1.2\n-r base.txt\n" }),
    ).toBeUndefined();
    const bad = recordedVersions({ "model/MLmodel": "flavors: [unclosed", "model/conda.yaml": "- a list" });
    expect(bad?.libraries).toEqual([]);
    expect(bad?.notes.join("\n")).toMatch(/logged model model\/MLmodel not read for versions: not valid YAML/);
    expect(bad?.notes.join("\n")).toMatch(/logged model model\/conda.yaml not read for versions: not a YAML mapping/);
  });

  it("an unquoted python: 3.10 is read as written, not as YAML's 3.1", () => {
    expect(recordedVersions({ "m/python_env.yaml": "python: 3.10\ndependencies: []\n" })?.python?.version).toBe("3.10");
  });
});

describe("pinnedRequirement", () => {
  it("exact pins only, names PEP 503-normalised", () => {
    expect(pinnedRequirement("Scikit_Learn == 1.3.2  # the model")).toEqual({ name: "scikit-learn", version: "1.3.2" });
    expect(pinnedRequirement("torch[cuda]===2.1.0+cpu")).toEqual({ name: "torch", version: "2.1.0+cpu" });
    for (const line of [
      "numpy>=1.2",
      "numpy==1.*",
      "numpy==1.2; python_version<'3.9'",
      "-r requirements.txt",
      "",
      "# x",
    ])
      expect(pinnedRequirement(line)).toBeUndefined();
  });
});
