import { describe, expect, it } from "vitest";
import {
  describeSelection,
  parseSelection,
  SelectionError,
  type SelectionOptions,
} from "../../../harness/selection/selection.js";

const bad = (opts: SelectionOptions): string => {
  try {
    parseSelection(opts);
  } catch (err) {
    expect(err).toBeInstanceOf(SelectionError);
    return (err as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(opts)}`);
};

describe("parseSelection", () => {
  it("accepts each way of choosing runs", () => {
    expect(parseSelection({ experiment: ["wine", "wine"] })).toEqual({ kind: "experiment", experiments: ["wine"] });
    expect(parseSelection({ experiment: ["wine"], filter: "metrics.rmse < 1" })).toEqual({
      kind: "experiment",
      experiments: ["wine"],
      filter: "metrics.rmse < 1",
    });
    expect(parseSelection({ filter: "params.alpha = '0.5'" })).toEqual({
      kind: "filter",
      filter: "params.alpha = '0.5'",
    });
    expect(parseSelection({ run: ["a1b2", "c3d4", "a1b2"] })).toEqual({ kind: "runs", runIds: ["a1b2", "c3d4"] });
    expect(parseSelection({ model: "Wine", version: "3" })).toEqual({
      kind: "model_version",
      model: "Wine",
      version: "3",
    });
    expect(parseSelection({ model: "Wine", alias: "@champion" })).toEqual({
      kind: "model_alias",
      model: "Wine",
      alias: "champion",
    });
  });

  it("explains what is wrong, naming the option", () => {
    expect(bad({})).toMatch(/no runs selected: choose runs with --experiment/);
    expect(bad({ run: ["abc"], experiment: ["x"] })).toMatch(/--experiment, --run cannot be combined/);
    expect(bad({ model: "Wine" })).toMatch(/--model Wine needs --version V or --alias A/);
    expect(bad({ model: "Wine", version: "1", alias: "a" })).toMatch(/either --version or --alias/);
    expect(bad({ version: "1" })).toMatch(/--version and --alias need --model/);
    expect(bad({ model: "Wine", version: "latest" })).toMatch(
      /^--version: a model version is a positive whole number \(got "latest"\)/,
    );
    expect(bad({ run: ["ok", "has space"] })).toMatch(/^--run: a run ID is letters/);
    expect(bad({ experiment: ["  "] })).toMatch(/^--experiment: must not be empty/);
  });

  it("describes a selection in one line", () => {
    expect(describeSelection(parseSelection({ model: "Wine", alias: "champion" }))).toBe("model Wine@champion");
    expect(describeSelection(parseSelection({ experiment: ["a"], filter: "x = 1" }))).toBe(
      'experiment "a" filtered by x = 1',
    );
  });
});

describe("parseSelection with MLflow's experiment variables", () => {
  it("takes MLFLOW_EXPERIMENT_NAME, else MLFLOW_EXPERIMENT_ID, when no selection flag is given", () => {
    expect(parseSelection({}, { MLFLOW_EXPERIMENT_NAME: " wine " })).toEqual({
      kind: "experiment",
      experiments: ["wine"],
    });
    expect(parseSelection({}, { MLFLOW_EXPERIMENT_ID: "7" })).toEqual({ kind: "experiment_id", experimentIds: ["7"] });
    // MLflow's client reads the name first.
    expect(parseSelection({}, { MLFLOW_EXPERIMENT_NAME: "wine", MLFLOW_EXPERIMENT_ID: "7" })).toEqual({
      kind: "experiment",
      experiments: ["wine"],
    });
    expect(describeSelection({ kind: "experiment_id", experimentIds: ["7"] })).toBe("experiment ID 7");
  });

  it("lets any explicit selection flag win over the variables", () => {
    const env = { MLFLOW_EXPERIMENT_NAME: "wine", MLFLOW_EXPERIMENT_ID: "7" };
    expect(parseSelection({ run: ["abc"] }, env)).toEqual({ kind: "runs", runIds: ["abc"] });
    expect(parseSelection({ filter: "metrics.x > 1" }, env)).toEqual({ kind: "filter", filter: "metrics.x > 1" });
    expect(parseSelection({ experiment: ["other"] }, env)).toEqual({ kind: "experiment", experiments: ["other"] });
  });

  it("still says how to choose runs when neither is set, naming the variables", () => {
    expect(() => parseSelection({}, { MLFLOW_EXPERIMENT_NAME: " " })).toThrow(
      /MLFLOW_EXPERIMENT_NAME or MLFLOW_EXPERIMENT_ID/,
    );
    expect(() => parseSelection({}, { MLFLOW_EXPERIMENT_ID: "1 OR 1=1" })).toThrow(
      /MLFLOW_EXPERIMENT_ID: an experiment ID/,
    );
  });
});
