import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stopEmbeddedServer } from "../../harness/tracking/server/embedded-server.js";
import { buildCli, projectDir, runCliProcess } from "../support/cli.js";
import { venvPython } from "../support/record-run.js";

// MLflow's own conventions end to end: runs recorded by the real MLflow client into a
// sqlite file and into a file store, found by `trace --json` through MLFLOW_TRACKING_URI
// (sqlite:///..., a plain folder) and MLFLOW_EXPERIMENT_NAME / _ID, with no flag.

const dir = mkdtempSync(join(tmpdir(), "local-stores-"));
const dataDir = join(dir, "data");

async function record(trackingUri: string, experiment: string): Promise<{ run_id: string; experiment_id: string }> {
  // cwd: MLflow puts a sqlite store's artifacts in ./mlruns where the client runs.
  const out = await execa(
    venvPython,
    [join(projectDir, "test/python/record_scenario_run.py"), "--tracking-uri", trackingUri, "--experiment", experiment],
    { cwd: dir, env: { MLFLOW_ALLOW_FILE_STORE: "true" } },
  );
  return JSON.parse(out.stdout.trim().split("\n").at(-1) ?? "");
}

describe("tracking URIs of local stores (CLI)", () => {
  let sqliteRun: { run_id: string; experiment_id: string };
  let fileRun: { run_id: string; experiment_id: string };
  const db = join(dir, "mlflow.db");
  const folder = join(dir, "mlruns");
  const env = (extra: Record<string, string>): NodeJS.ProcessEnv => {
    const e: NodeJS.ProcessEnv = { ...process.env, REPRO_AUDIT_DATA_DIR: dataDir, ...extra };
    delete e["MLFLOW_EXPERIMENT_NAME"];
    delete e["MLFLOW_EXPERIMENT_ID"];
    return { ...e, ...extra };
  };

  beforeAll(async () => {
    mkdirSync(dataDir);
    const build = buildCli("dist/harness/tracking/server/tracking-uri.js");
    [sqliteRun, fileRun] = await Promise.all([
      record(`sqlite:///${db}`, "lite"),
      record(`file://${folder}`, "filestore"),
    ]);
    await build;
  }, 300_000);
  afterAll(async () => {
    const stores = join(dataDir, "stores");
    for (const d of readdirSync(stores, { withFileTypes: true }).filter((e) => e.isDirectory()))
      await stopEmbeddedServer(join(stores, d.name));
    rmSync(dir, { recursive: true, force: true });
  });

  it("finds a run in a sqlite file through MLFLOW_TRACKING_URI=sqlite:///... and MLFLOW_EXPERIMENT_NAME", async () => {
    const res = await runCliProcess(
      ["trace", "--json"],
      env({ MLFLOW_TRACKING_URI: `sqlite:///${db}`, MLFLOW_EXPERIMENT_NAME: "lite" }),
    );
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(sqliteRun.run_id);
  }, 120_000);

  it("finds a run in a file store given as a plain folder and MLFLOW_EXPERIMENT_ID", async () => {
    const res = await runCliProcess(
      ["trace", "--json"],
      env({ MLFLOW_TRACKING_URI: folder, MLFLOW_EXPERIMENT_ID: fileRun.experiment_id }),
    );
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(fileRun.run_id);
    expect(res.stdout).not.toContain(sqliteRun.run_id);
  }, 120_000);

  it("refuses a sqlite file that is not there, saying where it looked", async () => {
    const res = await runCliProcess(
      ["trace", "--json", "--experiment", "x"],
      env({ MLFLOW_TRACKING_URI: `sqlite:///${dir}/nope.db` }),
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(
      `bad input: tracking URI "sqlite:///${dir}/nope.db": no sqlite file at ${dir}/nope.db`,
    );
  }, 60_000);
});
