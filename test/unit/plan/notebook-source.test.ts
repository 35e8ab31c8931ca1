import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { NOTEBOOK_RUNNER_PATH, NOTEBOOK_TOOLING } from "../../../harness/exec/notebook-tooling.js";
import {
  injectedParameters,
  kernelSource,
  notebookCommand,
  notebookEntry,
} from "../../../harness/plan/notebook-source.js";
import { PlanError, buildPlan } from "../../../harness/plan/plan.js";
import type { RecordedRun } from "../../../harness/plan/recorded-run.js";
import { parseScenario } from "../../../harness/plan/scenario.js";
import { shlexUnquoteExact } from "../../../harness/plan/shlex.js";

// How a run is recognised as a notebook's, from which evidence, and the headless
// command its replay runs. The source tags are the ones MLflow 3.17 really wrote for a
// run started in an ipykernel (seen when recording notebooks/basic on the host).

const KERNEL_TAGS = {
  "mlflow.source.name": "/home/alice/.venv/lib/python3.11/site-packages/ipykernel_launcher.py",
  "mlflow.source.type": "NOTEBOOK",
};

function run(tags: Record<string, string> = KERNEL_TAGS, params: Record<string, string> = {}): RecordedRun {
  return { runId: "r1", experimentId: "1", params, tags, metrics: { rmse: 53.3 } };
}

const scenarioFile = new URL("../../../notebooks/basic/scenario.yaml", import.meta.url);
const scenario = parseScenario(readFileSync(scenarioFile, "utf8"), "scenario.yaml");

