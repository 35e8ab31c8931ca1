import { describe, expect, it } from "vitest";
import { latestValues } from "../../../harness/audit/replay-metrics.js";
import { chooseSandboxRun, importableTags } from "../../../harness/audit/sandbox-import.js";
import type { SandboxRun, SandboxStore } from "../../../harness/tracking/sandbox-store.js";

const run = (runId: string, extra: Partial<SandboxRun> = {}): SandboxRun => ({
  runId,
  experimentId: "0",
  status: "FINISHED",
  params: {},
  tags: {},
  metrics: [],
  artifacts: [],
  ...extra,
});
const store = (runs: SandboxRun[], extra: Partial<SandboxStore> = {}): SandboxStore => ({
  runs,
  registrations: [],
  problems: [],
  ...extra,
});

describe("chooseSandboxRun", () => {
  it("takes the one top-level run and names nested runs, registrations and problems", () => {
    const c = chooseSandboxRun(
      store([run("a"), run("b", { parentRunId: "a" })], {
        registrations: ["M version 1"],
        problems: ["x is a symlink: not followed"],
      }),
    );
    expect(c.run?.runId).toBe("a");
    expect(c.notes).toEqual([
      "sandbox store: x is a symlink: not followed",
      "the replay registered model M version 1 in its sandbox; the real model registry was not touched",
      "the replay logged 1 nested run(s); only the top-level run is imported",
    ]);
  });
  it("takes the first of several top-level runs and names the others", () => {
    const c = chooseSandboxRun(store([run("a"), run("b")]));
    expect(c.run?.runId).toBe("a");
    expect(c.notes).toEqual(["the replay logged 2 top-level runs; the first (a) is imported, b are not"]);
  });
  it("has no run when the workload logged none", () => {
    expect(chooseSandboxRun(store([]))).toEqual({ notes: [] });
  });
});

describe("importableTags", () => {
  it("keeps the workload's tags, refuses the harness's namespace and drops MLflow's sandbox-describing ones", () => {
    const r = importableTags({
      team: "wine",
      "repro.verdict": "reproduced",
      "repro.replay_of": "x",
      "mlflow.source.name": "/code/train.py",
    });
    expect(r.tags).toEqual({ team: "wine" });
    expect(r.refused.sort()).toEqual(["repro.replay_of", "repro.verdict"]);
  });
});

describe("latestValues (the value MLflow reports for a run)", () => {
  it("is the point at the highest step, then the latest timestamp", () => {
    const pts = [
      { key: "loss", value: 3, timestamp: 5, step: 0 },
      { key: "loss", value: 1, timestamp: 1, step: 2 },
      { key: "loss", value: 2, timestamp: 9, step: 1 },
      { key: "acc", value: 0.1, timestamp: 1, step: 0 },
      { key: "acc", value: 0.2, timestamp: 2, step: 0 },
    ];
    expect(latestValues(pts)).toEqual({ loss: 1, acc: 0.2 });
  });
});
