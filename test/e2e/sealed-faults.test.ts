import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIT_LABEL } from "../../harness/exec/container-labels.js";
import { docker } from "../../harness/exec/engine.js";
import { parseReport } from "../../harness/report/serialize.js";
import { MlflowClient } from "../../harness/tracking/client.js";
import { startEmbeddedServer, stopEmbeddedServer } from "../../harness/tracking/server/embedded-server.js";
import { buildCli, runCliProcess, spawnCli } from "../support/cli.js";
import { dockerAvailable as dockerOk } from "../support/engine-available.js";
import { recordScenarioRun } from "../support/record-run.js";

// Faults around sealed replays, end to end: the compiled CLI as a child process,
// a real MLflow server (stopped and restarted by the test), the real engine, and
// hostile workloads from test/hostile that loop or take their time.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function containersOf(auditId: string) {
  return docker().listContainers({ all: true, filters: { label: [`${AUDIT_LABEL}=${auditId}`] } });
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

describe.skipIf(!dockerOk)("sealed replays under faults (CLI, real server, real engine)", () => {
  let dataDir: string;
  let url: string;
  let port: number;
  let client: MlflowClient;
  let results: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const build = buildCli("dist/harness/exec/reap.js");
    dataDir = mkdtempSync(join(tmpdir(), "repro-audit-faults-mlflow-"));
    ({ url, port } = (await startEmbeddedServer({ dataDir })).state);
    client = new MlflowClient({ baseUrl: url });
    results = mkdtempSync(join(tmpdir(), "repro-audit-faults-"));
    env = { ...process.env, MLFLOW_TRACKING_URI: url };
    await build;
  }, 400_000);
  afterAll(async () => {
    await stopEmbeddedServer(dataDir).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    if (results) rmSync(results, { recursive: true, force: true });
  });

  const record = (attack: string, seconds: number) =>
    recordScenarioRun(url, [
      "--experiment",
      `faults-${attack}`,
      "--train",
      "test/hostile/attack.py",
      "--param",
      `attack=${attack}`,
      "--param",
      `seconds=${seconds}`,
    ]);
  const auditArgs = (runId: string, auditId: string, extra: string[] = []) => [
    "audit",
    "--run",
    runId,
    "--scenario",
    "test/hostile",
    "--results-dir",
    results,
    "--audit-id",
    auditId,
    "--no-publish",
    ...extra,
  ];
  const replayRuns = async (auditId: string) => {
    const exp = await client.getExperimentByName("repro-audit");
    return client.searchRuns({
      experimentIds: [exp?.experiment_id ?? "0"],
      filter: `tags."repro.audit_id" = '${auditId}'`,
    });
  };

  it("kill -9 of the harness during a looping replay: the container ends at its deadline by itself; --resume reaps it and makes one replay run", async () => {
    const runId = await record("loop", 600);
    const timeout = 5;
    const cli = spawnCli(auditArgs(runId, "kill9", ["--replays", "1", "--timeout", String(timeout)]), env);
    const started = await until("the looping replay's container", 240_000, async () =>
      (await containersOf("kill9")).find((c) => c.State === "running"),
    );
    const t0 = Date.now();
    cli.child.kill("SIGKILL");
    await cli.done;
    // Nobody is left to stop it: the watchdog inside must, shortly after timeout + grace (10 s).
    await until("the orphaned container to stop", (timeout + 10 + 20) * 1000, async () =>
      (await containersOf("kill9")).find((c) => c.Id === started.Id && c.State !== "running"),
    );
    const stoppedAfter = (Date.now() - t0) / 1000;
    expect(stoppedAfter).toBeGreaterThan(timeout);
    expect(stoppedAfter).toBeLessThan(timeout + 10 + 20);
    expect((await replayRuns("kill9")).length).toBe(0);

    // The resume reaps what the dead harness left, and redoes the replay (which loops again: a timeout).
    const resumed = await runCliProcess(
      auditArgs(runId, "kill9", ["--resume", "kill9", "--replays", "1", "--timeout", String(timeout)]).filter(
        (a, i, all) => !(a === "--audit-id" || all[i - 1] === "--audit-id"),
      ),
      env,
      240_000,
    );
    expect(resumed.stdout + resumed.stderr).toMatch(/removed 1 container\(s\) left by an interrupted harness/);
    expect(resumed.code).toBe(1);
    expect(await containersOf("kill9")).toEqual([]);
    const runs = await replayRuns("kill9");
    expect(runs.map((r) => [r.data.tags.find((t) => t.key === "repro.replay_index")?.value, r.info.status])).toEqual([
      ["0", "FAILED"],
    ]);
    const doc = parseReport(readFileSync(join(results, "kill9", "report.json"), "utf8"), "report.json");
    expect(doc.runs[0]?.replays[0]?.status).toBe("timeout");
  }, 600_000);

  it("the tracking server dies mid-replay: the replays are journaled as infrastructure failures, the audit is incomplete (exit 2); --resume redoes them and reproduces", async () => {
    const runId = await record("slow", 4);
    const cli = spawnCli(auditArgs(runId, "server-down", ["--replays", "2"]), env);
    await until("the first replay's container", 240_000, async () =>
      (await containersOf("server-down")).find((c) => c.State === "running"),
    );
    await stopEmbeddedServer(dataDir);
    const first = await cli.done;
    expect(first.code, first.stdout + first.stderr).toBe(2);
    const journal = readFileSync(join(results, "server-down", "runs", runId, "journal.jsonl"), "utf8");
    const kinds = journal
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; failure?: { kind: string } })
      .filter((r) => r.type === "replay")
      .map((r) => r.failure?.kind);
    expect(kinds).toEqual(["infrastructure", "infrastructure"]);
    const partial = parseReport(readFileSync(join(results, "server-down", "report.json"), "utf8"), "report.json");
    expect(partial.runs[0]?.score.verdict).toBe("incomplete");

    await startEmbeddedServer({ dataDir, port });
    const resumed = await runCliProcess(
      [
        "audit",
        "--resume",
        "server-down",
        "--scenario",
        "test/hostile",
        "--results-dir",
        results,
        "--no-publish",
        "--replays",
        "2",
      ],
      env,
      300_000,
    );
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    const doc = parseReport(readFileSync(join(results, "server-down", "report.json"), "utf8"), "report.json");
    expect(doc.runs[0]?.score.verdict).toBe("reproduced");
    expect(doc.runs[0]?.metrics.map((m) => [m.name, m.verdict])).toEqual([["score", "identical"]]);
    // One replay run per index, none left RUNNING.
    const runs = await replayRuns("server-down");
    expect(
      runs.map((r) => `${r.data.tags.find((t) => t.key === "repro.replay_index")?.value}:${r.info.status}`).sort(),
    ).toEqual(["0:FINISHED", "1:FINISHED"]);
    expect(existsSync(join(results, "server-down", "junit.xml"))).toBe(true);
  }, 600_000);
});
