import { readdirSync, readFileSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MlflowClient } from "../../harness/tracking/client.js";
import { buildCli, runCliProcess } from "../support/cli.js";
import { dockerAvailable } from "../support/engine-available.js";
import { type TestServer, startTestServer } from "../support/mlflow-server.js";
import { recordScenarioRun } from "../support/record-run.js";

// Secrets a tracking server hands us must not come out again: the password in a
// git remote MLflow recorded (mlflow.source.git.repoURL), and a secret-named param
// that --extra-params append puts on the replay's command line. A real server, a
// run recorded by the real MLflow client, the compiled CLI, the real engine.

const REPO_PASSWORD = "hunter2-repo-pw";
const REPO_URL = `https://alice:${REPO_PASSWORD}@git.example.com/team/repo.git`;
const API_KEY = "sk-live-hunter3-key";

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("secrets from the server stay out of every output (CLI, real server)", () => {
  let server: TestServer;
  let env: NodeJS.ProcessEnv;
  let runId: string;
  let results: string;
  let client: MlflowClient;

  beforeAll(async () => {
    const build = buildCli("dist/harness/cli/commands/audit-action.js");
    server = await startTestServer();
    runId = await recordScenarioRun(server.url, ["--experiment", "secrets-e2e", "--seed", "42"]);
    client = new MlflowClient({ baseUrl: server.url });
    await client.setTag(runId, "mlflow.source.git.repoURL", REPO_URL);
    await client.logParam(runId, "api_key", API_KEY);
    results = mkdtempSync(join(tmpdir(), "repro-audit-secrets-"));
    env = { ...process.env, MLFLOW_TRACKING_URI: server.url };
    delete env["MLFLOW_TRACKING_TOKEN"];
    await build;
  }, 400_000);
  afterAll(async () => {
    await server?.stop();
    if (results) rmSync(results, { recursive: true, force: true });
  });

  it("trace: neither the table nor --json shows the repository password", async () => {
    const table = await runCliProcess(["trace", "--experiment", "secrets-e2e", "--details"], env, 120_000);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout + table.stderr).not.toContain(REPO_PASSWORD);
    const json = await runCliProcess(["trace", "--experiment", "secrets-e2e", "--json"], env, 120_000);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout).toContain("git.example.com/team/repo.git");
    expect(json.stdout + json.stderr).not.toContain(REPO_PASSWORD);
  });

  it.skipIf(!dockerAvailable)(
    "audit --extra-params append: no report file, plan.json or terminal line carries either secret",
    async () => {
      const r = await runCliProcess(
        [
          "audit",
          "--run",
          runId,
          "--scenario",
          "scenarios/basic",
          "--replays",
          "1",
          "--extra-params",
          "append",
          "--no-publish",
          "--audit-id",
          "secrets-e2e",
          "--results-dir",
          results,
        ],
        env,
      );
      // train.py does not take --api_key: the replay fails, and its stderr quotes the key.
      expect([0, 1], r.stderr).toContain(r.code);
      const auditDir = join(results, "secrets-e2e");
      const plan = readFileSync(join(auditDir, "runs", runId, "plan.json"), "utf8");
      expect(plan).toContain("--api_key");
      const shown = [
        ["stdout", r.stdout],
        ["stderr", r.stderr],
        ...[
          "report.json",
          "report.md",
          "report.html",
          "junit.xml",
          "run-reports/0000/report.json",
          "run-reports/0000/report.html",
        ].map((f) => [f, readFileSync(join(auditDir, f), "utf8")]),
        ["plan.json", plan],
      ];
      for (const [what, text] of shown) {
        expect(text, what).not.toContain(REPO_PASSWORD);
        expect(text, what).not.toContain(API_KEY);
      }
      // Every file the audit wrote is free of the repository password, and every one but
      // the local snapshot of the original (original.json: the run's own params, which
      // the replay command is bound from; never published) of the api key: the journal's
      // plan copy and its output tails included.
      for (const file of filesUnder(auditDir)) {
        const text = readFileSync(file, "utf8");
        expect(text, file).not.toContain(REPO_PASSWORD);
        if (!file.endsWith("original.json")) expect(text, file).not.toContain(API_KEY);
      }
      // The replay run's command tag on the server is redacted too.
      const exp = await client.getExperimentByName("repro-audit");
      const replayRuns = await client.searchRuns({
        experimentIds: [exp?.experiment_id ?? "0"],
        filter: `tags."repro.audit_id" = 'secrets-e2e'`,
      });
      expect(replayRuns).toHaveLength(1);
      const command = replayRuns[0]?.data.tags.find((t) => t.key === "repro.command")?.value;
      expect(command).toContain("--api_key");
      expect(command).not.toContain(API_KEY);
    },
    600_000,
  );
});
