import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AuditJobOptions, auditJob } from "../../../harness/audit/audit-job.js";
import type { AuditPorts } from "../../../harness/audit/ports.js";
import { DEFAULT_POLICY } from "../../../harness/drift/tolerance.js";
import { PlanError } from "../../../harness/plan/plan.js";
import { Metrics, Tags } from "../../../harness/tracking/tags.js";
import {
  InMemoryTracking,
  type ScriptedReplay,
  scriptedPreviewStep,
  scriptedReplayStep,
} from "../../support/in-memory-tracking.js";
import { host, plan, replayRecord } from "./audit-factories.js";

// auditJob end to end through its ports, with in-memory doubles: selection,
// snapshot, replays, evidence, scoring, the check after the replays, the report on
// disk and what is published. The same flow against a real server and engine is in
// test/e2e/audit.test.ts.

const RUN = "0123456789abcdef0123456789abcdef";
const MODEL = "model/model.pkl";

let results: string;
beforeEach(() => {
  results = mkdtempSync(join(tmpdir(), "audit-job-unit-"));
});
afterEach(() => rmSync(results, { recursive: true, force: true }));

function setup(script: readonly ScriptedReplay[]) {
  const tracking = new InMemoryTracking();
  tracking.addRun({
    runId: RUN,
    runName: "wine-a",
    params: { alpha: "0.5" },
    tags: { [Tags.sourceName]: "train.py", [Tags.gitRepoUrl]: "https://bob:hunter2@example.com/o/r.git" },
    histories: {
      rmse: [
        { step: 0, value: 0.9 },
        { step: 1, value: 0.731 },
      ],
      r2: [{ step: 0, value: 0.42 }],
    },
    artifacts: { [MODEL]: "weights-v1" },
  });
  const seen: Array<Parameters<AuditPorts["replay"]>[0]> = [];
  const replay = scriptedReplayStep(tracking, {
    plan: plan({ runId: RUN, experimentId: "1" }),
    script,
    record: (i, replayRunId, metrics) => replayRecord(i, { replayRunId, metrics }),
    seen,
  });
  const ports: AuditPorts = {
    selection: tracking.selection,
    reader: tracking.reader,
    publisher: tracking.publisher,
    replay,
    preview: scriptedPreviewStep(),
  };
  const opts: AuditJobOptions = {
    selection: { kind: "runs", runIds: [RUN] },
    trackingUri: "memory://",
    ports,
    replays: script.length,
    parallel: 1,
    executor: "docker",
    resultsDir: results,
    policy: DEFAULT_POLICY,
    auditId: "unit-audit",
    publish: true,
    host: async () => host,
  };
  return { tracking, seen, opts };
}

const same: ScriptedReplay = {
  metrics: { rmse: 0.731, r2: 0.42 },
  artifacts: { [MODEL]: "weights-v1" },
};

