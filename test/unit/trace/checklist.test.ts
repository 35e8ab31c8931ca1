import { describe, expect, it } from "vitest";
import { buildChecklist } from "../../../harness/trace/checklist.js";
import { TRACE_ITEM_IDS, type TraceItem, type TraceStatus } from "../../../harness/trace/item.js";
import type { Run } from "../../../harness/tracking/schemas.js";
import type { TraceSubject } from "../../../harness/trace/subject.js";
import { fullSubject, rawSubject, registeredSubject, withRun } from "./recorded.js";

const statuses = (s: TraceSubject): Record<string, TraceStatus> =>
  Object.fromEntries(buildChecklist(s).map((i) => [i.id, i.status]));
const itemOf = (s: TraceSubject, id: string): TraceItem => {
  const it = buildChecklist(s).find((i) => i.id === id);
  if (!it) throw new Error(`no item ${id}`);
  return it;
};
const setTag = (key: string, value: string) => (run: Run) => {
  run.data.tags = run.data.tags.filter((t) => t.key !== key).concat({ key, value });
};
const dropTag = (key: string) => (run: Run) => {
  run.data.tags = run.data.tags.filter((t) => t.key !== key);
};

describe("checklist over runs recorded from a real server", () => {
  it("lists every item once, in the fixed order, with a label and a detail", () => {
    const items = buildChecklist(fullSubject());
    expect(items.map((i) => i.id)).toEqual([...TRACE_ITEM_IDS]);
    for (const i of items) {
      expect(i.label.length).toBeGreaterThan(0);
      expect(i.detail.length).toBeGreaterThan(0);
    }
  });

  it("finds everything on the fully traced run", () => {
    const s = statuses(fullSubject());
    for (const id of TRACE_ITEM_IDS) expect({ id, status: s[id] }).toEqual({ id, status: "present" });
    expect(itemOf(fullSubject(), "git_commit").detail).toMatch(/^[0-9a-f]{40} on master$/);
    expect(itemOf(fullSubject(), "git_dirty").detail).toContain("repro/git.diff");
    expect(itemOf(fullSubject(), "datasets").detail).toBe("wine-sample@7df05dd5");
    expect(itemOf(fullSubject(), "seed").detail).toBe("param seed=42");
    expect(itemOf(fullSubject(), "env_model").detail).toContain("python_env.yaml");
    expect(itemOf(fullSubject(), "env_run").detail).toContain("requirements.txt");
    expect(itemOf(fullSubject(), "repo_url").detail).toContain("https://github.com/example/wine-repro.git");
  });

  it("reports the raw run's gaps and says what was looked for", () => {
    expect(statuses(rawSubject())).toEqual({
      params: "missing",
      metrics: "present",
      source: "missing",
      git_commit: "missing",
      git_dirty: "missing",
      repo_url: "missing",
      entry_point: "missing",
      env_run: "missing",
      env_model: "not_applicable",
      datasets: "missing",
      seed: "missing",
      hardware: "missing",
      image: "missing",
    });
    expect(itemOf(rawSubject(), "source").detail).toContain("mlflow.source.name");
    expect(itemOf(rawSubject(), "git_dirty").detail).toMatch(/repro\.git\.dirty.*\.diff/);
    expect(itemOf(rawSubject(), "image").detail).toContain("mlflow.docker.image.id");
    expect(itemOf(rawSubject(), "seed").detail).toContain("random_state");
  });

  it("reports the registered run: model environment present, no git, script-only entry point", () => {
    expect(statuses(registeredSubject())).toEqual({
      params: "present",
      metrics: "present",
      source: "present",
      git_commit: "missing",
      git_dirty: "missing",
      repo_url: "missing",
      entry_point: "partial",
      env_run: "missing",
      env_model: "present",
      datasets: "missing",
      seed: "present",
      hardware: "missing",
      image: "missing",
    });
    expect(itemOf(registeredSubject(), "seed").detail).toBe("param random_state=42");
    expect(itemOf(registeredSubject(), "env_model").detail).toContain("TraceDemoModel v1 @champion");
    expect(itemOf(registeredSubject(), "entry_point").detail).toContain("mlflow.source.name=train.py");
  });
});

