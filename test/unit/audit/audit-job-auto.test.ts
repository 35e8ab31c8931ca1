import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AuditJobOptions, auditJob } from "../../../harness/audit/audit-job.js";
import { renderAuditSummary } from "../../../harness/cli/commands/audit-action.js";
import type { AuditPorts } from "../../../harness/audit/ports.js";
import { alphaSpending, lookSchedule } from "../../../harness/drift/stopping.js";
import { DEFAULT_POLICY } from "../../../harness/drift/tolerance.js";
import { Tags } from "../../../harness/tracking/tags.js";
import {
  InMemoryTracking,
  type ScriptedReplay,
  scriptedPreviewStep,
  scriptedReplayStep,
} from "../../support/in-memory-tracking.js";
import { host, plan, replayRecord } from "./audit-factories.js";

// `--replays auto` through auditJob's ports: the stopping rule (drift/stopping.ts)
// decides after each look how many replays the run gets; the in-memory replay step
// runs, like the journal, only the indexes each call adds.

const RUN = "0123456789abcdef0123456789abcdef";

let results: string;
beforeEach(() => {
  results = mkdtempSync(join(tmpdir(), "audit-job-auto-"));
});
afterEach(() => rmSync(results, { recursive: true, force: true }));

/** rmse values per replay; r2 always the original's. The original logged rmse 0.731. */
const rmse = (values: readonly number[]): ScriptedReplay[] => values.map((v) => ({ metrics: { rmse: v, r2: 0.42 } }));

function setup(
  script: readonly ScriptedReplay[],
  over: Partial<AuditJobOptions> = {},
  wrap?: (step: AuditPorts["replay"]) => AuditPorts["replay"],
) {
  const tracking = new InMemoryTracking();
  tracking.addRun({
    runId: RUN,
    runName: "wine-a",
    params: { alpha: "0.5" },
    tags: { [Tags.sourceName]: "train.py" },
    histories: { rmse: [{ step: 0, value: 0.731 }], r2: [{ step: 0, value: 0.42 }] },
  });
  const seen: Array<Parameters<AuditPorts["replay"]>[0]> = [];
  const step = scriptedReplayStep(tracking, {
    plan: plan({ runId: RUN, experimentId: "1" }),
    script,
    record: (i, replayRunId, metrics) => replayRecord(i, { replayRunId, metrics }),
    seen,
  });
  const replay = wrap ? wrap(step) : step;
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
    replays: "auto",
    parallel: 1,
    executor: "docker",
    resultsDir: results,
    policy: DEFAULT_POLICY,
    auditId: "auto-audit",
    publish: false,
    host: async () => host,
    ...over,
  };
  return { seen, opts };
}

const identical = rmse(Array.from({ length: 20 }, () => 0.731));
// Three replays just under the original: beyond their range, but with 3 replays the
// interval is too wide to reject it. The next two bracket it: settled at 5.
const noisyThenInside = rmse([0.72, 0.725, 0.728, 0.735, 0.726, ...Array.from({ length: 15 }, () => 0.73)]);
// Always just under the original, never far enough to reject: never settles.
const alwaysJustUnder = rmse(Array.from({ length: 20 }, (_, i) => 0.72 + (i % 4) * 0.0025));

