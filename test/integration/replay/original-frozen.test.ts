import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type AuditJobOptions, auditJob } from "../../../harness/audit/audit-job.js";
import { Tags } from "../../../harness/tracking/tags.js";
import type { ReplayEvent } from "../../../harness/audit/replay-runner.js";
import { auditExitCode } from "../../../harness/cli/commands/audit-action.js";
import { DEFAULT_POLICY } from "../../../harness/drift/tolerance.js";
import { dockerAvailable as dockerOk } from "../../support/engine-available.js";
import { useServerAndResults } from "../../support/mlflow-server.js";
import { recordScenarioRun } from "../../support/record-run.js";

// The original is frozen: the audit scores against the run as it was before the
// first replay, and when something writes into the original while the replays run
// the audit says so (exit 2, not published) instead of scoring. Real server, real
// engine, runs of scenarios/basic recorded by MLflow's own client; the writes into
// the original come from this test, through the harness's client, while a replay runs.

const root = new URL("../../../", import.meta.url).pathname;
const basic = join(root, "scenarios/basic");

describe.skipIf(!dockerOk)("the original is frozen during an audit (real server, real engine)", () => {
  const ctx = useServerAndResults("repro-audit-frozen-", { shared: true });

  const options = (runId: string, over: Partial<AuditJobOptions>): AuditJobOptions => ({
    selection: { kind: "runs", runIds: [runId] },
    trackingUri: ctx.server.url,
    client: ctx.client,
    replays: 2,
    parallel: 1,
    executor: "docker",
    scenarioDir: basic,
    resultsDir: ctx.results,
    policy: DEFAULT_POLICY,
    publish: false,
    ...over,
  });

  /** Everything the server holds about a run, as comparable text: data, every history, every artifact's bytes. */
  async function everything(runId: string): Promise<string> {
    const run = await ctx.client.getRun(runId);
    const sorted = <T extends { key: string }>(xs: readonly T[]) =>
      [...xs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const histories: Record<string, unknown> = {};
    for (const m of sorted(run.data.metrics)) histories[m.key] = await ctx.client.getMetricHistory(runId, m.key);
    const dir = mkdtempSync(join(tmpdir(), "repro-audit-frozen-art-"));
    try {
      const files = (await ctx.client.listArtifactsRecursive({ runId })).sort((a, b) => (a.path < b.path ? -1 : 1));
      const bytes: Record<string, string> = {};
      for (const f of files.filter((x) => !x.is_dir)) {
        const local = join(dir, "f");
        await ctx.client.downloadArtifact({ runId }, f.path, local);
        bytes[f.path] = createHash("sha256").update(readFileSync(local)).digest("hex");
      }
      return JSON.stringify(
        {
          info: { status: run.info.status, lifecycle: run.info.lifecycle_stage, end: run.info.end_time },
          params: sorted(run.data.params),
          metrics: sorted(run.data.metrics),
          tags: sorted(run.data.tags),
          histories,
          files,
          bytes,
        },
        null,
        1,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("nothing writes into the original: reproduced, and with publishing off its data is byte for byte what it was", async () => {
    const runId = await recordScenarioRun(ctx.server.url, ["--experiment", "frozen-untouched", "--seed", "42"]);
    const before = await everything(runId);
    const res = await auditJob(options(runId, { auditId: "untouched" }));
    const run = res.report.runs[0];
    expect(run?.error).toBeUndefined();
    expect(run?.score.verdict, run?.score.reason).toBe("reproduced");
    expect(run?.score.findings.join("\n")).not.toMatch(/changed during the audit/);
    expect(auditExitCode(res)).toBe(0);
    expect(await everything(runId)).toBe(before);
  }, 600_000);

  it("writes into the original while a replay runs: the audit says what changed, is not reproduced, exits 2 and publishes nothing", async () => {
    const runId = await recordScenarioRun(ctx.server.url, ["--experiment", "frozen-tampered", "--seed", "42"]);
    const model = join(ctx.results, "forged-model.pkl");
    writeFileSync(model, "not the model the run trained");
    let tampering: Promise<void> | undefined;
    let tamperedBeforeLastReplayEnded = false;
    const onEvent = (e: ReplayEvent) => {
      if (e.type === "start" && e.index === 0 && tampering === undefined) {
        // What a replay with the tracking server in reach did: rewrite the original's
        // metrics, tags and model so that its replays match it.
        tampering = (async () => {
          await ctx.client.logBatch(runId, {
            metrics: [{ key: "rmse", value: 0.5, timestamp: Date.now(), step: 1 }],
            tags: [{ key: "mlflow.note.content", value: "forged" }],
          });
          await ctx.client.setTag(runId, "forged", "yes");
          await ctx.client.uploadArtifact({ runId }, model, "model", "model.pkl");
        })();
        void tampering.then(
          () => undefined,
          () => undefined,
        );
      }
      if (e.type === "done" && e.record.index === 1) tamperedBeforeLastReplayEnded = tampering !== undefined;
    };
    const res = await auditJob(options(runId, { auditId: "tampered", publish: true, onEvent }));
    await tampering;
    expect(tamperedBeforeLastReplayEnded).toBe(true);

    const run = res.report.runs[0];
    if (!run) throw new Error("no run in the report");
    expect(run.error).toMatch(/^the original run changed during the audit: /);
    expect(run.error).toMatch(/metric rmse changed/);
    expect(run.error).toMatch(/history of rmse: 1 point\(s\) added/);
    expect(run.error).toMatch(/tag forged added/);
    expect(run.error).toMatch(/tag mlflow\.note\.content added/);
    expect(run.error).toMatch(/artifact model\/model\.pkl changed/);
    expect(run.score.verdict).not.toBe("reproduced");
    expect(run.score.score).toBe(0);
    expect(res.infrastructureErrors).toEqual([
      expect.stringMatching(new RegExp(`^run ${runId}: the original run changed during the audit: `)),
    ]);
    expect(auditExitCode(res)).toBe(2);

    // Scored (for the record) against the snapshot taken before the first replay, not the forged values.
    const recorded = await ctx.client.getRun(runId);
    expect(recorded.data.metrics.find((m) => m.key === "rmse")?.value).toBe(0.5);
    expect(run.metrics.find((m) => m.name === "rmse")?.original).not.toBe(0.5);
    expect(run.artifacts.find((a) => a.path === "model/model.pkl")?.identical).toBe(true);

    // Not published: no verdict tag, no report artifacts on the original.
    const tags = Object.fromEntries(recorded.data.tags.map((t) => [t.key, t.value]));
    expect(tags[Tags.verdict]).toBeUndefined();
    expect((await ctx.client.listArtifactsRecursive({ runId })).map((f) => f.path)).not.toContain("repro-audit");
    expect(res.publish?.published ?? []).toEqual([]);
  }, 600_000);

  it("a resumed audit scores against the snapshot its start took, so a change between the two invocations is found", async () => {
    const runId = await recordScenarioRun(ctx.server.url, ["--experiment", "frozen-resumed", "--seed", "42"]);
    const rmse = (await ctx.client.getRun(runId)).data.metrics.find((m) => m.key === "rmse")?.value;
    const abort = new AbortController();
    const first = await auditJob(
      options(runId, {
        auditId: "resumed",
        signal: abort.signal,
        onEvent: (e) => {
          if (e.type === "done" && e.record.index === 0) abort.abort();
        },
      }),
    );
    expect(first.aborted).toBe(true);
    const stored = JSON.parse(readFileSync(join(ctx.results, "resumed", "runs", runId, "original.json"), "utf8")) as {
      run: { metrics: Record<string, number> };
    };
    expect(stored.run.metrics["rmse"]).toBe(rmse);

    await ctx.client.logBatch(runId, { metrics: [{ key: "rmse", value: 0.25, timestamp: Date.now(), step: 7 }] });
    const resumed = await auditJob(options(runId, { auditId: "resumed", resume: true }));
    const run = resumed.report.runs[0];
    expect(run?.error).toMatch(/^the original run changed during the audit: .*metric rmse changed: .* -> 0\.25/);
    expect(run?.metrics.find((m) => m.name === "rmse")?.original).toBe(rmse);
    expect(run?.score.verdict).toBe("failed");
    expect(auditExitCode(resumed)).toBe(2);
  }, 600_000);
});
