import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { replayJob } from "../../../harness/audit/replay-pipeline.js";
import { useServerAndResults } from "../../support/mlflow-server.js";
import { recordScenarioRun } from "../../support/record-run.js";

// The pipeline with executor "local": no engine involved, the replays run on the host
// with whatever python the caller's PATH finds first. Here that is the project venv,
// which has the scenario lock's scikit-learn/numpy, so metrics must match bitwise.

const root = new URL("../../../", import.meta.url).pathname;
const venvBin = join(root, ".venv/bin");
const python = join(venvBin, "python");
const basic = join(root, "scenarios/basic");
const haveVenv = existsSync(python);

if (!haveVenv) {
  console.warn(
    `\n*** SKIPPING local-executor replay tests: no project venv at ${python} (it runs the MLflow server and the replays). ***\n`,
  );
}

describe.skipIf(!haveVenv)("replay with the local executor (real server, host python)", () => {
  const ctx = useServerAndResults("repro-audit-local-ctx.results-");

  it("replays a basic run twice on the host, unisolated and unpinned, with the original's metrics", async () => {
    const runId = await recordScenarioRun(ctx.server.url, ["--seed", "42"]);
    const original = (await ctx.client.getRun(runId)).data.metrics;
    expect(original.map((m) => m.key).sort()).toEqual(["mae", "r2", "rmse"]);

    // Only the env handed to replayJob puts the venv first; this process's own PATH
    // finds a python without scikit-learn, so a replay that ignored it would fail.
    const env = { ...process.env, PATH: `${venvBin}:${process.env["PATH"] ?? "/usr/bin:/bin"}` };
    const t0 = Date.now();
    const res = await replayJob({
      runId,
      replays: 2,
      parallel: 1,
      executor: "local",
      scenarioDir: basic,
      resultsDir: ctx.results,
      trackingUri: ctx.server.url,
      client: ctx.client,
      env,
    });
    console.log(`local executor: 2 replays of basic in ${((Date.now() - t0) / 1000).toFixed(1)}s`);

    expect(res.image).toBeUndefined();
    expect(res.plan.notes.some((n) => n.includes("local executor"))).toBe(true);
    expect(res.summary.records).toHaveLength(2);
    for (const r of res.summary.records) {
      expect(r.status, `${r.failure?.message ?? ""}\n${r.stderrTail}`).toBe("finished");
      expect(r.executor).toBe("local");
      expect(r.isolated).toBe(false);
      expect(r.pinned).toBe(false);
      expect(r.imageId).toBeUndefined();
      for (const m of original) expect(r.metrics[m.key], m.key).toBe(m.value); // bitwise
    }
    // The host fingerprint came from the venv's interpreter, not the first python3 on this process's PATH.
    expect(res.summary.environment?.executor).toBe("local");
    expect(res.summary.environment?.probeError).toBeUndefined();
    expect(res.summary.environment?.container?.python.version).toMatch(/^3\.11\./);

    const exp = await ctx.client.getExperimentByName("repro-audit");
    const replays = await ctx.client.searchRuns({
      experimentIds: [exp?.experiment_id ?? ""],
      filter: `tags."repro.replay_of" = '${runId}'`,
    });
    expect(replays).toHaveLength(2);
    const tag = (r: (typeof replays)[number], k: string) => r.data.tags.find((t) => t.key === k)?.value;
    expect(replays.map((r) => tag(r, "repro.replay_index")).sort()).toEqual(["0", "1"]);
    for (const r of replays) {
      expect(r.info.status).toBe("FINISHED");
      expect(tag(r, "repro.executor")).toBe("local");
      expect(tag(r, "repro.image.id")).toBeUndefined();
      expect(r.data.metrics.find((m) => m.key === "rmse")?.value).toBe(original.find((m) => m.key === "rmse")?.value);
    }
  }, 300_000);
});
