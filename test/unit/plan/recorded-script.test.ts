import { describe, expect, it } from "vitest";
import { PlanError, buildPlan, chooseCommandSource } from "../../../harness/plan/plan.js";
import { type RecordedRun, projectSubdir } from "../../../harness/plan/recorded-run.js";
import { scriptCommand, scriptInCheckout } from "../../../harness/plan/recorded-script.js";
import { Tags } from "../../../harness/tracking/tags.js";

// A run recorded by `python train.py` (no MLproject, no repro.command): the plan
// runs the recorded script, found in the checkout, and says arguments were not recorded.

function scriptRun(tags: Record<string, string>): RecordedRun {
  return { runId: "r1", experimentId: "1", params: { alpha: "0.5" }, tags, metrics: { rmse: 0.7 } };
}

const code = { source: "checkout" as const, path: "/tmp/checkout", commit: "abc", diffAvailable: false };
const environment = { source: "none" as const, requirements: [] };

describe("scriptInCheckout", () => {
  it("finds the part of the author's path that is inside the checkout, the longest tail first", () => {
    const files = ["src/train.py", "train.py", "README.md"];
    expect(scriptInCheckout("/home/alice/proj/src/train.py", files)).toEqual({ path: "src/train.py" });
    expect(scriptInCheckout("C:\\Users\\bob\\proj\\src\\train.py", files)).toEqual({ path: "src/train.py" });
    expect(scriptInCheckout("/home/alice/proj/README.md", files)).toEqual({ path: "README.md" });
  });

  it("finds a path recorded relative to the folder it ran from (`python train.py` in src/) when one file fits", () => {
    expect(scriptInCheckout("train.py", ["src/train.py", "src/util.py"])).toEqual({ path: "src/train.py" });
    expect(scriptInCheckout("./train.py", ["train.py"])).toEqual({ path: "train.py" });
  });

  it("refuses to guess between several files that fit", () => {
    expect(scriptInCheckout("train.py", ["b/train.py", "a/train.py"])).toEqual({
      ambiguous: ["a/train.py", "b/train.py"],
    });
  });

  it("finds nothing when no tail of the path is a file there, or the path climbs", () => {
    expect(scriptInCheckout("/home/alice/other/fit.py", ["train.py"])).toBeUndefined();
    expect(scriptInCheckout("../train.py", ["train.py"])).toBeUndefined();
    expect(scriptInCheckout("", ["train.py"])).toBeUndefined();
  });
});

describe("scriptCommand", () => {
  it("runs the script from its own folder, quoting what the shell would split", () => {
    expect(scriptCommand("train.py")).toBe("python train.py");
    expect(scriptCommand("src/models/train.py")).toBe("cd src/models && python train.py");
    expect(scriptCommand("my dir/fit it.py")).toBe("cd 'my dir' && python 'fit it.py'");
  });
});

describe("buildPlan from the recorded script", () => {
  const local = { [Tags.sourceName]: "/home/alice/proj/src/train.py", [Tags.sourceType]: "LOCAL" };

  it("is chosen only when there is no MLproject, scenario or recorded command", () => {
    const has = { project: false, scenario: false };
    expect(chooseCommandSource(scriptRun(local), has)).toBe("script");
    expect(chooseCommandSource(scriptRun({ ...local, [Tags.reproCommand]: "python x.py" }), has)).toBe("tag");
    expect(chooseCommandSource(scriptRun(local), { project: true, scenario: false })).toBe("mlproject");
    expect(chooseCommandSource(scriptRun({ ...local, [Tags.sourceType]: "NOTEBOOK" }), has)).toBeUndefined();
  });

  it("runs `python SCRIPT` from its folder with a note that arguments were not recorded", () => {
    const p = buildPlan({ run: scriptRun(local), script: { path: "src/train.py" }, environment, code });
    expect(p.commandSource).toBe("script");
    expect(p.command).toBe("cd src && python train.py");
    expect(p.params).toEqual({});
    expect(p.notes).toContain(
      "no MLproject and no recorded command: ran the recorded script src/train.py; arguments were not recorded; ran `python train.py` with none",
    );
  });

  it("refuses, naming the recorded script, when it is not in the checkout", () => {
    expect(() => buildPlan({ run: scriptRun(local), environment, code })).toThrow(PlanError);
    expect(() => buildPlan({ run: scriptRun(local), environment, code })).toThrow(
      /run r1: its recorded script "\/home\/alice\/proj\/src\/train.py" \(mlflow.source.name\) is not in the code/,
    );
  });

  it("refuses, naming the candidates, when several files fit the recorded script", () => {
    const script = { ambiguous: ["a/train.py", "b/train.py"] };
    expect(() => buildPlan({ run: scriptRun(local), script, environment, code })).toThrow(
      /could be any of a\/train.py, b\/train.py in the code/,
    );
  });

  it("refuses a recorded source that is not a Python script", () => {
    const run = scriptRun({ [Tags.sourceName]: "/home/alice/proj/run.sh" });
    expect(() => buildPlan({ run, script: { path: "run.sh" }, environment, code })).toThrow(
      /is not a Python script to run/,
    );
  });
});

describe("projectSubdir", () => {
  const project = (sourceName: string) => ({
    tags: { [Tags.sourceName]: sourceName, [Tags.entryPoint]: "main", [Tags.sourceType]: "PROJECT" },
  });

  it("is the folder after # that `mlflow run repo#subdir` recorded", () => {
    expect(projectSubdir(project("https://github.com/o/r#examples/wine"))).toBe("examples/wine");
    expect(projectSubdir(project("/home/alice/r#./sub/"))).toBe("sub");
  });

  it("is none at the root, for a run mlflow run did not launch, or for a path out of the checkout", () => {
    expect(projectSubdir(project("https://github.com/o/r"))).toBeUndefined();
    expect(projectSubdir(project("https://github.com/o/r#"))).toBeUndefined();
    expect(projectSubdir({ tags: { [Tags.sourceName]: "r#sub" } })).toBeUndefined();
    expect(projectSubdir(project("r#../elsewhere"))).toBeUndefined();
    expect(projectSubdir(project("r#/etc"))).toBeUndefined();
  });
});
