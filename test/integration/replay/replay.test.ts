import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseJournal } from "../../../harness/audit/journal.js";
import { replayJob } from "../../../harness/audit/replay-pipeline.js";
import { dockerAvailable as dockerOk } from "../../support/engine-available.js";
import { useServerAndResults } from "../../support/mlflow-server.js";
import { recordScenarioRun } from "../../support/record-run.js";

// Real server, real engine, real Python client: the run is recorded by MLflow's
// own client running scenarios/basic/train.py, then replayed in the pinned image.

const root = new URL("../../../", import.meta.url).pathname;
const basic = join(root, "scenarios/basic");
const workload = join(root, "test/integration/replay/fixtures/workload");

describe.skipIf(!dockerOk)("replay (real server, real engine)", () => {
  const ctx = useServerAndResults("repro-audit-ctx.results-");

  const recordBasic = (extra: string[] = []): Promise<string> => recordScenarioRun(ctx.server.url, extra);

  async function recordWorkload(params: Record<string, string>): Promise<string> {
    const exp = await ctx.client.getOrCreateExperiment("workload");
    const run = await ctx.client.createRun({ experimentId: exp.experiment_id });
    await ctx.client.logBatch(run.info.run_id, {
      params: Object.entries(params).map(([key, value]) => ({ key, value })),
      metrics: [{ key: "score", value: 0.125, timestamp: Date.now(), step: 0 }],
    });
    await ctx.client.updateRun(run.info.run_id, { status: "FINISHED", endTime: Date.now() });
    return run.info.run_id;
  }

  it("a recorded basic run replays 3 times in the pinned image with identical metrics, linked by tags", async () => {
    const runId = await recordBasic();
    const original = (await ctx.client.getRun(runId)).data.metrics;
    expect(original.map((m) => m.key).sort()).toEqual(["mae", "r2", "rmse"]);

    const t0 = Date.now();
    const res = await replayJob({
      runId,
      replays: 3,
      parallel: 1,
      executor: "docker",
      scenarioDir: basic,
      resultsDir: ctx.results,
      trackingUri: ctx.server.url,
      client: ctx.client,
    });
    console.log(
      `basic: 3 replays in ${((Date.now() - t0) / 1000).toFixed(1)}s; image ${res.image?.built ? `built in ${res.image.seconds.toFixed(1)}s` : "reused"}`,
    );

    expect(res.plan.command).toBe("python train.py --alpha 0.5 --l1-ratio 0.1 --seed 42");
    expect(res.summary.records).toHaveLength(3);
    for (const r of res.summary.records) {
      expect(r.status, r.stderrTail).toBe("finished");
      expect(r.pinned && r.isolated).toBe(true);
      for (const m of original) expect(r.metrics[m.key]).toBe(m.value); // bitwise
    }
    // The container fingerprint came from the same image.
    expect(res.summary.environment?.container?.python.version).toMatch(/^3\.11\./);
    expect(res.summary.environment?.imageId).toBe(res.image?.imageId);

    // Linked on the server: one replay run per index, FINISHED, with the replayed metrics.
    const exp = await ctx.client.getExperimentByName("repro-audit");
    const replays = await ctx.client.searchRuns({
      experimentIds: [exp?.experiment_id ?? ""],
      filter: `tags."repro.replay_of" = '${runId}'`,
    });
    expect(replays).toHaveLength(3);
    const tag = (r: (typeof replays)[number], k: string) => r.data.tags.find((t) => t.key === k)?.value;
    expect(replays.map((r) => tag(r, "repro.replay_index")).sort()).toEqual(["0", "1", "2"]);
    for (const r of replays) {
      expect(r.info.status).toBe("FINISHED");
      expect(tag(r, "repro.audit_id")).toBe(res.summary.auditId);
      expect(r.data.params.find((p) => p.key === "seed")?.value).toBe("42");
      expect(r.data.metrics.find((m) => m.key === "rmse")?.value).toBe(original.find((m) => m.key === "rmse")?.value);
    }

    // The journal on disk says the same.
    const journal = parseJournal(readFileSync(join(res.auditDir, "journal.jsonl"), "utf8"));
    expect([...journal.replays.keys()].sort()).toEqual([0, 1, 2]);
  }, 600_000); // a cold image build (base + wheels) takes minutes on 2 cores

  it("a failing replay is recorded with its stderr tail, and the others go on", { timeout: 180_000 }, async () => {
    const runId = await recordWorkload({ fail_index: "1", sleep_index: "-1", sleep_s: "0" });
    const res = await replayJob({
      runId,
      replays: 3,
      parallel: 2,
      executor: "docker",
      scenarioDir: workload,
      resultsDir: ctx.results,
      trackingUri: ctx.server.url,
      client: ctx.client,
    });
    const byIndex = new Map(res.summary.records.map((r) => [r.index, r]));
    expect(byIndex.get(1)?.status).toBe("failed");
    expect(byIndex.get(1)?.exitCode).toBe(3);
    expect(byIndex.get(1)?.stderrTail).toContain("deliberate failure on replay 1");
    expect(byIndex.get(1)?.failure?.message).toContain("exit code 3");
    for (const i of [0, 2]) {
      expect(byIndex.get(i)?.status).toBe("finished");
      expect(byIndex.get(i)?.metrics).toEqual({ score: 0.125, loss: 2.5 });
    }
    const failedRun = await ctx.client.getRun(byIndex.get(1)?.replayRunId ?? "");
    expect(failedRun.info.status).toBe("FAILED");
  });

  it("resume after an interrupted replay redoes only the unfinished one", async () => {
    const runId = await recordWorkload({ fail_index: "-1", sleep_index: "2", sleep_s: "20" });
    const abort = new AbortController();
    const started: number[] = [];
    const first = await replayJob({
      runId,
      replays: 3,
      parallel: 1,
      executor: "docker",
      scenarioDir: workload,
      resultsDir: ctx.results,
      trackingUri: ctx.server.url,
      client: ctx.client,
      signal: abort.signal,
      onEvent: (e) => {
        if (e.type === "start") {
          started.push(e.index);
          // Interrupt once the sleeping replay is under way.
          if (e.index === 2) setTimeout(() => abort.abort(), 1500);
        }
      },
    });
    expect(first.summary.aborted).toBe(true);
    expect(first.summary.records.map((r) => r.index)).toEqual([0, 1]);
    expect(started).toEqual([0, 1, 2]);

    const restarted: number[] = [];
    const t0 = Date.now();
    const second = await replayJob({
      runId,
      replays: 3,
      parallel: 1,
      executor: "docker",
      scenarioDir: workload,
      resultsDir: ctx.results,
      trackingUri: ctx.server.url,
      client: ctx.client,
      resumeAuditId: first.summary.auditId,
      onEvent: (e) => {
        if (e.type === "start") restarted.push(e.index);
      },
    });
    expect(restarted).toEqual([2]);
    expect(second.summary.resumed).toEqual([0, 1]);
    expect(second.summary.records.map((r) => `${r.index}:${r.status}`)).toEqual([
      "0:finished",
      "1:finished",
      "2:finished",
    ]);
    expect(Date.now() - t0).toBeGreaterThan(15_000); // the sleeping replay really ran again
    // Replay runs are made by the harness after a replay ran: the interrupted attempt left
    // none, so the server holds exactly one FINISHED run per index.
    const exp = await ctx.client.getExperimentByName("repro-audit");
    const runs = await ctx.client.searchRuns({
      experimentIds: [exp?.experiment_id ?? ""],
      filter: `tags."repro.audit_id" = '${first.summary.auditId}'`,
    });
    expect(
      runs.map((r) => `${r.data.tags.find((t) => t.key === "repro.replay_index")?.value}:${r.info.status}`).sort(),
    ).toEqual(["0:FINISHED", "1:FINISHED", "2:FINISHED"]);
  }, 180_000);
});