describe("checklist rules", () => {
  it("dirty state: clean tag is enough, dirty needs a diff, unknown values are partial", () => {
    const noDiff = { ...fullSubject(), runArtifacts: { files: ["requirements.txt"], truncated: false } };
    expect(itemOf(noDiff, "git_dirty").status).toBe("partial");
    expect(itemOf(withRun(noDiff, setTag("repro.git.dirty", "false")), "git_dirty").status).toBe("present");
    expect(itemOf(withRun(noDiff, setTag("repro.git.dirty", "maybe")), "git_dirty").status).toBe("partial");
    const diffOnly = withRun(fullSubject(), dropTag("repro.git.dirty"));
    expect(itemOf(diffOnly, "git_dirty")).toMatchObject({ status: "partial" });
    const nativeTag = withRun(withRun(noDiff, dropTag("repro.git.dirty")), setTag("mlflow.source.git.dirty", "False"));
    expect(itemOf(nativeTag, "git_dirty").status).toBe("present");
  });

  it("image: an ID or digest pins it, a bare name is partial", () => {
    const noImage = withRun(fullSubject(), dropTag("repro.image"));
    expect(itemOf(noImage, "image").status).toBe("missing");
    expect(itemOf(withRun(noImage, setTag("mlflow.docker.image.uri", "wine:latest")), "image").status).toBe("partial");
    expect(itemOf(withRun(noImage, setTag("mlflow.docker.image.id", "sha256:abc")), "image").status).toBe("present");
    expect(itemOf(withRun(fullSubject(), setTag("repro.image", "wine:1")), "image").status).toBe("partial");
  });

  it("metrics: the score an earlier audit published on the run is not a result of the run", () => {
    const audited = withRun(rawSubject(), (run) => {
      run.data.metrics = [{ key: "repro.score", value: 1, timestamp: 1, step: 0 }];
    });
    expect(itemOf(audited, "metrics").status).toBe("missing");
    const withResult = withRun(audited, (run) => {
      run.data.metrics.push({ key: "rmse", value: 0.7, timestamp: 1, step: 0 });
    });
    expect(itemOf(withResult, "metrics").detail).toBe("1 metric: rmse");
  });

  it("hardware: host tags are present, system metrics alone are partial; system metrics are not results", () => {
    const bare = withRun(rawSubject(), (run) => {
      run.data.metrics = [{ key: "system/cpu_utilization_percentage", value: 12, timestamp: 1, step: 0 }];
    });
    expect(itemOf(bare, "hardware").status).toBe("partial");
    expect(itemOf(bare, "metrics").status).toBe("missing");
    expect(itemOf(withRun(bare, setTag("repro.host.gpu", "H100")), "hardware").status).toBe("present");
    expect(
      itemOf(
        withRun(rawSubject(), (r) => r.data.params.push({ key: "gpu", value: "A100" })),
        "hardware",
      ).status,
    ).toBe("present");
  });

  it("seed: recognises seed-like names and not look-alikes", () => {
    const seedWith = (key: string) =>
      itemOf(
        withRun(rawSubject(), (r) => r.data.params.push({ key, value: "7" })),
        "seed",
      ).status;
    for (const key of ["seed", "SEED", "random_state", "random_seed", "torch_seed", "np.seed", "split-seed"]) {
      expect({ key, s: seedWith(key) }).toEqual({ key, s: "present" });
    }
    for (const key of ["seeds", "seedling", "n_estimators"])
      expect({ key, s: seedWith(key) }).toEqual({ key, s: "missing" });
    expect(itemOf(withRun(rawSubject(), setTag("repro.seed", "1")), "seed").status).toBe("present");
  });

  it("entry point: tags or an MLproject artifact; the script alone is partial", () => {
    const s = withRun(registeredSubject(), setTag("mlflow.project.entryPoint", "main"));
    expect(itemOf(s, "entry_point")).toMatchObject({ status: "present", detail: "mlflow.project.entryPoint=main" });
    const mlproject = { ...registeredSubject(), runArtifacts: { files: ["MLproject"], truncated: false } };
    expect(itemOf(mlproject, "entry_point").status).toBe("present");
  });

  it("run environment: files inside a model folder belong to the model, not the run", () => {
    const mlflow2 = {
      ...rawSubject(),
      runArtifacts: { files: ["model/MLmodel", "model/requirements.txt", "model/model.pkl"], truncated: false },
    };
    expect(itemOf(mlflow2, "env_run").status).toBe("missing");
    expect(itemOf(mlflow2, "env_model")).toMatchObject({ status: "present" });
    expect(itemOf(mlflow2, "env_model").detail).toContain("run artifact folder model");
    const projectEnv = withRun(rawSubject(), setTag("mlflow.project.env", "virtualenv"));
    expect(itemOf(projectEnv, "env_run").status).toBe("partial");
  });

  it("model environment: partial when only some models carry requirements", () => {
    const full = fullSubject();
    const first = full.loggedModels[0];
    if (!first) throw new Error("fixture has a logged model");
    const bare = { ...first, files: ["MLmodel", "model.pkl"] };
    expect(itemOf({ ...full, loggedModels: [first, bare] }, "env_model").status).toBe("partial");
    expect(itemOf({ ...full, loggedModels: [bare] }, "env_model").status).toBe("missing");
    const unlisted = { ...first, files: [], error: "Artifact URI s3://b/m uses s3" };
    expect(itemOf({ ...full, loggedModels: [unlisted] }, "env_model").detail).toContain("files not listed");
  });

  it("datasets: every input needs a digest", () => {
    const twoInputs = withRun(fullSubject(), (run) => {
      const first = run.inputs.dataset_inputs[0];
      if (!first) throw new Error("fixture has a dataset input");
      run.inputs.dataset_inputs.push({ ...first, dataset: { ...first.dataset, name: "extra", digest: "" } });
    });
    expect(itemOf(twoInputs, "datasets")).toMatchObject({ status: "partial" });
    expect(itemOf(twoInputs, "datasets").detail).toContain("extra (no digest)");
  });

  it("says when the artifact listing was unavailable", () => {
    const s = { ...rawSubject(), runArtifacts: { files: [], truncated: false, error: "uses s3" } };
    expect(itemOf(s, "env_run").detail).toContain("could not be listed: uses s3");
  });
});