describe("auditJob with --replays auto", () => {
  it("stops at the first look (3) when the replays are identical, and says so in the report", async () => {
    const { seen, opts } = setup(identical);
    const res = await auditJob(opts);

    const run = res.report.runs[0];
    expect(seen.map((o) => o.replays)).toEqual([3]);
    expect(run?.replays).toHaveLength(3);
    expect(run?.score.verdict).toBe("reproduced");
    expect(run?.replayCount).toMatchObject({ mode: "auto", replays: 3, maxReplays: 20, stoppedBy: "settled" });
    expect(run?.score.findings).toContainEqual(
      expect.stringMatching(/^auto: stopped after 3 replays: every metric settled \(Settled at 3 replays/),
    );
    expect(res.report.inputs).toMatchObject({ replays: 3, maxReplays: 20 });
  });

  it("runs up to the next look (5) while a metric rests on the interval's width, then stops once it is settled", async () => {
    const { seen, opts } = setup(noisyThenInside);
    const res = await auditJob(opts);

    const run = res.report.runs[0];
    expect(seen.map((o) => o.replays)).toEqual([3, 5]);
    expect(run?.replays).toHaveLength(5);
    expect(run?.replayCount).toMatchObject({ replays: 5, stoppedBy: "settled" });
    expect(run?.score.verdict).toBe("consistent_with_variance");
  });

  it("scores the run at the level the rule spent on the look it stopped at", async () => {
    // Beyond the replays' range at every look, so rmse is tested: at the budget's look.
    const { opts } = setup(alwaysJustUnder, { maxReplays: 8 });
    const res = await auditJob(opts);

    const looks = lookSchedule(3, 8);
    const atLast = alphaSpending(looks)[looks.indexOf(8)] as number;
    expect(atLast).toBeCloseTo((0.05 * 3) / 8, 12);
    expect(res.report.runs[0]?.replayCount?.alpha).toBe(atLast);
    expect(res.report.runs[0]?.metrics.find((m) => m.name === "rmse")?.test?.alpha).toBe(atLast);
  });

  it("respects --max-replays: a run that never settles stops at the budget and says it reached it", async () => {
    const { seen, opts } = setup(alwaysJustUnder, { maxReplays: 8 });
    const res = await auditJob(opts);

    const run = res.report.runs[0];
    expect(seen.map((o) => o.replays)).toEqual([3, 5, 8]);
    expect(run?.replays).toHaveLength(8);
    expect(run?.replayCount).toMatchObject({ replays: 8, maxReplays: 8, stoppedBy: "budget" });
    expect(run?.score.findings).toContainEqual(expect.stringMatching(/^auto: reached --max-replays 8 \(/));
    expect(run?.score.verdict).not.toBe("reproduced");
  });

  it("keeps --replays N exact: no look, no replayCount", async () => {
    const { seen, opts } = setup(alwaysJustUnder, { replays: 4 });
    const res = await auditJob(opts);

    expect(seen.map((o) => o.replays)).toEqual([4]);
    expect(res.report.runs[0]?.replays).toHaveLength(4);
    expect(res.report.runs[0]?.replayCount).toBeUndefined();
    expect(res.report.inputs.maxReplays).toBeUndefined();
  });

  it("resumes an interrupted auto audit from what is journaled, still auto whatever --replays the resume gives", async () => {
    // The first attempt is interrupted in its second batch, with 4 of 5 replays journaled.
    let interrupt = true;
    const { seen, opts } = setup(noisyThenInside, {}, (step) => async (o) => {
      if (!interrupt || o.replays <= 3) return step(o);
      const partial = await step({ ...o, replays: 4 });
      return { ...partial, summary: { ...partial.summary, replays: o.replays, aborted: true } };
    });
    const first = await auditJob(opts);
    expect(first.aborted).toBe(true);
    expect(first.report.runs[0]?.score.verdict).toBe("incomplete");
    expect(JSON.parse(readFileSync(join(results, "auto-audit", "audit.json"), "utf8")).replayCount).toEqual({
      mode: "auto",
      maxReplays: 20,
    });

    interrupt = false;
    seen.length = 0;
    const resumed = await auditJob({ ...opts, replays: 3, resume: true });

    const run = resumed.report.runs[0];
    expect(resumed.aborted).toBe(false);
    // 3 (the first look, all journaled), 4 (what the journal reached), then the look at 5.
    expect(seen.map((o) => o.replays)).toEqual([3, 4, 5]);
    expect(run?.replays).toHaveLength(5);
    expect(run?.replayCount).toMatchObject({ replays: 5, stoppedBy: "settled" });
    expect(run?.score.verdict).toBe("consistent_with_variance");
  });

  it("resumes an audit from before --replays auto (no count in its manifest) as the fixed audit it was", async () => {
    const { seen, opts } = setup(alwaysJustUnder, { replays: 3 });
    await auditJob(opts);
    const manifestPath = join(results, "auto-audit", "audit.json");
    const { replayCount: _dropped, ...legacy } = JSON.parse(readFileSync(manifestPath, "utf8"));
    writeFileSync(manifestPath, JSON.stringify(legacy));

    seen.length = 0;
    const resumed = await auditJob({ ...opts, replays: "auto", resume: true });

    expect(seen.map((o) => o.replays)).toEqual([3]);
    expect(resumed.report.runs[0]?.replayCount).toBeUndefined();
  });

  it("shows the count auto chose, and an inconclusive column, in the terminal summary", async () => {
    const { opts } = setup(noisyThenInside);
    const summary = renderAuditSummary(await auditJob(opts));

    const head = summary.split("\n").find((l) => l.includes("identical")) ?? "";
    expect(head).toMatch(/varies\s*│\s*inconcl\.\s*│\s*not repr\./);
    expect(summary).toMatch(/│ 5\/5 \(auto\)\s*│/);
    expect(summary).toMatch(/replays: 5 of at most 20 \(auto\): Settled at 5 replays/);
  });
});
