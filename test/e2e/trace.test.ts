import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TraceDocumentSchema, type TraceDocument } from "../../harness/trace/document.js";
import { seedTraceRuns, type SeededRuns } from "../integration/trace/seed.js";
import { buildCli, type CliResult, runCliProcess } from "../support/cli.js";
import { startTestServer, type TestServer } from "../support/mlflow-server.js";

// `repro-audit trace` end to end: the compiled CLI as a child process, a real MLflow
// server, runs made by the real MLflow Python client.

const cli = (args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> =>
  runCliProcess(["trace", ...args], env, 120_000);

async function unusedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const addr = srv.address();
  await new Promise<void>((r) => srv.close(() => r()));
  if (addr === null || typeof addr === "string") throw new Error("no port");
  return addr.port;
}

describe("repro-audit trace (CLI)", () => {
  let server: TestServer | undefined;
  let seeded: SeededRuns;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const build = buildCli("dist/harness/cli/commands/trace-action.js");
    server = await startTestServer({ shared: true });
    seeded = await seedTraceRuns(server.url, "trace-e2e", "TraceE2EModel");
    await build;
    env = { ...process.env, MLFLOW_TRACKING_URI: server.url };
    delete env["MLFLOW_TRACKING_TOKEN"];
  }, 400_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("prints the table with each seeded run's gaps and the selection score", async () => {
    const r = await cli(["--experiment", "trace-e2e"], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const row = (runId: string) => r.stdout.split("\n").find((l) => l.includes(runId.slice(0, 8))) ?? "";
    const cells = (runId: string) =>
      row(runId)
        .split("│")
        .map((c) => c.trim())
        .filter((c) => c !== "");
    // run, name, 13 marks (params ... image), score
    expect(cells(seeded.runs.full)).toEqual([
      seeded.runs.full.slice(0, 8),
      "fully-traced",
      ...Array(13).fill("✓"),
      "100.0%",
    ]);
    expect(cells(seeded.runs.raw)).toEqual([
      seeded.runs.raw.slice(0, 8),
      "raw",
      "✗",
      "✓",
      "✗",
      "✗",
      "✗",
      "✗",
      "✗",
      "✗",
      "-",
      "✗",
      "✗",
      "✗",
      "✗",
      "11.1%",
    ]);
    expect(cells(seeded.runs.registered)).toEqual([
      seeded.runs.registered.slice(0, 8),
      "registered",
      "✓",
      "✓",
      "✓",
      "✗",
      "✗",
      "✗",
      "~",
      "✗",
      "✓",
      "✗",
      "✓",
      "✗",
      "✗",
      "47.4%",
    ]);
    // Gaps are spelled out per run (3 runs: details are on by default).
    expect(r.stdout).toContain(`${seeded.runs.full} (fully-traced): score 100.0%, no gaps`);
    expect(r.stdout).toContain(`${seeded.runs.raw} (raw): score 11.1%, 11 gaps`);
    expect(r.stdout).toMatch(/✗ Git commit: tag mlflow\.source\.git\.commit not set/);
    expect(r.stdout).toMatch(/~ Entry point \/ command: only the script is known \(mlflow\.source\.name=train\.py\)/);
    expect(r.stdout).toMatch(/Selection score: 52\.8% \(mean of 3 run scores/);
  });

  it("prints the versioned JSON document with --json (--progress goes to stderr, never into it)", async () => {
    const r = await cli(["--experiment", "trace-e2e", "--json", "--progress"], env);
    expect(r.code).toBe(0);
    const doc: TraceDocument = TraceDocumentSchema.parse(JSON.parse(r.stdout));
    expect(doc).toMatchObject({ schema: "repro-audit/trace", version: 1, trackingUri: server?.url });
    const gaps = (id: string) =>
      doc.runs
        .find((x) => x.runId === id)
        ?.items.filter((i) => i.status !== "present")
        .map((i) => `${i.id}:${i.status}`);
    expect(gaps(seeded.runs.full)).toEqual([]);
    expect(gaps(seeded.runs.registered)).toEqual([
      "git_commit:missing",
      "git_dirty:missing",
      "repo_url:missing",
      "entry_point:partial",
      "env_run:missing",
      "datasets:missing",
      "hardware:missing",
      "image:missing",
    ]);
    expect(gaps(seeded.runs.raw)).toHaveLength(12);
    expect(doc.formula.values).toEqual({ present: 1, partial: 0.5, missing: 0 });
  });

  it("selects by model alias and by run", async () => {
    const byAlias = await cli(["--model", seeded.model.name, "--alias", "champion", "--json"], env);
    expect(byAlias.code).toBe(0);
    const doc = TraceDocumentSchema.parse(JSON.parse(byAlias.stdout));
    expect(doc.runs.map((x) => x.runId)).toEqual([seeded.runs.registered]);
    expect(doc.runs[0]?.modelVersions).toEqual([
      { name: seeded.model.name, version: seeded.model.version, aliases: ["champion"] },
    ]);
    const byRun = await cli(["--run", seeded.runs.raw], env);
    expect(byRun.code).toBe(0);
    expect(byRun.stdout).toContain("1 run");
  });

  it("exits 2 and says 'bad input' or 'unreachable server'", async () => {
    const unknown = await cli(["--experiment", "does-not-exist"], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/bad input: experiment "does-not-exist" does not exist/);
    const nothing = await cli([], env);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/bad input: no runs selected/);
    const badVersion = await cli(["--model", "X", "--version", "one"], env);
    expect(badVersion.code).toBe(2);
    expect(badVersion.stderr).toMatch(/bad input: --version: a model version is a positive whole number/);
    const port = await unusedPort();
    const down = await cli(["--experiment", "x"], {
      ...env,
      MLFLOW_TRACKING_URI: `http://127.0.0.1:${port}`,
      MLFLOW_HTTP_REQUEST_MAX_RETRIES: "0",
    });
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/unreachable server: .*127\.0\.0\.1:\d+.*ECONNREFUSED/);
  });
});
