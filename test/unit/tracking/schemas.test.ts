import { describe, expect, it } from "vitest";
import {
  GetExperimentResponse,
  GetLoggedModelResponse,
  GetMetricHistoryResponse,
  GetModelVersionResponse,
  GetRegisteredModelResponse,
  GetRunResponse,
  ListArtifactsResponse,
  RunSchema,
  SearchExperimentsResponse,
  SearchLoggedModelsResponse,
  SearchModelVersionsResponse,
  SearchRegisteredModelsResponse,
  SearchRunsResponse,
} from "../../../harness/tracking/schemas.js";
import { fixtureIds, recorded } from "./recorded.js";

// Every schema is checked against answers recorded from a real MLflow server
// (test/fixtures/tracking, MLflow version in ids.json).

const ids = fixtureIds();

describe("schemas accept the real server's answers", () => {
  it.each([
    ["experiment_get_by_name", GetExperimentResponse],
    ["experiments_search", SearchExperimentsResponse],
    ["run_get_full", GetRunResponse],
    ["run_get_raw", GetRunResponse],
    ["runs_search_page1", SearchRunsResponse],
    ["runs_search_page3", SearchRunsResponse],
    ["metric_history_page1", GetMetricHistoryResponse],
    ["artifacts_list_run_root", ListArtifactsResponse],
    ["artifacts_list_model", ListArtifactsResponse],
    ["logged_model_get", GetLoggedModelResponse],
    ["logged_models_search", SearchLoggedModelsResponse],
    ["registered_model_get", GetRegisteredModelResponse],
    ["registered_models_search", SearchRegisteredModelsResponse],
    ["model_versions_search", SearchModelVersionsResponse],
    ["model_version_get", GetModelVersionResponse],
    ["model_version_by_alias", GetModelVersionResponse],
  ] as const)("%s", (name, schema) => {
    const rec = recorded(name);
    expect(rec.status).toBe(200);
    const parsed = schema.safeParse(rec.body);
    if (!parsed.success) throw new Error(JSON.stringify(parsed.error.issues, null, 2));
  });
});

describe("a fully traced run", () => {
  const run = GetRunResponse.parse(recorded("run_get_full").body).run;

  it("keeps ids, params, tags and timestamps as numbers", () => {
    expect(run.info.run_id).toBe(ids["run_id"]);
    expect(run.info.experiment_id).toBe(ids["experiment_id"]);
    expect(run.info.status).toBe("FINISHED");
    expect(typeof run.info.start_time).toBe("number");
    expect(run.info.artifact_uri).toBe(`mlflow-artifacts:/${ids["experiment_id"]}/${ids["run_id"]}/artifacts`);
    expect(Object.fromEntries(run.data.params.map((p) => [p.key, p.value]))).toEqual({
      alpha: "0.5",
      l1_ratio: "0.1",
      seed: "7",
    });
    expect(run.data.tags.find((t) => t.key === "mlflow.source.git.commit")?.value).toMatch(/^[0-9a-f]{40}$/);
  });

  it('reads a NaN metric the server writes as the string "NaN"', () => {
    const nan = run.data.metrics.find((m) => m.key === "nan_metric");
    expect(nan).toBeDefined();
    expect(Number.isNaN(nan?.value)).toBe(true);
    expect(run.data.metrics.find((m) => m.key === "loss")?.step).toBe(4);
  });

  it("has the dataset input with digest and source, and the logged model output", () => {
    const input = run.inputs.dataset_inputs[0];
    expect(input?.dataset.name).toBe("wine-train");
    expect(input?.dataset.digest).toMatch(/^[0-9a-f]+$/);
    expect(input?.dataset.source_type).toBe("local");
    expect(input?.tags).toContainEqual({ key: "mlflow.data.context", value: "training" });
    expect(run.outputs.model_outputs).toEqual([{ model_id: ids["model_id"], step: 0 }]);
  });
});

describe("lenient where MLflow omits empty fields", () => {
  it("a raw run without inputs, outputs or metrics gets empty lists", () => {
    const run = GetRunResponse.parse(recorded("run_get_raw").body).run;
    expect(run.data.metrics).toEqual([]);
    expect(run.data.params).toEqual([]);
    expect(run.inputs.dataset_inputs).toEqual([]);
    expect(run.outputs.model_outputs).toEqual([]);
  });

  it("a minimal run (info only) parses with defaults", () => {
    const run = RunSchema.parse({ info: { run_id: "r", experiment_id: "0" } });
    expect(run.data).toEqual({ metrics: [], params: [], tags: [] });
    expect(run.inputs).toEqual({ dataset_inputs: [], model_inputs: [] });
  });

  it("int64 given as a string (proto3 JSON) becomes a number", () => {
    const run = RunSchema.parse({ info: { run_id: "r", experiment_id: "0", start_time: "1700000000000" } });
    expect(run.info.start_time).toBe(1_700_000_000_000);
  });
});

describe("strict on types", () => {
  it("a wrong type is reported with its path", () => {
    const body = structuredClone(recorded("run_get_full").body) as { run: { info: Record<string, unknown> } };
    body.run.info["start_time"] = true;
    const parsed = GetRunResponse.safeParse(body);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(["run", "info", "start_time"]);
  });

  it("an unknown run status is refused", () => {
    expect(RunSchema.safeParse({ info: { run_id: "r", experiment_id: "0", status: "EXPLODED" } }).success).toBe(false);
  });

  it("a metric value that is not a number is refused", () => {
    const r = RunSchema.safeParse({
      info: { run_id: "r", experiment_id: "0" },
      data: { metrics: [{ key: "a", value: "12" }] },
    });
    expect(r.success).toBe(false);
  });
});

describe("registry and logged models", () => {
  it("the alias resolves to a version that names its logged model in source", () => {
    const mv = GetModelVersionResponse.parse(recorded("model_version_by_alias").body).model_version;
    expect(mv.aliases).toContain("champion");
    expect(mv.tags).toContainEqual({ key: "stage", value: "candidate" });
    expect(mv.source).toBe(`models:/${ids["model_id"]}`);
    expect(mv.run_id).toBe(ids["run_id"]);
  });

  it("the registered model lists its alias", () => {
    const rm = GetRegisteredModelResponse.parse(recorded("registered_model_get").body).registered_model;
    expect(rm.aliases).toContainEqual({ alias: "champion", version: ids["model_version"] });
  });

  it("the logged model carries its artifact URI, source run and params", () => {
    const m = GetLoggedModelResponse.parse(recorded("logged_model_get").body).model;
    expect(m.info.model_id).toBe(ids["model_id"]);
    expect(m.info.source_run_id).toBe(ids["run_id"]);
    expect(m.info.artifact_uri).toBe(`mlflow-artifacts:/${ids["experiment_id"]}/models/${ids["model_id"]}/artifacts`);
    expect(m.data.params.map((p) => p.key).sort()).toEqual(["alpha", "l1_ratio", "seed"]);
    expect(m.data.metrics.find((x) => x.key === "rmse")?.model_id).toBe(ids["model_id"]);
  });

  it("the logged model's artifacts hold the environment files", () => {
    const files = ListArtifactsResponse.parse(recorded("artifacts_list_model").body).files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(["MLmodel", "requirements.txt", "python_env.yaml", "conda.yaml"]));
  });
});
