import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assembleReport } from "../../../harness/audit/assemble-report.js";
import { assembleRun, comparedMetricNames } from "../../../harness/audit/assemble-run.js";
import { MAX_PLOTTED_POINTS } from "../../../harness/report/history-thinning.js";
import type { HistoryPoint } from "../../../harness/drift/schema.js";
import type { ReportRun } from "../../../harness/report/schema.js";
import { parseReport, serializeReport } from "../../../harness/report/serialize.js";
import { container, environmentRecord, facts, host, meta, plan, recordedRun, replayRecord } from "./audit-factories.js";

/** Validates a run the way the audit does: inside a report, through JSON and back. */
function roundTrip(run: ReportRun): ReportRun {
  const doc = assembleReport(meta({ replays: run.replays.length }), [run]);
  const back = parseReport(serializeReport(doc), "test");
  return back.runs[0] as ReportRun;
}

const metricNames = (run: ReportRun) => run.metrics.map((m) => m.name);
const series = (n: number, f: (step: number) => number): HistoryPoint[] =>
  Array.from({ length: n }, (_, step) => ({ step, value: f(step) }));

describe("assembleRun: replays that all finished", () => {
  it("bitwise-equal metrics give a reproduced run with identical metrics", () => {
    const run = assembleRun(facts());
    expect(run.runId).toBe("run-a");
    expect(run.runName).toBe("wine-a");
    expect(run.experimentId).toBe("7");
    expect(run.score.verdict).toBe("reproduced");
    expect(run.score.score).toBe(1);
    expect(run.score.counts).toEqual({
      identical: 2,
      equivalent: 0,
      varies: 0,
      inconclusive: 0,
      not_reproduced: 0,
      failed: 0,
    });
    expect(metricNames(run)).toEqual(["r2", "rmse"]);
    for (const m of run.metrics) {
      expect(m.verdict).toBe("identical");
      const original = m.name === "rmse" ? 0.731 : 0.42;
      expect(m.original).toBe(original);
      expect(m.replays).toEqual([original, original, original]);
    }
    expect(run.replays.map((r) => [r.index, r.status, r.runId, r.exitCode, r.durationMs])).toEqual([
      [0, "ok", "replay-0", 0, 1000],
      [1, "ok", "replay-1", 0, 1001],
      [2, "ok", "replay-2", 0, 1002],
    ]);
    // A finished replay shows no stderr and no failure message.
    for (const r of run.replays) {
      expect(r.stderrTail).toBeUndefined();
      expect(r.message).toBeUndefined();
    }
    expect(run.error).toBeUndefined();
    expect(roundTrip(run)).toEqual(run);
  });

  it("one replay off, with the original inside the replays' range, varies; all off beyond tolerance is not reproduced", () => {
    const oneOff = assembleRun(
      facts({ replays: [replayRecord(0), replayRecord(1, { metrics: { rmse: 0.9, r2: 0.42 } }), replayRecord(2)] }),
    );
    expect(oneOff.metrics.find((m) => m.name === "rmse")?.verdict).toBe("varies");
    expect(oneOff.score.verdict).toBe("consistent_with_variance");
    expect(oneOff.score.score).toBe(0.75); // (0.5 + 1) / 2

    const replays = [0.9, 0.91, 0.9].map((rmse, i) => replayRecord(i, { metrics: { rmse, r2: 0.42 } }));
    const run = assembleRun(facts({ replays }));
    const rmse = run.metrics.find((m) => m.name === "rmse");
    expect(rmse?.replays).toEqual([0.9, 0.91, 0.9]);
    expect(rmse?.verdict).toBe("not_reproduced");
    expect(run.metrics.find((m) => m.name === "r2")?.verdict).toBe("identical");
    expect(run.score.verdict).toBe("not_reproduced");
    expect(run.score.score).toBe(0.5); // (0 + 1) / 2
  });

  it("copies the plan, the traceability score and the image", () => {
    const run = assembleRun(
      facts({
        plan: plan({
          entryPoint: "main",
          code: {
            source: "checkout",
            path: "/tmp/wt",
            commit: "0123456789abcdef0123",
            dirtyOriginal: true,
            diffAvailable: true,
            diffApplied: true,
          },
        }),
        image: {
          imageId: "sha256:built",
          built: true,
          seconds: 3,
          mismatches: [{ what: "python", requested: "3.10", actual: "3.11" }],
          tag: "repro-audit/x:1",
        },
      }),
    );
    expect(run.plan).toEqual({
      command: "python train.py --alpha 0.5",
      source: "scenario",
      entryPoint: "main",
      params: { alpha: "0.5" },
      codeSource: "git checkout at 0123456789ab (scratch worktree)",
      dirtyOriginal: true,
      diffApplied: true,
    });
    // trace items: params present (weight 2), git_commit missing (weight 2) -> 2/4
    expect(run.traceability.score).toBe(0.5);
    expect(run.traceability.items.map((i) => i.id)).toEqual(["params", "git_commit"]);
    expect(run.image).toEqual({
      id: "sha256:built",
      tag: "repro-audit/x:1",
      builtFrom: "scenario requirements.txt (1 requirements)",
      mismatches: [{ what: "python", requested: "3.10", actual: "3.11" }],
    });
  });

  it("without a build, the image comes from the environment probe; an unknown dirty state is null", () => {
    const run = assembleRun(
      facts({ environment: environmentRecord({ mismatches: [{ what: "numpy", requested: "1.26", actual: "2.1" }] }) }),
    );
    expect(run.image.id).toBe("sha256:img-from-probe");
    expect(run.image.mismatches).toEqual([{ what: "numpy", requested: "1.26", actual: "2.1" }]);
    expect(run.plan?.dirtyOriginal).toBeNull();
  });
});