describe("auditJob through in-memory ports", () => {
  it("reproduces a run whose replays match, and publishes the verdict, score and report to it", async () => {
    const { tracking, opts } = setup([same, same, same]);
    const res = await auditJob(opts);

    expect(res.aborted).toBe(false);
    expect(res.infrastructureErrors).toEqual([]);
    expect(res.report.runs.map((r) => [r.runId, r.score.verdict])).toEqual([[RUN, "reproduced"]]);
    expect(tracking.runs.get(RUN)?.tags).toMatchObject({
      [Tags.audit]: "unit-audit",
      [Tags.verdict]: "reproduced",
      [Tags.score]: "1.000",
      [Tags.report]: "repro-audit/unit-audit/report.html",
    });
    // its own part (page, entry) and the audit's summary
    expect(tracking.uploads.map((u) => u.artifactPath).sort()).toEqual(
      ["report.html", "report.json", "report.md"].map((f) => `repro-audit/unit-audit/${f}`),
    );
    expect(res.publish?.published).toEqual([`run ${RUN}`]);
  });

  it("a re-audit adds a score point to the original and does not score the harness's own metric as the workload's", async () => {
    const { tracking, opts } = setup([same, same, same]);
    await auditJob(opts);
    const again = await auditJob({ ...opts, auditId: "unit-audit-2" });
    // the original now carries repro.score; no replay logs it, and it is not compared
    expect(again.report.runs[0]?.metrics.map((m) => m.name).sort()).toEqual(["r2", "rmse"]);
    expect(again.report.runs[0]?.score.verdict).toBe("reproduced");
    expect(tracking.runs.get(RUN)?.histories[Metrics.score]).toEqual([
      { step: 0, value: 1 },
      { step: 0, value: 1 },
    ]);
    expect(tracking.runs.get(RUN)?.tags[Tags.audit]).toBe("unit-audit-2");
  });

  it("reads the original once for the snapshot (the selection's copy) and once more only to check it after the replays", async () => {
    const { tracking, seen, opts } = setup([same, same]);
    await auditJob(opts);

    expect(tracking.calls).toEqual([`selection.getRun ${RUN}`, `reader.getRun ${RUN}`]);
    // The replays got the snapshot's run: params as logged, credentials stripped from URL tags.
    expect(seen).toHaveLength(1);
    expect(seen[0]?.original).toMatchObject({
      runId: RUN,
      params: { alpha: "0.5" },
      metrics: { rmse: 0.731, r2: 0.42 },
    });
    expect(seen[0]?.original?.tags[Tags.gitRepoUrl]).not.toContain("hunter2");
  });

  it("says not reproduced when every replay lands elsewhere than the original, and publishes that", async () => {
    // Agreeing with each other, not with the original: not run-to-run variance.
    const off: ScriptedReplay = { metrics: { rmse: 0.9, r2: 0.42 }, artifacts: { [MODEL]: "weights-v2" } };
    const { tracking, opts } = setup([off, off, off]);
    const res = await auditJob(opts);

    expect(res.report.runs[0]?.score.verdict).toBe("not_reproduced");
    expect(res.report.runs[0]?.score.findings.join("\n")).toMatch(
      /artifact model\/model.pkl differs from the original/,
    );
    expect(tracking.runs.get(RUN)?.tags[Tags.verdict]).toBe("not_reproduced");
  });

  it("does not score or publish a run that changed while its replays ran", async () => {
    const writesIntoOriginal: ScriptedReplay = {
      ...same,
      touchOriginal: (original) => {
        original.histories.rmse = [...(original.histories.rmse ?? []), { step: 2, value: 0.5 }];
      },
    };
    const { tracking, opts } = setup([same, writesIntoOriginal]);
    const res = await auditJob(opts);

    expect(res.infrastructureErrors).toHaveLength(1);
    expect(res.infrastructureErrors[0]).toContain("the original run changed during the audit");
    expect(res.report.runs[0]?.error).toContain("history of rmse: 1 point(s) added");
    expect(tracking.runs.get(RUN)?.tags[Tags.verdict]).toBeUndefined();
    expect(tracking.uploads).toEqual([]);
  });

  it("refuses once, writing no audit folder, when the only run cannot be planned", async () => {
    const { tracking, opts } = setup([same]);
    const unplannable = `run ${RUN}: no way to know what to run`;
    const refusing: AuditPorts["replay"] = async () => {
      throw new PlanError(unplannable);
    };
    const run = auditJob({ ...opts, ports: { ...opts.ports!, replay: refusing } });
    await expect(run).rejects.toThrow(PlanError);
    await expect(run).rejects.toThrow(unplannable);
    expect(existsSync(join(results, "unit-audit"))).toBe(false);
    expect(tracking.uploads).toEqual([]);
  });

  it("writes the report of a multi-run audit where one run was planned, the other in it as failed with its refusal", async () => {
    const OTHER = "fedcba9876543210fedcba9876543210";
    const { tracking, opts } = setup([same]);
    tracking.addRun({ runId: OTHER, runName: "no-command" });
    const planned = opts.ports!.replay;
    const replay: AuditPorts["replay"] = async (o) => {
      if (o.runId === OTHER) throw new PlanError(`run ${OTHER}: no way to know what to run`);
      return planned(o);
    };
    const res = await auditJob({
      ...opts,
      selection: { kind: "runs", runIds: [RUN, OTHER] },
      ports: { ...opts.ports!, replay },
    });
    expect(existsSync(join(results, "unit-audit"))).toBe(true);
    const byId = new Map(res.report.runs.map((r) => [r.runId, r]));
    expect(byId.get(RUN)?.score.verdict).toBe("reproduced");
    expect(byId.get(OTHER)?.score.verdict).toBe("failed");
    expect(byId.get(OTHER)?.error).toContain("no way to know what to run");
  });

  it("refuses once for all, writing no audit folder, when none of several runs can be planned", async () => {
    const OTHER = "fedcba9876543210fedcba9876543210";
    const { tracking, opts } = setup([same]);
    tracking.addRun({ runId: OTHER, runName: "no-command" });
    const refusing: AuditPorts["replay"] = async (o) => {
      throw new PlanError(`run ${o.runId}: no way to know what to run`);
    };
    const run = auditJob({
      ...opts,
      selection: { kind: "runs", runIds: [RUN, OTHER] },
      ports: { ...opts.ports!, replay: refusing },
    });
    await expect(run).rejects.toThrow(
      `none of the 2 runs can be replayed:\nrun ${RUN}: no way to know what to run\nrun ${OTHER}:`,
    );
    expect(existsSync(join(results, "unit-audit"))).toBe(false);
  });
  it("refuses the only run at the check before anything is written: no folder, no snapshot, no replay", async () => {
    const { tracking, opts, seen } = setup([same]);
    const refusal = `run ${RUN}: nothing to compare: the original recorded no metrics`;
    const previewed: string[] = [];
    const asked: Array<Parameters<AuditPorts["preview"]>[0]> = [];
    const run = auditJob({
      ...opts,
      ports: {
        ...opts.ports!,
        preview: scriptedPreviewStep({
          refuse: (id) => {
            previewed.push(id);
            return refusal;
          },
          seen: asked,
        }),
      },
    });
    await expect(run).rejects.toThrow(PlanError);
    await expect(run).rejects.toThrow(refusal);
    expect(previewed).toEqual([RUN]);
    // the check does not list the original's artifacts: its snapshot does, once
    expect(asked.map((o) => o.listArtifacts)).toEqual([false]);
    expect(seen).toEqual([]);
    expect(existsSync(join(results, "unit-audit"))).toBe(false);
    expect(tracking.uploads).toEqual([]);
  });

  it("reports a run the check refused as failed with its refusal, and replays only the others", async () => {
    const OTHER = "fedcba9876543210fedcba9876543210";
    const { tracking, opts, seen } = setup([same, same, same]);
    tracking.addRun({ runId: OTHER, runName: "no-metrics" });
    const refusal = `run ${OTHER}: nothing to compare: the original recorded no metrics`;
    const res = await auditJob({
      ...opts,
      selection: { kind: "runs", runIds: [RUN, OTHER] },
      ports: {
        ...opts.ports!,
        preview: scriptedPreviewStep({ refuse: (id) => (id === OTHER ? refusal : undefined) }),
      },
    });
    expect(new Set(seen.map((o) => o.runId))).toEqual(new Set([RUN]));
    const byId = new Map(res.report.runs.map((r) => [r.runId, r]));
    expect(byId.get(OTHER)?.score.verdict).toBe("failed");
    expect(byId.get(OTHER)?.error).toBe(refusal);
    expect(res.infrastructureErrors).toContain(`run ${OTHER}: ${refusal}`);
    expect(existsSync(join(results, "unit-audit", "runs", OTHER))).toBe(false);
  });

  it("does not check again on --resume: its folder holds earlier work, and the replay step checks each run", async () => {
    const { opts } = setup([same]);
    await auditJob({ ...opts, publish: false });
    const previewed: string[] = [];
    await auditJob({
      ...opts,
      publish: false,
      resume: true,
      ports: {
        ...opts.ports!,
        preview: scriptedPreviewStep({
          refuse: (id) => {
            previewed.push(id);
            return "never asked";
          },
        }),
      },
    });
    expect(previewed).toEqual([]);
  });
});

