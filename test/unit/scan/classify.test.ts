import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { classifyFile, type FileFindings } from "../../../harness/scan/classify.js";
import { ExtractedFileSchema, type ParsedFile } from "../../../harness/scan/facts.js";
import { notebookSource } from "../../../harness/scan/notebook.js";

// The classifier on what Python's parser really said about the fixtures
// (recorded by test/integration/scan-extract.test.ts, which checks it is current).

const RECORDED = JSON.parse(
  readFileSync(new URL("../../fixtures/scan-facts/facts.json", import.meta.url), "utf8"),
) as Record<string, unknown>;

function parsed(file: string): ParsedFile {
  const facts = ExtractedFileSchema.parse(RECORDED[file]);
  if (!facts.ok) throw new Error(`${file} did not parse: ${facts.error}`);
  return facts;
}

const hazardLines = (f: FileFindings, kind: string) => f.hazards.filter((h) => h.kind === kind).map((h) => h.line);

describe("scan classifier: tracking calls", () => {
  it("counts every tracking call through aliases, from-imports and the client", () => {
    const found = classifyFile(parsed("tracking/aliases.py"));
    expect(found.features.map((f) => [f.feature, f.line, f.callee])).toEqual([
      ["start_run", 9, "mlflow.start_run"],
      ["log_param", 10, "mlflow.log_param"],
      ["log_params", 11, "mlflow.log_params"],
      ["log_metric", 12, "mlflow.log_metric"],
      ["log_metrics", 13, "mlflow.log_metrics"],
      ["log_artifact", 14, "mlflow.log_artifact"],
      ["log_artifacts", 15, "mlflow.log_artifacts"],
      ["log_input", 16, "mlflow.log_input"],
      ["set_tag", 17, "mlflow.set_tag"],
      ["set_tags", 18, "mlflow.set_tags"],
      ["autolog", 19, "mlflow.autolog"],
      ["autolog", 20, "mlflow.sklearn.autolog"],
      ["log_model", 21, "mlflow.sklearn.log_model"],
      ["log_model", 22, "mlflow.pytorch.log_model"],
      ["register_model", 23, "mlflow.register_model"],
      ["log_metric", 25, "mlflow.MlflowClient().log_metric"],
      ["log_param", 27, "mlflow.MlflowClient().log_param"],
      ["register_model", 28, "mlflow.MlflowClient().create_model_version"],
    ]);
    expect(found.hazards).toEqual([]);
  });

  it("does not count a method of the same name on something that is not mlflow", () => {
    const file: ParsedFile = {
      id: "x",
      ok: true,
      imports: [{ module: "wandb", name: null, asname: null, line: 1 }],
      calls: [{ callee: "wandb.log_metric", line: 2, args: [], nargs: 0, keywords: {} }],
      assigns: [],
    };
    expect(classifyFile(file).features).toEqual([]);
  });

  it("takes names that are Object's own properties (constructor, toString) as plain names", () => {
    // found scanning pandas: `SEEDS["constructor"]` was Object's constructor, not undefined
    const file: ParsedFile = {
      id: "x",
      ok: true,
      imports: [
        { module: "mlflow", name: null, asname: null, line: 1 },
        { module: "sklearn", name: "toString", asname: null, line: 2 },
      ],
      calls: [
        { callee: "constructor", line: 3, args: [1], nargs: 1, keywords: {} },
        { callee: "mlflow.constructor", line: 4, args: [], nargs: 0, keywords: {} },
        { callee: "toString", line: 5, args: [], nargs: 0, keywords: {} },
      ],
      assigns: [{ target: "constructor", line: 2, value: { name: "os.path" } }],
    };
    expect(classifyFile(file)).toEqual({ features: [], hazards: [] });
  });
});

describe("scan classifier: hazards", () => {
  it("finds each unseeded draw in rng.py and none after the seed", () => {
    const found = classifyFile(parsed("hazards/rng.py"));
    expect(hazardLines(found, "unseeded-rng")).toEqual([11, 12, 14, 15, 16, 17, 18, 19, 21, 22]);
    // a Generator's own draw (13), KFold without shuffle (20) and the draw after np.random.seed (24) are not findings
    expect(found.hazards.find((h) => h.line === 12)?.why).toMatch(/default_rng\(\) without a seed/);
    expect(found.hazards.find((h) => h.line === 22)?.why).toMatch(/RandomForestClassifier without random_state/);
  });

  it("finds nothing in the seeded twin of rng.py (seeds, random_state, determinism switched on)", () => {
    expect(classifyFile(parsed("seeded/train.py")).hazards).toEqual([]);
  });

  it("finds the GPU settings: cudnn.benchmark, CUDA without deterministic algorithms, TF without op determinism", () => {
    const found = classifyFile(parsed("hazards/gpu.py"));
    expect(found.hazards.map((h) => [h.kind, h.line])).toEqual([
      ["gpu-nondeterminism", 3],
      ["gpu-nondeterminism", 6],
      ["gpu-nondeterminism", 7],
    ]);
  });

  it("finds downloads, and not local reads or bundled data", () => {
    const found = classifyFile(parsed("hazards/download.py"));
    expect(hazardLines(found, "runtime-download")).toEqual([10, 11, 13, 14, 15, 17, 18]);
    expect(found.hazards.map((h) => h.why).join("\n")).toMatch(/subprocess\.run runs a download \(curl -O/);
  });

  it("reads a notebook's cells in order, with its shell lines (download, pip install without ==)", () => {
    const nb = notebookSource(
      readFileSync(new URL("../../fixtures/scan/tracking/hazards.ipynb", import.meta.url), "utf8"),
    );
    if (typeof nb === "string") throw new Error(nb);
    const found = classifyFile(parsed("tracking/hazards.ipynb"), nb.shell);
    expect(found.features.map((f) => f.feature)).toEqual(["start_run", "log_metric", "autolog"]);
    expect(found.hazards.map((h) => h.kind)).toEqual([
      "unpinned-requirement",
      "runtime-download",
      "runtime-download",
      "unseeded-rng",
      "unseeded-rng",
    ]);
    expect(found.hazards[0]?.why).toBe("pip install without == for scikit-learn");
  });

  it("counts a seed only on an earlier line, and np.random.seed() with no argument not at all", () => {
    const file = (seedLine: number, seedArgs: Array<number | null>): ParsedFile => ({
      id: "x",
      ok: true,
      imports: [{ module: "numpy", name: null, asname: "np", line: 1 }],
      calls: [
        { callee: "np.random.seed", line: seedLine, args: seedArgs, nargs: seedArgs.length, keywords: {} },
        { callee: "np.random.rand", line: 5, args: [3], nargs: 1, keywords: {} },
      ],
      assigns: [],
    });
    expect(classifyFile(file(2, [0])).hazards).toEqual([]);
    expect(hazardLines(classifyFile(file(9, [0])), "unseeded-rng")).toEqual([5]);
    expect(hazardLines(classifyFile(file(2, [])), "unseeded-rng")).toEqual([5]);
  });
});