describe("assembleRun: replays that did not run or did not finish", () => {
  it("a replay index missing from the journal is reported as skipped, and the document stays aligned", () => {
    const run = assembleRun(facts({ replays: [replayRecord(0), replayRecord(2)] }));
    expect(run.replays.map((r) => r.index)).toEqual([0, 1, 2]);
    expect(run.replays.map((r) => r.status)).toEqual(["ok", "skipped", "ok"]);
    const skipped = run.replays[1];
    expect(skipped?.exitCode).toBeNull();
    expect(skipped?.durationMs).toBe(0);
    expect(skipped?.metrics).toEqual({});
    expect(skipped?.message).toMatch(/not run/);
    expect(skipped?.runId).toBeUndefined();
    for (const m of run.metrics) {
      expect(m.replays).toHaveLength(3);
      expect(m.replays[1]).toBeNull();
    }
    expect(run.score.findings).toContain("replay 2 did not run or was stopped by an infrastructure fault");
    expect(roundTrip(run)).toEqual(run);
  });

  it("failed, timeout and oom records map to their statuses with message and a trimmed stderr tail", () => {
    const longStderr = `\n\n${Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join("\n")}\n   \n`;
    const replays = [
      replayRecord(0, {
        status: "failed",
        exitCode: 1,
        failure: { kind: "exit", message: "exited with code 1" },
        stderrTail: longStderr,
        metrics: {},
      }),
      replayRecord(1, {
        status: "failed",
        exitCode: null,
        timedOut: true,
        failure: { kind: "timeout", message: "timed out after 60s" },
        stderrTail: "  slow\n",
        metrics: {},
      }),
      replayRecord(2, {
        status: "failed",
        exitCode: 137,
        oomKilled: true,
        failure: { kind: "oom", message: "killed: out of memory (512 MiB)" },
        stderrTail: "",
        metrics: {},
      }),
      // No failure object: the executor's flags decide.
      replayRecord(3, { status: "failed", exitCode: null, timedOut: true, metrics: {} }),
      replayRecord(4, { status: "failed", exitCode: 137, oomKilled: true, metrics: {} }),
      replayRecord(5, {
        status: "failed",
        exitCode: null,
        failure: { kind: "signal", message: "killed by SIGKILL" },
        metrics: {},
      }),
    ];
    const run = assembleRun(facts({ replays, replaysRequested: 6 }));
    expect(run.replays.map((r) => r.status)).toEqual(["failed", "timeout", "oom", "timeout", "oom", "failed"]);
    expect(run.replays.map((r) => r.message)).toEqual([
      "exited with code 1",
      "timed out after 60s",
      "killed: out of memory (512 MiB)",
      undefined,
      undefined,
      "killed by SIGKILL",
    ]);
    expect(run.replays.map((r) => r.exitCode)).toEqual([1, null, 137, null, 137, null]);
    const expectedTail = Array.from({ length: 20 }, (_, i) => `line ${i + 11}`).join("\n");
    expect(run.replays[0]?.stderrTail).toBe(expectedTail);
    expect(run.replays[1]?.stderrTail).toBe("slow");
    expect(run.replays[2]?.stderrTail).toBeUndefined(); // empty stderr is not shown
    expect(run.score.verdict).toBe("failed");
    expect(run.metrics.every((m) => m.verdict === "failed" && m.replays.every((v) => v === null))).toBe(true);
    expect(roundTrip(run)).toEqual(run);
  });

  it("a run that could not be planned: no plan, no replays, verdict failed, the error first", () => {
    const error = "run run-a: no way to know what to run: give --scenario DIR";
    const { plan: _p, environment: _e, ...rest } = facts();
    const run = assembleRun({ ...rest, replays: [], error });
    expect(run.plan).toBeNull();
    expect(run.replays).toEqual([]);
    expect(run.fingerprints.replays).toEqual([]);
    expect(run.score.verdict).toBe("failed");
    expect(run.score.findings[0]).toBe(error);
    expect(run.error).toBe(error);
    expect(run.metrics.every((m) => m.replays.length === 0)).toBe(true);
    expect(metricNames(run)).toEqual(["r2", "rmse"]);
    expect(roundTrip(run)).toEqual(run);
  });

  it("an error after some replays keeps the requested count and explains the rest with the error", () => {
    const error = "docker engine went away";
    const run = assembleRun(facts({ replays: [replayRecord(0)], error }));
    expect(run.replays.map((r) => r.status)).toEqual(["ok", "skipped", "skipped"]);
    expect(run.replays[1]?.message).toBe(error);
    expect(run.score.findings[0]).toBe(error);
    expect(roundTrip(run)).toEqual(run);
  });

  it("1 of 3 replays finished and 2 skipped (an interrupted audit) is incomplete, never reproduced", () => {
    const run = assembleRun(facts({ replays: [replayRecord(0)] }));
    expect(run.replays.map((r) => r.status)).toEqual(["ok", "skipped", "skipped"]);
    expect(run.score.verdict).toBe("incomplete");
    expect(run.score.reason).toMatch(/^Incomplete: 1 of 3 replays finished; 2 did not run/);
    // What finished is judged on its own: identical so far, not "varies" for the gaps.
    expect(run.metrics.map((m) => m.verdict)).toEqual(["identical", "identical"]);
    expect(roundTrip(run)).toEqual(run);
  });

  it("an infrastructure failure beside two bit-identical replays is incomplete, not the workload's failure", () => {
    const infra = replayRecord(1, {
      status: "failed",
      exitCode: null,
      failure: { kind: "infrastructure", message: "tracking server unreachable: ECONNREFUSED 127.0.0.1:5000" },
      metrics: {},
    });
    const run = assembleRun(facts({ replays: [replayRecord(0), infra, replayRecord(2)] }));
    expect(run.score.verdict).toBe("incomplete");
    expect(run.score.reason).toMatch(
      /^Incomplete: 2 of 3 replays finished; 1 did not run or was stopped by an infrastructure fault/,
    );
    expect(run.metrics.map((m) => m.verdict)).toEqual(["identical", "identical"]);
    expect(run.score.counts.not_reproduced).toBe(0);
    expect(run.replays[1]?.message).toMatch(/tracking server unreachable/);
    expect(roundTrip(run)).toEqual(run);
  });

  it("a run the audit was interrupted before is incomplete with every replay skipped, not failed", () => {
    const { plan: _p, environment: _e, ...rest } = facts();
    const run = assembleRun({
      ...rest,
      replays: [],
      error: "not replayed: the audit was interrupted before this run",
      interrupted: true,
    });
    expect(run.replays.map((r) => r.status)).toEqual(["skipped", "skipped", "skipped"]);
    expect(run.score.verdict).toBe("incomplete");
    expect(run.score.reason).toMatch(/^Incomplete: 0 of 3 replays finished/);
    expect(roundTrip(run)).toEqual(run);
  });

  it("replays that all matched are not scored when the original changed under the audit: failed, score 0, the changes first", () => {
    const error = "the original run changed during the audit: metric rmse changed: 0.731 -> 0.5";
    const run = roundTrip(assembleRun(facts({ error, notScored: "the original run changed during the audit" })));
    expect(run.metrics.map((m) => m.verdict)).toEqual(["identical", "identical"]);
    expect(run.score).toMatchObject({
      verdict: "failed",
      score: 0,
      reason: "Not scored: the original run changed during the audit.",
    });
    expect(run.score.findings[0]).toBe(error);
    expect(run.error).toBe(error);
  });

  it("journal records beyond the requested count are not reported", () => {
    const run = assembleRun(
      facts({ replays: [replayRecord(0), replayRecord(1), replayRecord(5)], replaysRequested: 2 }),
    );
    expect(run.replays.map((r) => r.index)).toEqual([0, 1]);
    expect(run.fingerprints.replays).toHaveLength(2);
  });
});

