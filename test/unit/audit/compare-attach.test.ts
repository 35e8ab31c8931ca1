import { describe, expect, it } from "vitest";
import {
  type CompareAttachClient,
  attachCompare,
  compareRunMetrics,
  compareRunTags,
} from "../../../harness/audit/compare-attach.js";
import { type ArmInput, assembleCompare } from "../../../harness/compare/assemble.js";
import type { Execution } from "../../../harness/compare/schema.js";
import { DEFAULT_POLICY } from "../../../harness/drift/tolerance.js";

// compare --attach-experiment: what the run holding a compare report gets (pure), and the
// order of the calls over the tracking port (a recording port here; test/e2e/compare.test.ts
// attaches to a real server).

function execution(index: number, wallSeconds: number): Execution {
  return {
    index,
    position: index + 1,
    status: "finished",
    exitCode: 0,
    metrics: { rmse: 53.3 },
    wallSeconds,
    cpuSeconds: 1.5,
    peakRssBytes: 120e6,
    writtenBytes: 16384,
    keptBytes: 4096,
    traceScore: null,
    notes: [],
  };
}

function arm(id: ArmInput["id"], wall: number, over: Partial<ArmInput> = {}): ArmInput {
  return {
    id,
    command: "python train.py",
    executions: [0, 1, 2].map((i) => execution(i, wall)),
    traced: [null, null, null],
    ...over,
  };
}

const report = assembleCompare({
  compareId: "cmp-attach",
  createdAt: "2026-12-03T09:00:00.000Z",
  harness: { version: "0.1.0", node: "v20" },
  workload: { source: "scenario", path: "/tmp/basic", name: "basic", params: {} },
  replays: 3,
  arms: [
    arm("untracked", 2),
    arm("mlflow", 3),
    arm("mlflow+capture", 0, { refusal: "capture plugin not available", executions: [], traced: [] }),
  ],
  policy: DEFAULT_POLICY,
  measurement: { wallSeconds: "w", cpuSeconds: "c", peakRssBytes: "m", writtenBytes: "b" },
  findings: [],
});

describe("the run that holds a compare report", () => {
  it("is tagged with the study, its outcome and a link to the HTML", () => {
    expect(compareRunTags(report, "http://h/#x")).toEqual({
      "repro.compare": "cmp-attach",
      // an arm that could not run: the study could not be checked in full (exit 2)
      "repro.compare_outcome": "could-not-check",
      "repro.report": "http://h/#x",
    });
  });

  it("gets each arm that ran its traceability and median ratios, under names MLflow accepts; a refused arm none", () => {
    const metrics = compareRunMetrics(report);
    for (const m of metrics) expect(m.key).toMatch(/^[A-Za-z0-9_.\-/: ]+$/);
    const byKey = Object.fromEntries(metrics.map((m) => [m.key, m.value]));
    expect(byKey["overhead.mlflow.wallSeconds"]).toBeCloseTo(1.5, 6);
    expect(byKey["traceability.untracked"]).toBe(0);
    expect(Object.keys(byKey).some((k) => k.includes("mlflow_capture"))).toBe(false);
    expect(metrics.every((m) => m.step === 0 && m.timestamp === Date.parse(report.createdAt))).toBe(true);
  });
});

function recordingClient(failUpload = false) {
  const calls: string[] = [];
  const client: CompareAttachClient = {
    getOrCreateExperiment: async (name) => {
      calls.push(`experiment ${name}`);
      return { experiment_id: "7", name } as Awaited<ReturnType<CompareAttachClient["getOrCreateExperiment"]>>;
    },
    createRun: async (o) => {
      calls.push(`create ${o.experimentId} ${o.runName}`);
      return { info: { run_id: "r1" } } as Awaited<ReturnType<CompareAttachClient["createRun"]>>;
    },
    uploadArtifact: async (_t, file, dir) => {
      if (failUpload) throw new Error("disk full");
      calls.push(`upload ${file} -> ${dir}`);
      return `${dir}/${file}`;
    },
    logBatch: async (runId, b) => {
      calls.push(`batch ${runId} ${b.tags?.length} tags ${b.metrics?.length} metrics`);
      return 0;
    },
    updateRun: async (runId, o) => {
      calls.push(`update ${runId} ${o.status}`);
      return {} as Awaited<ReturnType<CompareAttachClient["updateRun"]>>;
    },
  };
  return { client, calls };
}

describe("attachCompare", () => {
  const files = { json: "report.json", markdown: "report.md", html: "report.html" };

  it("creates the run, uploads the three files under repro-audit/<id>/, tags it and marks it finished", async () => {
    const { client, calls } = recordingClient();
    const got = await attachCompare(client, report, files, "studies", "http://127.0.0.1:5000");
    expect(got).toEqual({ experimentId: "7", runId: "r1", artifactDir: "repro-audit/cmp-attach" });
    expect(calls).toEqual([
      "experiment studies",
      "create 7 compare cmp-attach",
      "upload report.json -> repro-audit/cmp-attach",
      "upload report.md -> repro-audit/cmp-attach",
      "upload report.html -> repro-audit/cmp-attach",
      `batch r1 3 tags ${compareRunMetrics(report).length} metrics`,
      "update r1 FINISHED",
    ]);
  });

  it("marks a half-attached run FAILED and says why", async () => {
    const { client, calls } = recordingClient(true);
    await expect(attachCompare(client, report, files, "studies", "http://127.0.0.1:5000")).rejects.toThrow("disk full");
    expect(calls.at(-1)).toBe("update r1 FAILED");
  });
});
