import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MlflowClient } from "../../harness/tracking/client.js";
import { buildCli, runCliProcess } from "../support/cli.js";
import { dockerAvailable } from "../support/engine-available.js";
import { type TestServer, startTestServer } from "../support/mlflow-server.js";
import { recordScenarioRun } from "../support/record-run.js";

// Issue 10 item 6, end to end: `--dry-run` previews an audit (and a replay) against a
// real MLflow server and the real engine without building, running or writing
// anything, and the real audit refuses a run with nothing to compare before it
// prepares an image or writes a folder. One server for the file; no replay runs here.

describe.skipIf(!dockerAvailable)("--dry-run and the check before an audit (CLI, real server, real engine)", () => {
  let server: TestServer;
  let env: NodeJS.ProcessEnv;
  let scratch: string;
  let results: string;
  let seededRun: string;
  let noMetricsRun: string;

  const imageIds = async (): Promise<string> => (await execa("docker", ["images", "-q", "--no-trunc"])).stdout;
  const cli = (args: string[]) =>
    runCliProcess([...args, "--scenario", "scenarios/basic", "--results-dir", results], env, 60_000);

  beforeAll(async () => {
    const build = buildCli("dist/harness/cli/main.js");
    server = await startTestServer({ shared: true });
    scratch = mkdtempSync(join(tmpdir(), "repro-audit-dry-run-"));
    // Never created by a dry run: the test checks that it does not exist afterwards.
    results = join(scratch, "results");
    seededRun = await recordScenarioRun(server.url, ["--experiment", "dry-basic", "--seed", "42"]);
    // A run that logged its params and no metric: nothing a replay could be scored against.
    const client = new MlflowClient({ baseUrl: server.url });
    const exp = await client.getOrCreateExperiment("dry-no-metrics");
    const run = await client.createRun({ experimentId: exp.experiment_id, runName: "params-only" });
    noMetricsRun = run.info.run_id;
    await client.logBatch(noMetricsRun, {
      params: [
        { key: "alpha", value: "0.5" },
        { key: "l1_ratio", value: "0.1" },
        { key: "seed", value: "42" },
      ],
    });
    await client.updateRun(noMetricsRun, { status: "FINISHED", endTime: Date.now() });
    env = { ...process.env, MLFLOW_TRACKING_URI: server.url };
    delete env["MLFLOW_TRACKING_TOKEN"];
    await build;
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("audit --dry-run prints a bundled scenario run's plan in seconds, exit 0, with nothing built or written", async () => {
    const before = await imageIds();
    const t0 = Date.now();
    const r = await cli(["audit", "--dry-run", "--run", seededRun]);
    const seconds = (Date.now() - t0) / 1000;
    console.log(`audit --dry-run of one scenarios/basic run: ${seconds.toFixed(2)} s`);
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(
      /^dry run of audit: run [0-9a-f]+: 1 run\(s\), 1 can be replayed; replays per run: auto \(3 first, at most 20\); executor docker\. Nothing was built, run or written\./m,
    );
    expect(out).toContain(`run ${seededRun} `);
    expect(out).toContain("(FINISHED): can be replayed");
    expect(out).toMatch(/command +python train\.py --alpha 0\.5 --l1-ratio 0\.1 --seed 42 {2}\(from: scenario\)/);
    expect(out).toMatch(/params +alpha=0\.5, l1_ratio=0\.1, seed=42/);
    expect(out).toMatch(
      /environment +scenario \(requirements\.lock\); python 3\.11; \d+ requirement\(s\): [a-z-]+==[^,]+, /,
    );
    expect(out).toMatch(/image +base repro-audit\/base:[0-9a-f]+ /);
    expect(out).toMatch(/compares +metrics mae, r2, rmse; artifacts .*model\/model\.pkl/);
    expect(out).toMatch(/limits +timeout 300 s, memory 1024 MiB/);
    expect(existsSync(results)).toBe(false);
    expect(await imageIds()).toBe(before);
    expect(seconds).toBeLessThan(20);
  });

  it("audit --dry-run --json gives the same preview as a document", async () => {
    const r = await cli(["audit", "--dry-run", "--json", "--run", seededRun, "--replays", "3"]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      dryRun: boolean;
      exitCode: number;
      replays: string;
      runs: Array<{
        runId: string;
        replayable: boolean;
        plan: { commandSource: string; environment: { file: string } };
        image: { kind: string };
        compared: { metrics: string[] };
      }>;
    };
    expect(doc).toMatchObject({ dryRun: true, exitCode: 0, replays: "3" });
    expect(doc.runs).toHaveLength(1);
    expect(doc.runs[0]).toMatchObject({
      runId: seededRun,
      replayable: true,
      plan: { commandSource: "scenario", environment: { file: "requirements.lock" } },
      image: { kind: "recipe" },
      compared: { metrics: ["mae", "r2", "rmse"] },
    });
    expect(existsSync(results)).toBe(false);
  });

  it("audit --dry-run of a selection with a run that recorded no metrics: exit 2, and why", async () => {
    const r = await cli(["audit", "--dry-run", "--run", seededRun, noMetricsRun]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toContain("2 run(s), 1 can be replayed, 1 CANNOT");
    expect(r.stdout).toContain(`run ${noMetricsRun} "params-only" (FINISHED): CANNOT be replayed`);
    expect(r.stdout).toMatch(
      new RegExp(`\\n  why +run ${noMetricsRun}: nothing to compare: the original recorded no metrics`),
    );
    expect(existsSync(results)).toBe(false);
  });

  it("replay --dry-run previews the one run the same way", async () => {
    const ok = await cli(["replay", "--dry-run", "--run", seededRun]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^dry run of replay: 1 run\(s\), 1 can be replayed; replays per run: 3;/m);
    const refused = await cli(["replay", "--dry-run", "--run", noMetricsRun]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain("nothing to compare");
    expect(existsSync(results)).toBe(false);
  });

  it("the real audit refuses the run with no metrics before it prepares an image or writes a folder", async () => {
    const before = await imageIds();
    const r = await cli(["audit", "--run", noMetricsRun, "--audit-id", "no-metrics", "--no-publish"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `repro-audit audit: bad input: run ${noMetricsRun}: nothing to compare: the original recorded no metrics`,
    );
    // The progress lines (stderr, not a terminal) show how far it got: the check, never the image.
    expect(r.stderr).toContain("checking that 1 run(s) can be replayed");
    expect(r.stderr).not.toContain("preparing the pinned image");
    expect(r.stderr).not.toContain("taking a snapshot");
    expect(existsSync(join(results, "no-metrics"))).toBe(false);
    expect(readdirSync(results).filter((f) => !f.startsWith("."))).toEqual([]);
    expect(await imageIds()).toBe(before);
  });
});