describe("assembleRun: which metrics are compared", () => {
  const sys = "system/cpu_utilization_percentage";

  it("MLflow system metrics are compared neither from the original nor from the replays", () => {
    const run = assembleRun(
      facts({
        run: recordedRun({ metrics: { rmse: 0.731, [sys]: 12.5 } }),
        replays: [0, 1, 2].map((i) =>
          replayRecord(i, { metrics: { rmse: 0.731, [sys]: 80 + i, "system/memory_usage_megabytes": 300 } }),
        ),
      }),
    );
    expect(metricNames(run)).toEqual(["rmse"]);
    for (const r of run.replays) expect(Object.keys(r.metrics)).toEqual(["rmse"]);
    expect(run.score.verdict).toBe("reproduced");
    expect(JSON.stringify(run)).not.toContain("system/");
  });

  it("capture names narrow the compared metrics (system metrics stay out even when named)", () => {
    const run = recordedRun({ metrics: { rmse: 1, mae: 2, r2: 3, [sys]: 4 } });
    expect(comparedMetricNames(run, plan({ capture: { mode: "mlflow", names: ["rmse", sys] } }))).toEqual(["rmse"]);
    expect(comparedMetricNames(run, plan({ capture: { mode: "mlflow" } })).sort()).toEqual(["mae", "r2", "rmse"]);
    expect(
      comparedMetricNames(run, plan({ capture: { mode: "stdout-json", paths: { acc: "$.acc", f1: "$.f1" } } })),
    ).toEqual(["acc", "f1"]);
    expect(
      comparedMetricNames(run, plan({ capture: { mode: "json", file: "out/m.json", paths: { mae: "$.mae" } } })),
    ).toEqual(["mae"]);
    expect(comparedMetricNames(run, undefined).sort()).toEqual(["mae", "r2", "rmse"]);

    const report = assembleRun(
      facts({
        run,
        plan: plan({ capture: { mode: "mlflow", names: ["rmse"] } }),
        replays: [0, 1, 2].map((i) => replayRecord(i, { metrics: { rmse: 1 } })),
      }),
    );
    expect(metricNames(report)).toEqual(["rmse"]);
    expect(report.score.verdict).toBe("reproduced");
  });
});

