import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseMlProject } from "../../../harness/plan/mlproject.js";
import { type PlanInput, PlanError, buildPlan, chooseCommandSource } from "../../../harness/plan/plan.js";
import { type RecordedRun, recordedRunFromMlflow } from "../../../harness/plan/recorded-run.js";
import { parseScenario } from "../../../harness/plan/scenario.js";
import { RunSchema } from "../../../harness/tracking/schemas.js";

const root = new URL("../../../scenarios/basic/", import.meta.url);
const project = parseMlProject(readFileSync(new URL("MLproject", root), "utf8"), "MLproject");
const scenario = parseScenario(readFileSync(new URL("scenario.yaml", root), "utf8"), "scenario.yaml");

function run(over: Partial<RecordedRun> = {}): RecordedRun {
  return {
    runId: "r1",
    experimentId: "1",
    params: { alpha: "0.5", l1_ratio: "0.1", seed: "42" },
    tags: {},
    metrics: { rmse: 53.3, r2: 0.48 },
    ...over,
  };
}

function input(over: Partial<PlanInput> = {}): PlanInput {
  return {
    run: run(),
    environment: { source: "scenario", requirements: ["numpy==2.4.6"], python: "3.11" },
    code: { source: "scenario", path: "/code/basic", diffAvailable: false },
    ...over,
  };
}

describe("buildPlan", () => {
  it("scenario: binds logged params as logged (no re-typing: 0.50 stays 0.50)", () => {
    const p = buildPlan(input({ run: run({ params: { alpha: "0.50", l1_ratio: "1e-1", seed: "042" } }), scenario }));
    expect(p.commandSource).toBe("scenario");
    expect(p.command).toBe("python train.py --alpha 0.50 --l1-ratio 1e-1 --seed 042");
    expect(p.params).toEqual({ alpha: "0.50", l1_ratio: "1e-1", seed: "042" });
    expect(p.capture).toEqual({ mode: "mlflow", names: ["rmse", "mae", "r2"] });
    expect(p.limits).toMatchObject({ timeoutSeconds: 300, memoryMb: 1024 });
    expect(p.originalMetrics).toEqual({ rmse: 53.3, r2: 0.48 });
  });

  it("keeps an original's NaN and ±Infinity metrics (a diverged run is what an audit must show)", () => {
    const p = buildPlan(
      input({
        run: run({ metrics: { loss: Number.NaN, grad: Number.POSITIVE_INFINITY, low: Number.NEGATIVE_INFINITY } }),
        scenario,
      }),
    );
    expect(Number.isNaN(p.originalMetrics["loss"])).toBe(true);
    expect(p.originalMetrics["grad"]).toBe(Number.POSITIVE_INFINITY);
    expect(p.originalMetrics["low"]).toBe(Number.NEGATIVE_INFINITY);
  });

  it("a run launched by `mlflow run` uses the MLproject entry point and undoes MLflow's logged quoting", () => {
    const p = buildPlan(
      input({
        project,
        scenario,
        run: run({
          tags: { "mlflow.project.entryPoint": "main", "mlflow.source.type": "PROJECT" },
          params: { alpha: "0.5", l1_ratio: "0.1", seed: "7" },
        }),
      }),
    );
    expect(p.commandSource).toBe("mlproject");
    expect(p.entryPoint).toBe("main");
    expect(p.command).toBe("python train.py --alpha 0.5 --l1-ratio 0.1 --seed 7");
    expect(p.environment.source).toBe("scenario"); // the caller resolved it; the plan keeps it
  });

  it("undoes quoting that mlflow run applied to a value with spaces", () => {
    const proj = parseMlProject(
      'entry_points:\n  main:\n    parameters: {label: string}\n    command: "python t.py {label}"\n',
    );
    const p = buildPlan(
      input({ project: proj, run: run({ tags: { "mlflow.project.entryPoint": "main" }, params: { label: "'a b'" } }) }),
    );
    expect(p.command).toBe("python t.py 'a b'");
    expect(p.params).toEqual({ label: "a b" });
  });

  it("without the entry-point tag, a scenario file wins over the MLproject; without a scenario the MLproject's main is used", () => {
    expect(chooseCommandSource(run(), { project: true, scenario: true })).toBe("scenario");
    const p = buildPlan(input({ project }));
    expect(p.commandSource).toBe("mlproject");
    expect(p.entryPoint).toBe("main");
  });

  it("falls back to the repro.command tag, verbatim", () => {
    const p = buildPlan(input({ run: run({ tags: { "repro.command": "python train.py --alpha 0.5" } }) }));
    expect(p.commandSource).toBe("tag");
    expect(p.command).toBe("python train.py --alpha 0.5");
    expect(p.capture).toEqual({ mode: "mlflow" });
  });

  it("with nothing to run, says how to give it", () => {
    expect(() => buildPlan(input())).toThrow(PlanError);
    expect(() => buildPlan(input())).toThrow(/--code PATH.*--scenario DIR.*repro\.command/);
  });

  it("notes defaults and logged params that are not command parameters", () => {
    const p = buildPlan(input({ scenario, run: run({ params: { alpha: "0.3", max_iter: "100" } }) }));
    expect(p.defaulted).toEqual(["l1_ratio", "seed"]);
    expect(p.unboundParams).toEqual(["max_iter"]);
    expect(p.command).toBe("python train.py --alpha 0.3 --l1-ratio 0.1 --seed 42");
    expect(p.notes.join("\n")).toMatch(/defaults: l1_ratio, seed/);
    expect(
      buildPlan(
        input({
          scenario,
          run: run({ params: { alpha: "0.3", max_iter: "100" } }),
          options: { extraParams: "append" },
        }),
      ).command,
    ).toBe("python train.py --alpha 0.3 --l1-ratio 0.1 --seed 42 --max_iter 100");
  });

  it("a logged value that does not fit its type is a plan error naming the run", () => {
    expect(() =>
      buildPlan(input({ scenario, run: run({ params: { alpha: "lots", l1_ratio: "0.1", seed: "1" } }) })),
    ).toThrow(/run r1: cannot bind its params: parameter "alpha" is declared float, but "lots" is not a number/);
  });

  it("flags a dirty original, with or without a recorded diff", () => {
    const dirty = run({ tags: { "mlflow.source.git.dirty": "true" } });
    const without = buildPlan(input({ scenario, run: dirty }));
    expect(without.code.dirtyOriginal).toBe(true);
    expect(without.notes.join()).toMatch(/dirty tree and its changes were not recorded/);
    const withDiff = buildPlan(
      input({
        scenario,
        run: dirty,
        code: { source: "checkout", path: "/w", commit: "abc", diffAvailable: true, diffApplied: true },
      }),
    );
    expect(withDiff.code).toEqual({
      source: "checkout",
      path: "/w",
      commit: "abc",
      dirtyOriginal: true,
      diffAvailable: true,
      diffApplied: true,
    });
    expect(buildPlan(input({ scenario })).code.dirtyOriginal).toBe("unknown");
    expect(buildPlan(input({ scenario, run: run({ tags: { "repro.git.dirty": "false" } }) })).code.dirtyOriginal).toBe(
      false,
    );
  });

  it("CLI limits override the scenario's", () => {
    const p = buildPlan(input({ scenario, options: { limits: { timeoutSeconds: 5 } } }));
    expect(p.limits).toEqual({ timeoutSeconds: 5, memoryMb: 1024, cpus: 1, pids: 256 });
  });
});

