import { readFileSync } from "node:fs";
import { type Server, createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { replayJob } from "../../../harness/audit/replay-pipeline.js";
import { dockerAvailable as dockerOk } from "../../support/engine-available.js";
import { useServerAndResults } from "../../support/mlflow-server.js";
import { recordScenarioRun } from "../../support/record-run.js";

// Sealed replays against hostile workloads (test/hostile/attack.py), with a real
// server and the real engine. Each workload is recorded honestly on the host by the
// real MLflow client, then attacks the audit from inside its replay: it knows the
// real server's URL and the original's run ID (both logged as its params).

const root = new URL("../../../", import.meta.url).pathname;
const hostile = join(root, "test/hostile");

describe.skipIf(!dockerOk)("sealed replays (real server, real engine, hostile workloads)", () => {
  const ctx = useServerAndResults("repro-audit-sealed-");

  const record = (attack: string, extra: string[] = []): Promise<string> =>
    recordScenarioRun(ctx.server.url, [
      "--experiment",
      `hostile-${attack}`,
      "--train",
      join(hostile, "attack.py"),
      "--param",
      `attack=${attack}`,
      ...extra,
    ]);
  const replay = (runId: string, replays = 1) =>
    replayJob({
      runId,
      replays,
      parallel: 1,
      executor: "docker",
      scenarioDir: hostile,
      resultsDir: ctx.results,
      trackingUri: ctx.server.url,
      client: ctx.client,
    });
  const attempts = (auditDir: string, index = 0): Record<string, { ok: boolean; error?: string; result?: unknown }> =>
    JSON.parse(readFileSync(join(auditDir, "replays", String(index), "out", "attempts.json"), "utf8"));

  /** Everything the server holds of a run, in a stable order: what "unchanged" is checked against. */
  async function runSnapshot(runId: string): Promise<string> {
    const run = await ctx.client.getRun(runId);
    const sorted = <T extends { key: string }>(xs: readonly T[]) => [...xs].sort((a, b) => (a.key < b.key ? -1 : 1));
    const histories = await Promise.all(run.data.metrics.map((m) => ctx.client.getMetricHistory(runId, m.key)));
    const artifacts = await ctx.client.listArtifactsRecursive({ runId });
    return JSON.stringify({
      info: run.info,
      params: sorted(run.data.params),
      tags: sorted(run.data.tags),
      metrics: sorted(run.data.metrics),
      histories,
      artifacts,
    });
  }

  it("a replay that tries to read, overwrite and delete runs on the real server reaches nothing, and its forged score shows", async () => {
    const victimExp = await ctx.client.getOrCreateExperiment("victims");
    const victim = await ctx.client.createRun({ experimentId: victimExp.experiment_id, runName: "victim" });
    const original = await record("forge");
    const before = await runSnapshot(original);

    const res = await replay(original);
    const [rec] = res.summary.records;
    expect(rec?.status, rec?.stderrTail).toBe("finished");
    const tried = attempts(res.auditDir);
    expect(Object.keys(tried).sort()).toEqual(["delete victims", "read original", "write original"]);
    for (const [name, t] of Object.entries(tried)) expect(t.ok, `${name}: ${JSON.stringify(t)}`).toBe(false);
    // It could not copy the original's score, so it logged its forgery: the replay says so.
    expect(rec?.metrics).toEqual({ score: 666 });

    expect(await runSnapshot(original)).toBe(before);
    expect((await ctx.client.getRun(victim.info.run_id)).info.lifecycle_stage).toBe("active");
  });

  it("a replay sees no network: not the server's port, not another loopback port, only lo (or nothing)", async () => {
    let connections = 0;
    const other: Server = createServer((s) => {
      connections += 1;
      s.destroy();
    });
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    const port = (other.address() as { port: number }).port;
    try {
      const original = await record("probe", ["--param", `port=${port}`]);
      const res = await replay(original);
      expect(res.summary.records[0]?.status, res.summary.records[0]?.stderrTail).toBe("finished");
      const probe = attempts(res.auditDir);
      expect(probe["server port"]?.ok, JSON.stringify(probe["server port"])).toBe(false);
      expect(probe["other port"]?.ok, JSON.stringify(probe["other port"])).toBe(false);
      expect(probe["interfaces"]?.result).toEqual(["lo"]);
      expect(connections).toBe(0);
    } finally {
      other.close();
    }
  });

  it("a replay that registers a model registers it in its sandbox only; the real registry is untouched", async () => {
    const original = await record("register");
    const res = await replay(original);
    const [rec] = res.summary.records;
    expect(rec?.status, rec?.stderrTail).toBe("finished");
    expect(await ctx.client.searchRegisteredModels({ filter: "name = 'HostileModel'" })).toEqual([]);
    expect(
      rec?.notes?.some((n) => /registered model HostileModel.* in its sandbox/.test(n)),
      JSON.stringify(rec?.notes),
    ).toBe(true);
  });

  it("what a sealed replay logged reaches its replay run on the real server: params, metrics, artifacts, linking tags", async () => {
    const original = await record("none");
    const res = await replay(original, 2);
    for (const rec of res.summary.records) {
      expect(rec.status, rec.stderrTail).toBe("finished");
      const run = await ctx.client.getRun(rec.replayRunId ?? "");
      const tag = (k: string) => run.data.tags.find((t) => t.key === k)?.value;
      expect(tag("repro.replay_of")).toBe(original);
      expect(tag("repro.replay_index")).toBe(String(rec.index));
      expect(run.info.status).toBe("FINISHED");
      expect(run.data.metrics.map((m) => [m.key, m.value])).toEqual([["score", 0.125]]);
      expect(run.data.params.find((p) => p.key === "attack")?.value).toBe("none");
      expect(
        (await ctx.client.listArtifactsRecursive({ runId: run.info.run_id }))
          .filter((f) => !f.is_dir)
          .map((f) => f.path),
      ).toEqual(["model/model.bin"]);
    }
  });
});
