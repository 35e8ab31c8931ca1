import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseMlProject } from "../../../harness/plan/mlproject.js";
import { buildPlan, chooseCommandSource } from "../../../harness/plan/plan.js";
import { type RecordedRun, commandSubdir, projectSubdir } from "../../../harness/plan/recorded-run.js";
import { parseScenario } from "../../../harness/plan/scenario.js";
import { Tags } from "../../../harness/tracking/tags.js";

// A run the capture plugin recorded: its command line as typed (`repro.command`) and
// the folder it was typed in (`repro.command.cwd`). DESIGN.md's order: that command
// beats a scenario's template (it is what ran), and runs from that folder.
const root = new URL("../../../scenarios/basic/", import.meta.url);
const project = parseMlProject(readFileSync(new URL("MLproject", root), "utf8"), "MLproject");
const scenario = parseScenario(readFileSync(new URL("scenario.yaml", root), "utf8"), "scenario.yaml");

const recorded = (tags: Record<string, string>): RecordedRun => ({
  runId: "r1",
  experimentId: "1",
  params: { alpha: "0.4", seed: "42" },
  tags,
  metrics: { rmse: 53.3 },
});
const captured = recorded({
  [Tags.reproCommand]: "python train.py --alpha 0.4 --seed 42",
  [Tags.commandCwd]: "scenarios/basic",
});

describe("a recorded command line", () => {
  it("wins over a scenario and an MLproject that `mlflow run` did not launch", () => {
    expect(chooseCommandSource(captured, { project: true, scenario: true })).toBe("tag");
    expect(chooseCommandSource(captured, { project: true, scenario: false })).toBe("tag");
    const plan = buildPlan({
      run: captured,
      project,
      scenario,
      environment: { source: "scenario", requirements: [], python: "3.11" },
      code: { source: "checkout", path: "/code", diffAvailable: true },
    });
    expect(plan).toMatchObject({ commandSource: "tag", command: "python train.py --alpha 0.4 --seed 42" });
    // what to compare and the limits still come from the scenario
    expect(plan.capture).toEqual({ mode: "mlflow", names: ["rmse", "mae", "r2"] });
  });

  it("loses to the MLproject entry point when `mlflow run` launched the run", () => {
    const launched = recorded({ ...captured.tags, [Tags.entryPoint]: "main" });
    expect(chooseCommandSource(launched, { project: true, scenario: true })).toBe("mlproject");
  });

  it("runs from the folder it was typed in, a folder of the checkout only", () => {
    expect(commandSubdir(captured)).toBe("scenarios/basic");
    expect(commandSubdir(recorded({ ...captured.tags, [Tags.commandCwd]: "./a//b/" }))).toBe("a/b");
    for (const cwd of [".", "", "/home/ann/repo", "../elsewhere", "a/../../b", "a\\b"]) {
      expect(commandSubdir(recorded({ ...captured.tags, [Tags.commandCwd]: cwd })), cwd).toBeUndefined();
    }
    expect(commandSubdir(recorded({ [Tags.commandCwd]: "scenarios/basic" }))).toBeUndefined();
    // a project run's folder is still read from its source name, not from the command's
    expect(projectSubdir(captured)).toBeUndefined();
  });
});
