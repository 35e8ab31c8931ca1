import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { recordedMlflowVersion } from "../../../harness/audit/original-environment.js";
import {
  PINNED_MLFLOW_SKINNY,
  importsMlflow,
  listsMlflow,
  mlflowToAdd,
} from "../../../harness/plan/mlflow-requirement.js";
import { parseMlProject } from "../../../harness/plan/mlproject.js";
import { type PlanInput, buildPlan } from "../../../harness/plan/plan.js";

describe("importsMlflow", () => {
  it.each([
    "import mlflow",
    "import mlflow.sklearn",
    "import mlflow as mf",
    "import os, mlflow",
    "import numpy as np, mlflow.pyfunc as pf",
    "from mlflow import log_metric",
    "from mlflow.models import infer_signature",
    "try:\n    import mlflow\nexcept ImportError:\n    pass",
    "def main():\n    from mlflow.tracking import MlflowClient\n",
  ])("sees %j", (src) => {
    expect(importsMlflow(src)).toBe(true);
  });

  it.each([
    "import numpy",
    "# import mlflow",
    "import mlflowish",
    "from mlflow_utils import x",
    "x = 'mlflow'",
    "import os  # not mlflow",
    "from mlflowx.y import z",
  ])("does not see %j", (src) => {
    expect(importsMlflow(src)).toBe(false);
  });
});

describe("mlflowToAdd", () => {
  it("adds the project's pinned mlflow-skinny when the code imports mlflow and the environment lacks it", () => {
    const add = mlflowToAdd(["numpy==2.0.2"], "stats.py");
    expect(add?.requirement).toBe(`mlflow-skinny==${PINNED_MLFLOW_SKINNY}`);
    expect(add?.reason).toMatch(/^stats\.py imports mlflow and the environment does not list it/);
    expect(add?.reason).toMatch(/the harness's pinned client \(the run recorded no mlflow version\)/);
  });

  it("uses the version the original recorded, and says where it came from", () => {
    const add = mlflowToAdd(["numpy==2.0.2"], "stats.py", {
      version: "2.9.2",
      source: "logged model model/requirements.txt",
    });
    expect(add?.requirement).toBe("mlflow-skinny==2.9.2");
    expect(add?.reason).toMatch(/the version the original recorded \(logged model model\/requirements\.txt\)/);
  });

  it("a recorded version that is not a version is not used, and the reason names it", () => {
    const add = mlflowToAdd([], "a.py", { version: "latest; rm -rf", source: "x" });
    expect(add?.requirement).toBe(`mlflow-skinny==${PINNED_MLFLOW_SKINNY}`);
    expect(add?.reason).toMatch(/it could use: "latest; rm -rf"/);
  });

  it("adds nothing when the code does not import mlflow", () => {
    expect(mlflowToAdd(["numpy==2.0.2"], undefined)).toBeUndefined();
  });

  it.each([["mlflow==2.9.2"], ["mlflow-skinny==3.17.2"], ["mlflow[extras]>=2"], ["MLflow_Skinny"], ["mlflow"]])(
    "adds nothing when the environment lists %s (full or skinny)",
    (line) => {
      expect(listsMlflow([line])).toBe(true);
      expect(mlflowToAdd(["numpy", line], "train.py")).toBeUndefined();
    },
  );

  it("a package whose name only starts with mlflow is not mlflow", () => {
    expect(listsMlflow(["mlflow-tracing==3.1", "mlflowx"])).toBe(false);
  });

  it("the pinned client is the one the project's scenario locks pin", () => {
    const lock = readFileSync(new URL("../../../scenarios/basic/requirements.lock", import.meta.url), "utf8");
    expect(/^mlflow-skinny==(\S+)/m.exec(lock)?.[1]).toBe(PINNED_MLFLOW_SKINNY);
  });
});

describe("recordedMlflowVersion", () => {
  it("reads mlflow==X from the logged model's requirements, else MLmodel's mlflow_version", () => {
    expect(recordedMlflowVersion({ "model/requirements.txt": "mlflow==2.9.2\nnumpy==1.26.4\n" })).toEqual({
      version: "2.9.2",
      source: "logged model model/requirements.txt",
    });
    expect(recordedMlflowVersion({ "model/MLmodel": "mlflow_version: 2.11.1\nflavors: {}\n" })).toEqual({
      version: "2.11.1",
      source: "logged model model/MLmodel",
    });
    expect(recordedMlflowVersion({ "model/requirements.txt": "mlflow-skinny==3.1.0\n" })?.version).toBe("3.1.0");
    expect(recordedMlflowVersion({})).toBeUndefined();
  });
});

describe("buildPlan adds mlflow as MLflow Projects do", () => {
  const project = parseMlProject(
    "name: p\npython_env: python_env.yaml\nentry_points:\n  main:\n    command: python stats.py\n",
    "MLproject",
  );
  const base = (over: Partial<PlanInput> = {}): PlanInput => ({
    run: { runId: "r1", experimentId: "1", params: {}, tags: {}, metrics: {} },
    project,
    environment: { source: "python_env", file: "python_env.yaml", requirements: ["numpy==2.0.2"], python: "3.9" },
    code: { source: "checkout", path: "/tmp/x", diffAvailable: false },
    ...over,
  });

  it("to a python_env that lacks it, with the note and the environment's record of what was added", () => {
    const p = buildPlan(base({ mlflowImportedBy: "stats.py" }));
    expect(p.environment.requirements).toEqual([`mlflow-skinny==${PINNED_MLFLOW_SKINNY}`, "numpy==2.0.2"]);
    expect(p.environment.added).toEqual([
      {
        requirement: `mlflow-skinny==${PINNED_MLFLOW_SKINNY}`,
        reason: expect.stringMatching(/stats\.py imports mlflow/),
      },
    ]);
    expect(p.notes.join("\n")).toMatch(/stats\.py imports mlflow and the environment does not list it/);
  });

  it("not when the code does not import it: the plan is as before (no `added` key)", () => {
    const p = buildPlan(base());
    expect(p.environment.requirements).toEqual(["numpy==2.0.2"]);
    expect(p.environment).not.toHaveProperty("added");
  });

  it("not to a docker_env image or a scenario's lock", () => {
    const docker = buildPlan(
      base({
        mlflowImportedBy: "stats.py",
        environment: { source: "docker_env", requirements: [], dockerImage: "img:1" },
      }),
    );
    expect(docker.environment.requirements).toEqual([]);
    const scen = buildPlan(
      base({ mlflowImportedBy: "stats.py", environment: { source: "scenario", requirements: ["numpy==2.0.2"] } }),
    );
    expect(scen.environment.requirements).toEqual(["numpy==2.0.2"]);
  });

  it("not to a hash-pinned list (an unhashed line would fail pip's hash check): a note says so", () => {
    const p = buildPlan(
      base({
        mlflowImportedBy: "stats.py",
        environment: { source: "requirements", requirements: ["six==1.17.0 --hash=sha256:ab"] },
      }),
    );
    expect(p.environment.requirements).toEqual(["six==1.17.0 --hash=sha256:ab"]);
    expect(p.notes.join("\n")).toMatch(/hash-pinned environment does not list it: not added/);
  });

  it("names the conda packages installed by their PyPI name", () => {
    const p = buildPlan(
      base({
        environment: {
          source: "conda_env",
          requirements: ["numpy==2.4.6.*"],
          mapped: [{ entry: "numpy=2.4.6", requirement: "numpy==2.4.6.*" }],
        },
      }),
    );
    expect(p.notes).toContain("conda packages installed by their PyPI name: numpy=2.4.6 as numpy==2.4.6.*");
  });
});