describe("auditJob: one replay pool for the whole audit", () => {
  const OTHER = "fedcba9876543210fedcba9876543210";

  /** Two runs of one replay each, whose replays go through the pool the audit passes and count how many run at once. */
  function twoRuns(parallel: AuditJobOptions["parallel"]) {
    const { tracking, opts } = setup([same]);
    tracking.addRun({
      runId: OTHER,
      runName: "wine-b",
      params: { alpha: "0.5" },
      tags: { [Tags.sourceName]: "train.py" },
      histories: { rmse: [{ step: 0, value: 0.731 }], r2: [{ step: 0, value: 0.42 }] },
      artifacts: { [MODEL]: "weights-v1" },
    });
    const scripted = opts.ports!.replay;
    const seen = {
      most: 0,
      running: 0,
      pools: new Set<unknown>(),
      probes: new Set<unknown>(),
      parallel: [] as number[],
    };
    const replay: AuditPorts["replay"] = async (o) => {
      seen.pools.add(o.pool);
      seen.probes.add(o.probes);
      seen.parallel.push(o.parallel);
      if (o.pool === undefined) throw new Error("the audit passed no pool");
      await o.pool.run(async () => {
        seen.running++;
        seen.most = Math.max(seen.most, seen.running);
        await new Promise((r) => setTimeout(r, 30));
        seen.running--;
      });
      return scripted(o);
    };
    const stages: string[] = [];
    const run = () =>
      auditJob({
        ...opts,
        parallel,
        capacity: async () => ({ cpus: 2, memoryBytes: 8 * 1024 ** 3, what: "the engine" }),
        selection: { kind: "runs", runIds: [RUN, OTHER] },
        ports: { ...opts.ports!, replay },
        onStage: (m) => stages.push(m),
      });
    return { run, seen, stages };
  }

  it("replays different runs at once: runs share the pool instead of going one after another", async () => {
    const { run, seen } = twoRuns(2);
    const res = await run();
    expect(res.report.runs.map((r) => r.score.verdict)).toEqual(["reproduced", "reproduced"]);
    expect(seen.most).toBe(2);
    // One pool and one probe cache for the audit, not one per run.
    expect(seen.pools.size).toBe(1);
    expect(seen.probes.size).toBe(1);
    expect(res.report.inputs.parallel).toBe(2);
  });

  it("keeps to the limit across runs: --parallel 1 replays one at a time", async () => {
    const { run, seen } = twoRuns(1);
    await run();
    expect(seen.most).toBe(1);
  });

  it("auto: sizes the pool from the engine's CPUs and memory and each replay's limits, and says so", async () => {
    const { run, seen, stages } = twoRuns("auto");
    const res = await run();
    expect(stages).toContain("parallel 2: the engine has 2 CPUs, 8 GiB; each replay 1 CPU, 2 GiB");
    expect(res.report.inputs.parallel).toBe(2);
    expect(seen.parallel).toEqual([2, 2]);
    expect(seen.most).toBe(2);
  });
});