describe("assembleRun: histories and artifacts", () => {
  it("long histories are thinned for plotting, first, last and the deviating step kept on both sides, while scoring sees every point", () => {
    const n = 1201;
    const orig = series(n, (s) => s / 2);
    // Step 1 lies between the thinning's regular picks: it is plotted because replay 2 deviates there.
    const replay = series(n, (s) => (s === 1 ? 0.5 + 0.25 : s / 2));
    const run = assembleRun(
      facts({
        run: recordedRun({ metrics: { loss: 600 } }),
        replays: [0, 1].map((i) => replayRecord(i, { metrics: { loss: 600 } })),
        replaysRequested: 2,
        evidence: { originalHistories: { loss: orig }, replayHistories: [{ loss: orig }, { loss: replay }] },
      }),
    );
    const plotted = run.histories?.loss;
    expect(plotted?.original?.length).toBeLessThanOrEqual(MAX_PLOTTED_POINTS + 1);
    expect(plotted?.original?.length).toBeGreaterThan(MAX_PLOTTED_POINTS / 2);
    expect(plotted?.original?.[0]).toEqual({ step: 0, value: 0 });
    expect(plotted?.original?.at(-1)).toEqual({ step: 1200, value: 600 });
    expect(plotted?.replays).toHaveLength(2);
    expect(plotted?.replays[1]?.length).toBeLessThanOrEqual(MAX_PLOTTED_POINTS + 1);
    expect(plotted?.replays[1]?.find((p) => p.step === 1)).toEqual({ step: 1, value: 0.75 });
    expect(plotted?.original?.find((p) => p.step === 1)).toEqual({ step: 1, value: 0.5 });
    // replay 1 matches the original everywhere: no deviation point of its own
    expect(plotted?.replays[0]?.some((p) => p.step === 1)).toBe(false);
    expect(plotted?.points).toEqual({ original: n, replays: [n, n] });
    const steps = plotted?.original?.map((p) => p.step) ?? [];
    expect(steps.every((s, i) => i === 0 || s > (steps[i - 1] as number))).toBe(true);

    const loss = run.metrics.find((m) => m.name === "loss");
    expect(loss?.verdict).toBe("identical"); // final values agree
    expect(loss?.history?.stepsCompared).toBe(n);
    expect(loss?.history?.atStep).toBe(1);
    expect(loss?.history?.atReplay).toBe(1);
    expect(loss?.history?.maxAbsDev).toBe(0.25);
    expect(loss?.findings.some((f) => f.includes("first at step 1"))).toBe(true);
    expect(roundTrip(run)).toEqual(run);
  });

  it("histories at the plotting limit are kept whole; a replay without one plots null", () => {
    const h = series(MAX_PLOTTED_POINTS, (s) => s);
    const run = assembleRun(
      facts({
        run: recordedRun({ metrics: { acc: MAX_PLOTTED_POINTS - 1 } }),
        replays: [0, 1].map((i) => replayRecord(i, { metrics: { acc: MAX_PLOTTED_POINTS - 1 } })),
        replaysRequested: 2,
        evidence: { originalHistories: { acc: h }, replayHistories: [{ acc: h }, undefined] },
      }),
    );
    expect(run.histories?.acc?.original).toEqual(h);
    expect(run.histories?.acc?.replays).toEqual([h, null]);
  });

  it("no histories gathered: the run has no histories entry", () => {
    expect(assembleRun(facts()).histories).toBeUndefined();
    expect(
      assembleRun(facts({ evidence: { originalHistories: {}, replayHistories: [undefined, undefined, undefined] } }))
        .histories,
    ).toBeUndefined();
  });

  it("artifacts with the original's hash in every replay are identical", () => {
    const art = { "model/model.pkl": "a".repeat(64), "model/MLmodel": "b".repeat(64) };
    const run = assembleRun(facts({ evidence: { originalArtifacts: art, replayArtifacts: [art, art, art] } }));
    expect(run.artifacts.map((a) => [a.path, a.identical])).toEqual([
      ["model/MLmodel", true],
      ["model/model.pkl", true],
    ]);
    expect(run.score.score).toBe(1);
  });

  it("an MLmodel that differs in bytes only by its run id is identical by meaning; one with another flavor is a finding", () => {
    const orig = { "model/MLmodel": "a".repeat(64) };
    const text = (runId: string, flavor = "sklearn") =>
      `run_id: ${runId}\nflavors:\n  ${flavor}:\n    pickled_model: model.pkl\n`;
    const run = assembleRun(
      facts({
        replaysRequested: 2,
        evidence: {
          originalArtifacts: orig,
          originalArtifactTexts: { "model/MLmodel": text("r0") },
          replayArtifacts: [{ "model/MLmodel": "b".repeat(64) }, { "model/MLmodel": "c".repeat(64) }],
          replayArtifactTexts: [{ "model/MLmodel": text("r1") }, { "model/MLmodel": text("r2", "onnx") }],
        },
      }),
    );
    expect(run.artifacts[0]).toMatchObject({ path: "model/MLmodel", identical: false, semantic: { state: "differs" } });
    expect(run.score.findings.join("\n")).toMatch(
      /artifact model\/MLmodel differs from the original in replay 1, replay 2 \(by meaning: replay 2: flavors\.onnx\.pickled_model/,
    );
    const same = assembleRun(
      facts({
        replaysRequested: 1,
        evidence: {
          originalArtifacts: orig,
          originalArtifactTexts: { "model/MLmodel": text("r0") },
          replayArtifacts: [{ "model/MLmodel": "b".repeat(64) }],
          replayArtifactTexts: [{ "model/MLmodel": text("r1") }],
        },
      }),
    );
    expect(same.artifacts[0]).toMatchObject({
      identical: true,
      semantic: { state: "same", ignored: expect.arrayContaining(["run_id"]) },
    });
  });

  it("an artifact that differs in one replay is not identical and is named in the findings", () => {
    const art = { "model/model.pkl": "a".repeat(64) };
    const other = { "model/model.pkl": "c".repeat(64) };
    const run = assembleRun(facts({ evidence: { originalArtifacts: art, replayArtifacts: [art, other, art] } }));
    expect(run.artifacts).toEqual([
      {
        path: "model/model.pkl",
        originalSha256: "a".repeat(64),
        replaySha256: ["a".repeat(64), "c".repeat(64), "a".repeat(64)],
        identical: false,
      },
    ]);
    expect(run.score.findings).toContain("artifact model/model.pkl differs from the original in replay 2");
    // two identical metrics (1 each) and one differing artifact (0)
    expect(run.score.score).toBeCloseTo(2 / 3, 12);
  });
});

describe("assembleRun: paths and fingerprints", () => {
  it("displayRoot makes a scenario path inside it relative, and leaves others absolute", () => {
    const p = plan({
      code: { source: "scenario", path: "/srv/project/scenarios/basic", dirtyOriginal: false, diffAvailable: false },
    });
    expect(assembleRun(facts({ plan: p, displayRoot: "/srv/project" })).plan?.codeSource).toBe(
      "scenario scenarios/basic",
    );
    expect(assembleRun(facts({ plan: p, displayRoot: "/srv/project/" })).plan?.codeSource).toBe(
      "scenario scenarios/basic",
    );
    expect(assembleRun(facts({ plan: p, displayRoot: "/srv/project/scenarios/basic" })).plan?.codeSource).toBe(
      "scenario .",
    );
    expect(assembleRun(facts({ plan: p, displayRoot: "/elsewhere" })).plan?.codeSource).toBe(
      "scenario /srv/project/scenarios/basic",
    );
    expect(assembleRun(facts({ plan: p, displayRoot: "/srv/proj" })).plan?.codeSource).toBe(
      "scenario /srv/project/scenarios/basic",
    );
    expect(assembleRun(facts({ plan: p })).plan?.codeSource).toBe("scenario /srv/project/scenarios/basic");
  });

  it("one fingerprint per journaled replay, with the probe's container part and image id", () => {
    const code = { commit: "f".repeat(40), dirty: false };
    const run = assembleRun(
      facts({
        replays: [replayRecord(0), replayRecord(2, { imageId: undefined, executor: "local" })],
        host,
        code,
      }),
    );
    const fps = run.fingerprints.replays;
    expect(fps).toHaveLength(2);
    expect(fps.map((f) => f.imageId)).toEqual(["sha256:img-from-record", "sha256:img-from-probe"]);
    expect(fps.map((f) => f.executor)).toEqual(["docker", "local"]);
    expect(fps.map((f) => f.capturedAt)).toEqual(["2025-03-01T10:00:00.000Z", "2025-03-01T10:02:00.000Z"]);
    for (const f of fps) {
      expect(f.container).toEqual(container);
      expect(f.host).toEqual(host);
      expect(f.code).toEqual(code);
    }
    expect(run.replays[1]?.status).toBe("skipped");
  });

  it("the original's recorded environment is diffed against the first replay", () => {
    const run = assembleRun(
      facts({
        run: recordedRun({ tags: { "mlflow.source.git.commit": "1".repeat(40), "mlflow.source.name": "train.py" } }),
        code: { commit: "2".repeat(40), dirty: false },
      }),
    );
    expect(run.fingerprints.original?.recorded).toEqual({
      "mlflow.source.git.commit": "1".repeat(40),
      "mlflow.source.name": "train.py",
    });
    expect(run.fingerprintDiff.changes).toEqual([
      { path: "code.commit", kind: "changed", category: "code", before: "1".repeat(40), after: "2".repeat(40) },
    ]);
    expect(run.fingerprintDiff.unified).toContain(`-    "commit": "${"1".repeat(40)}"`);
  });
});

describe("assembleRun: properties", () => {
  it("the order of the journal records does not matter", () => {
    const records = [
      replayRecord(0),
      replayRecord(1, { metrics: { rmse: 0.7310000000000001, r2: 0.42 } }),
      replayRecord(2, {
        status: "failed",
        failure: { kind: "exit", message: "boom" },
        exitCode: 2,
        stderrTail: "Traceback\nValueError",
        metrics: {},
      }),
      replayRecord(3, { metrics: { rmse: 0.75, r2: 0.4 } }),
    ];
    const base = assembleRun(facts({ replays: records, replaysRequested: 4 }));
    fc.assert(
      fc.property(
        fc.shuffledSubarray(records, { minLength: records.length, maxLength: records.length }),
        (shuffled) => {
          expect(assembleRun(facts({ replays: shuffled, replaysRequested: 4 }))).toEqual(base);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("for any set of journaled indexes, replays are 0..n-1, skipped exactly where missing, and the document validates", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 6 })
          .chain((n) => fc.tuple(fc.constant(n), fc.subarray(Array.from({ length: n }, (_, i) => i)))),
        ([n, present]) => {
          const run = assembleRun(facts({ replays: present.map((i) => replayRecord(i)), replaysRequested: n }));
          expect(run.replays.map((r) => r.index)).toEqual(Array.from({ length: n }, (_, i) => i));
          expect(run.replays.map((r) => r.status)).toEqual(
            Array.from({ length: n }, (_, i) => (present.includes(i) ? "ok" : "skipped")),
          );
          for (const m of run.metrics) expect(m.replays).toHaveLength(n);
          expect(run.fingerprints.replays).toHaveLength(present.length);
          expect(run.score.verdict).toBe(present.length === n ? "reproduced" : "incomplete");
          expect(roundTrip(run)).toEqual(run);
        },
      ),
      { numRuns: 30 },
    );
  });

  it("plotted histories keep every point up to the limit and at most the limit beyond it, both ends, in step order", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 3 * MAX_PLOTTED_POINTS }), (len) => {
        const h = series(len, (s) => s * 3);
        const run = assembleRun(facts({ evidence: { originalHistories: { rmse: h } } }));
        const plotted = run.histories?.rmse?.original ?? [];
        if (len <= MAX_PLOTTED_POINTS) expect(plotted).toEqual(h);
        else expect(plotted.length).toBeLessThanOrEqual(MAX_PLOTTED_POINTS);
        expect(plotted[0]).toEqual(h[0]);
        expect(plotted.at(-1)).toEqual(h.at(-1));
        for (let i = 1; i < plotted.length; i++)
          expect((plotted[i] as HistoryPoint).step).toBeGreaterThan((plotted[i - 1] as HistoryPoint).step);
        expect(run.histories?.rmse?.replays).toEqual([null, null, null]);
      }),
      { numRuns: 40 },
    );
  });
});