describe("notebook runs", () => {
  it("tells a kernel's launcher from a script (python -m ipykernel too), and a plain script is not one", () => {
    expect(kernelSource(run())).toBe(KERNEL_TAGS["mlflow.source.name"]);
    expect(
      kernelSource(run({ "mlflow.source.name": "C:\\env\\Lib\\site-packages\\ipykernel\\__main__.py" })),
    ).toBeDefined();
    expect(kernelSource(run({ "mlflow.source.name": "train.py", "mlflow.source.type": "LOCAL" }))).toBeUndefined();
    expect(kernelSource(run({}))).toBeUndefined();
  });

  it("says which evidence it used: the scenario's notebook first, with the kernel source named", () => {
    const e = notebookEntry(run(), { scenarioNotebook: "basic.ipynb", files: [] });
    expect(e).toMatchObject({ path: "basic.ipynb", evidence: "scenario" });
    expect(e && "note" in e ? e.note : "").toMatch(
      /scenario's entry is the notebook basic\.ipynb; the run was recorded from a Jupyter kernel/,
    );
  });

  it("a recorded .ipynb source (Databricks, or a tool that records the notebook) is found in the code by its tail", () => {
    const e = notebookEntry(
      run({ "mlflow.source.name": "/Users/alice/proj/nb/train.ipynb", "mlflow.source.type": "NOTEBOOK" }),
      {
        files: ["nb/train.ipynb", "other.ipynb", "nb/train.py"],
      },
    );
    expect(e).toMatchObject({ path: "nb/train.ipynb", evidence: "source-notebook" });
    expect(notebookEntry(run({ "mlflow.source.name": "/x/gone.ipynb" }), { files: ["a.ipynb"] })).toEqual({
      refusal: expect.stringMatching(
        /recorded notebook "\/x\/gone\.ipynb" \(mlflow\.source\.name\) is not in the code/,
      ),
    });
  });

  it("a kernel source with the code's only notebook is used; with several or none it refuses, saying how to name one", () => {
    const e = notebookEntry(run(), {
      files: ["README.md", "analysis.ipynb", ".ipynb_checkpoints/analysis-checkpoint.ipynb"],
    });
    expect(e).toMatchObject({ path: "analysis.ipynb", evidence: "kernel-source" });
    const several = notebookEntry(run(), { files: ["a.ipynb", "b/c.ipynb"] });
    expect(several).toEqual({
      refusal: expect.stringMatching(/several: a\.ipynb, b\/c\.ipynb; give a scenario folder/),
    });
    expect(notebookEntry(run(), { files: ["train.py"] })).toEqual({
      refusal: expect.stringMatching(/the code has no \.ipynb/),
    });
    expect(notebookEntry(run({ "mlflow.source.name": "train.py" }), { files: ["x.ipynb"] })).toBeUndefined();
  });

  it("injects the logged strings for Python to parse as declared (float(), int()), strings as literals, sorted", () => {
    const src = injectedParameters(
      { seed: "-1", alpha: "0.50", name: 'a "quoted"\nline', l1_ratio: "1e-1" },
      scenario.parameters,
    );
    expect(src).toBe(
      [
        "# Parameters injected by repro-audit: the values the run logged",
        'alpha = float("0.50")',
        'l1_ratio = float("1e-1")',
        'name = "a \\"quoted\\"\\nline"',
        'seed = int("-1")',
        "",
      ].join("\n"),
    );
    expect(() => injectedParameters({ "not-a-name": "1" }, {})).toThrow(/not a Python name/);
    expect(() => injectedParameters({ class: "1" }, {})).toThrow(/not a Python name/);
  });

  it("the command runs the image's runner from the notebook's folder; the injected source survives the shell quoting", () => {
    const inject = 'seed = int("42")\n';
    const cmd = notebookCommand("nb/basic.ipynb", inject, 300);
    expect(
      cmd.startsWith(
        `cd nb && python ${NOTEBOOK_RUNNER_PATH} basic.ipynb --output "$REPRO_OUTPUT_DIR" --cell-timeout 300 --inject `,
      ),
    ).toBe(true);
    expect(shlexUnquoteExact(cmd.slice(cmd.indexOf("--inject ") + 9))).toBe(inject);
  });

  it("buildPlan: a notebook scenario becomes a notebook plan (params bound, cell timeout from the limits, tooling added, a note)", () => {
    const plan = buildPlan({
      run: run(KERNEL_TAGS, { alpha: "0.5", seed: "-1", extra: "x" }),
      scenario,
      notebook: {
        path: "basic.ipynb",
        evidence: "scenario",
        note: "notebook run: the scenario's entry is the notebook basic.ipynb",
      },
      environment: { source: "scenario", requirements: ["numpy==2.4.6"], python: "3.11" },
      code: { source: "scenario", path: "/code/nb", diffAvailable: false },
    });
    expect(plan.commandSource).toBe("notebook");
    expect(plan.notebook).toEqual({ path: "basic.ipynb", evidence: "scenario", cellTimeoutSeconds: 300 });
    expect(plan.params).toEqual({ alpha: "0.5", l1_ratio: "0.1", seed: "-1" });
    expect(plan.defaulted).toEqual(["l1_ratio"]);
    expect(plan.unboundParams).toEqual(["extra"]);
    expect(plan.command).toContain('alpha = float("0.5")');
    expect(plan.command).toContain('seed = int("-1")');
    expect(plan.environment.requirements).toEqual(["numpy==2.4.6"]);
    expect(plan.environment.tooling).toEqual([...NOTEBOOK_TOOLING]);
    expect(plan.notes[0]).toMatch(
      /^notebook run: the scenario's entry is the notebook basic\.ipynb; replayed headless/,
    );
  });

  it("buildPlan refuses a param that cannot be a Python name, as a plan error", () => {
    expect(() =>
      buildPlan({
        run: run(KERNEL_TAGS, { "my-param": "1" }),
        notebook: { path: "a.ipynb", evidence: "kernel-source", note: "n" },
        environment: { source: "none", requirements: [] },
        code: { source: "scenario", path: "/code/nb", diffAvailable: false },
      }),
    ).toThrow(PlanError);
  });

  it("a scenario names a command or a notebook, never both or neither", () => {
    const base = "name: x\nenvironment: {lock: requirements.lock}\n";
    expect(parseScenario(`${base}notebook: a.ipynb\n`).notebook).toBe("a.ipynb");
    expect(() => parseScenario(`${base}notebook: a.ipynb\ncommand: python x.py\n`)).toThrow(
      /either command .* or notebook/,
    );
    expect(() => parseScenario(base)).toThrow(/either command .* or notebook/);
    expect(() => parseScenario(`${base}notebook: a.py\n`)).toThrow(/notebook is a \.ipynb file/);
    expect(() => parseScenario(`${base}notebook: ../a.ipynb\n`)).toThrow(/inside the scenario folder/);
  });
});