describe("recordedRunFromMlflow", () => {
  it("flattens params/tags and keeps the latest metric step", () => {
    const r = recordedRunFromMlflow(
      RunSchema.parse({
        info: { run_id: "abc", experiment_id: "3", run_name: "n" },
        data: {
          params: [{ key: "alpha", value: "0.5" }],
          tags: [{ key: "t", value: "v" }],
          metrics: [
            { key: "loss", value: 2, step: 1, timestamp: 1 },
            { key: "loss", value: 1, step: 5, timestamp: 2 },
          ],
        },
      }),
    );
    expect(r).toEqual({
      runId: "abc",
      experimentId: "3",
      runName: "n",
      params: { alpha: "0.5" },
      tags: { t: "v" },
      metrics: { loss: 1 },
    });
  });
});

describe("a built plan", () => {
  // The typecheck is this test: each mutation below must not compile (ts-expect-error fails when it does).
  it("is readonly all the way down: a step that needs another plan builds a new one", () => {
    const p = buildPlan(input({ scenario }));
    const mutations = [
      // @ts-expect-error notes cannot grow after the plan is built
      () => p.notes.push("x"),
      () => {
        // @ts-expect-error nor can the environment be rewritten in place
        p.environment.dockerVolumes = [];
      },
      () => {
        // @ts-expect-error nor a nested tuple
        (p.environment.dockerEnvironment[0] as readonly [string, string])[1] = "x";
      },
    ];
    expect(mutations).toHaveLength(3);
  });
});
