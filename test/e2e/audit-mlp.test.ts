import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerAvailable as dockerOk } from "../support/engine-available.js";
import { parseReport } from "../../harness/report/serialize.js";
import { MlflowClient } from "../../harness/tracking/client.js";
import { buildCli, projectDir, runCliProcess } from "../support/cli.js";
import { type TestServer, startTestServer } from "../support/mlflow-server.js";
import { recordScenarioRun } from "../support/record-run.js";

// `repro-audit audit` on scenarios/mlp end to end: a neural network trained epoch
// by epoch logs train_loss and val_accuracy at every epoch, so the audit compares
// step histories point by point and plots them, besides the final values and the
// model file. The run is recorded on the host by the real MLflow client and
// replayed in the pinned image; a seeded run must match bit for bit at every step.

const EPOCHS = 30;
const PER_EPOCH = ["train_loss", "val_accuracy"];
const FINAL_ONLY = ["train_accuracy", "val_log_loss"];

describe.skipIf(!dockerOk)("repro-audit audit on scenarios/mlp (step histories, real server, real engine)", () => {
  let server: TestServer;
  let client: MlflowClient;
  let results: string;
  let env: NodeJS.ProcessEnv;
  let runId: string;
  let unseededRunId: string;

  beforeAll(async () => {
    const build = buildCli("dist/harness/cli/commands/audit-action.js");
    server = await startTestServer({ shared: true });
    client = new MlflowClient({ baseUrl: server.url });
    results = mkdtempSync(join(tmpdir(), "repro-audit-e2e-mlp-"));
    const record = (seed: string): Promise<string> =>
      recordScenarioRun(server.url, [
        "--experiment",
        "audit-mlp",
        "--train",
        join(projectDir, "scenarios/mlp/train.py"),
        "--seed",
        seed,
        "--param",
        `epochs=${EPOCHS}`,
      ]);
    runId = await record("42");
    unseededRunId = await record("-1");
    env = { ...process.env, MLFLOW_TRACKING_URI: server.url };
    delete env["MLFLOW_TRACKING_TOKEN"];
    await build;
  }, 400_000);
  afterAll(async () => {
    await server?.stop();
    if (results) rmSync(results, { recursive: true, force: true });
  });

  it("the recorded run holds one point per epoch for the per-epoch metrics", async () => {
    for (const name of PER_EPOCH) {
      const h = await client.getMetricHistory(runId, name);
      expect(h.map((p) => p.step).sort((a, b) => a - b)).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));
    }
    for (const name of FINAL_ONLY) expect(await client.getMetricHistory(runId, name)).toHaveLength(1);
  });

  it("replays a seeded run twice: every epoch of every history, the final metrics and model.pkl identical; exit 0", async () => {
    const r = await runCliProcess(
      [
        "audit",
        "--run",
        runId,
        "--scenario",
        "scenarios/mlp",
        "--replays",
        "2",
        "--no-publish",
        "--results-dir",
        results,
        "--audit-id",
        "mlp-e2e",
        "--json",
      ],
      env,
    );
    expect(r.stderr).not.toMatch(/repro-audit audit: /);
    expect(r.code).toBe(0);
    const doc = parseReport(r.stdout, "stdout");
    const run = doc.runs[0];
    if (!run) throw new Error("no run in the report");
    expect(run.runId).toBe(runId);
    expect(run.score.verdict).toBe("reproduced");
    expect(run.replays.map((x) => [x.status, x.isolated, x.pinned])).toEqual([
      ["ok", true, true],
      ["ok", true, true],
    ]);
    console.info(
      `mlp replays in the container took ${run.replays.map((x) => `${(x.durationMs / 1000).toFixed(1)} s`).join(", ")}`,
    );

    // Every compared metric is bitwise identical: the final values as logged by the original.
    const original = await client.getRun(runId);
    expect(run.metrics.map((m) => m.name).sort()).toEqual([...PER_EPOCH, ...FINAL_ONLY].sort());
    for (const m of run.metrics) {
      expect([m.name, m.verdict]).toEqual([m.name, "identical"]);
      const logged = original.data.metrics.find((x) => x.key === m.name)?.value;
      expect(m.replays).toEqual([logged, logged]);
    }

    // Histories: compared point by point for the per-epoch metrics only.
    for (const name of PER_EPOCH) {
      const m = run.metrics.find((x) => x.name === name);
      expect(m?.history, `${name} has a history comparison`).toBeDefined();
      expect(m?.history?.stepsCompared).toBe(EPOCHS);
      expect(m?.history?.maxAbsDev).toBe(0);
      expect(m?.history?.lengthMismatch).toBeUndefined();
    }
    for (const name of FINAL_ONLY) expect(run.metrics.find((x) => x.name === name)?.history).toBeUndefined();

    // The series for the plots: the original's as the server holds it, and both replays' equal to it.
    expect(Object.keys(run.histories ?? {}).sort()).toEqual(PER_EPOCH);
    for (const name of PER_EPOCH) {
      const h = run.histories?.[name];
      const fromServer = (await client.getMetricHistory(runId, name))
        .map((p) => ({ step: p.step, value: p.value }))
        .sort((a, b) => a.step - b.step);
      expect(h?.original).toHaveLength(EPOCHS);
      expect([...(h?.original ?? [])].sort((a, b) => a.step - b.step)).toEqual(fromServer);
      expect(h?.replays).toHaveLength(2);
      for (const series of h?.replays ?? []) {
        expect(series).toHaveLength(EPOCHS);
        expect([...(series ?? [])].sort((a, b) => a.step - b.step)).toEqual(fromServer);
      }
    }
    // The loss falls while training: a real network learned something.
    const loss = run.histories?.["train_loss"]?.original ?? [];
    expect(loss.at(-1)?.value ?? Infinity).toBeLessThan((loss[0]?.value ?? 0) / 2);

    expect(run.artifacts).toEqual([expect.objectContaining({ path: "model/model.pkl", identical: true })]);

    // The HTML report plots both histories, three series each (original + 2 replays).
    const page = readFileSync(join(results, "mlp-e2e", "report.html"), "utf8");
    for (const name of PER_EPOCH) expect(page).toContain(`History of ${name}: 3 series`);
  }, 400_000);

  it("an unseeded run's histories drift from the original's: measured deviations, model file differs", async () => {
    const r = await runCliProcess(
      [
        "audit",
        "--run",
        unseededRunId,
        "--scenario",
        "scenarios/mlp",
        "--replays",
        "2",
        "--no-publish",
        "--results-dir",
        results,
        "--json",
      ],
      env,
    );
    const doc = parseReport(r.stdout, "stdout");
    const run = doc.runs[0];
    if (!run) throw new Error("no run in the report");
    expect(run.replays.map((x) => x.status)).toEqual(["ok", "ok"]);
    const loss = run.metrics.find((x) => x.name === "train_loss");
    expect(loss?.history?.stepsCompared).toBe(EPOCHS);
    expect(loss?.history?.maxAbsDev).toBeGreaterThan(0);
    expect(run.histories?.["train_loss"]?.replays.map((h) => h?.length)).toEqual([EPOCHS, EPOCHS]);
    expect(loss?.verdict).not.toBe("identical");
    expect(run.artifacts[0]).toMatchObject({ path: "model/model.pkl", identical: false });
    // Drifting histories are never plain green; the exit code follows the gate
    // (within run-to-run variance passes, inconclusive and not reproduced fail).
    expect(run.score.verdict).not.toBe("reproduced");
    expect(r.code).toBe(run.score.verdict === "consistent_with_variance" ? 0 : 1);
  }, 400_000);
});