describe("assembleRun: what importing sealed replays turned up", () => {
  it("lists each distinct sandbox note once, with the replays (numbered from 1) that gave it", () => {
    const note = "the replay registered model M version 1 in its sandbox; the real model registry was not touched";
    const run = assembleRun(
      facts({
        replays: [replayRecord(0, { notes: [note] }), replayRecord(1), replayRecord(2, { notes: [note, "other"] })],
      }),
    );
    expect(run.score.findings).toContain(`sandbox (replay 1, 3): ${note}`);
    expect(run.score.findings).toContain("sandbox (replay 3): other");
  });
});

describe("assembleRun: an original that could not be checked after the replays", () => {
  it("is incomplete (the audit could not tell), not failed: the server fault says nothing of the run", () => {
    const error =
      "could not read the original again after the replays to check that it did not change: connect ECONNREFUSED";
    const run = assembleRun(facts({ error, unchecked: "the original run could not be checked after the replays" }));
    expect(run.score.verdict).toBe("incomplete");
    expect(run.score.reason).toMatch(
      /^Incomplete: the original run could not be checked after the replays; resuming the audit checks it/,
    );
    expect(run.score.findings[0]).toBe(error);
  });
  it("a run whose replays are incomplete too stays incomplete, with the replays' reason", () => {
    const run = assembleRun(
      facts({ replays: [replayRecord(0)], unchecked: "the original run could not be checked after the replays" }),
    );
    expect(run.score.verdict).toBe("incomplete");
    expect(run.score.reason).toMatch(/^Incomplete: 1 of 3 replays finished/);
  });
});

describe("assembleRun: findings", () => {
  it("come in one order, built once: the run's error, the scores', the plan's notes, then the audit's own", () => {
    const f = facts({
      error: "boom",
      plan: { ...plan(), notes: ["defaulted x"] },
      auditNotes: ["snapshot from before"],
    });
    const run = assembleRun(f);
    expect(run.score.findings[0]).toBe("boom");
    expect(run.score.findings.slice(-2)).toEqual(["plan: defaulted x", "snapshot from before"]);
    expect(f.plan?.notes).toEqual(["defaulted x"]);
  });

  it("an original that changed and could not be checked is incomplete, scored 0", () => {
    const run = assembleRun(facts({ notScored: "it changed", unchecked: "it could not be read again" }));
    expect(run.score.verdict).toBe("incomplete");
    expect(run.score.score).toBe(0);
    expect(run.score.reason).toMatch(/^Incomplete: it could not be read again/);
  });
});
