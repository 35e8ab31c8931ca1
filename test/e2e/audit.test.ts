import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseJournal } from "../../harness/audit/journal.js";
import { Metrics, Tags } from "../../harness/tracking/tags.js";
import { dockerAvailable as dockerOk } from "../support/engine-available.js";
import type { Report } from "../../harness/report/schema.js";
import { parseReport } from "../../harness/report/serialize.js";
import { passesGate } from "../../harness/drift/score.js";
import { MlflowClient } from "../../harness/tracking/client.js";
import { buildCli, projectDir, runCliProcess, spawnCli } from "../support/cli.js";
import { type TestServer, startTestServer } from "../support/mlflow-server.js";
import { recordScenarioRun, venvPython } from "../support/record-run.js";

// `repro-audit audit` end to end: the compiled CLI, a real MLflow server, runs of
// scenarios/basic recorded by the real MLflow client, replays in the real engine.
// The verdicts come out of the replays: the seeded run's metrics must be bitwise
// identical because the container computes the same bits, and the unseeded
// variant's must not be, because its replays draw fresh seeds.

describe.skipIf(!dockerOk)("repro-audit audit (CLI, real server, real engine)", () => {
  let server: TestServer;
  let client: MlflowClient;
  let results: string;
  let env: NodeJS.ProcessEnv;
  let seededRun: string;
  let unseededRun: string;

  const record = (experiment: string, seed: string): Promise<string> =>
    recordScenarioRun(server.url, ["--experiment", experiment, "--seed", seed]);
  const audit = (args: string[]) =>
    runCliProcess(["audit", "--scenario", "scenarios/basic", "--results-dir", results, "--replays", "3", ...args], env);
  const readDoc = (auditId: string): Report => {
    const path = join(results, auditId, "report.json");
    return parseReport(readFileSync(path, "utf8"), path);
  };

  beforeAll(async () => {
    const build = buildCli("dist/harness/cli/commands/audit-action.js");
    server = await startTestServer({ shared: true });
    client = new MlflowClient({ baseUrl: server.url });
    results = mkdtempSync(join(tmpdir(), "repro-audit-e2e-"));
    seededRun = await record("audit-seeded", "42");
    unseededRun = await record("audit-unseeded", "-1");
    await execa(venvPython, [
      join(projectDir, "test/python/register_model_version.py"),
      "--tracking-uri",
      server.url,
      "--run-id",
      seededRun,
      "--name",
      "AuditE2E",
      "--alias",
      "champion",
    ]);
    env = { ...process.env, MLFLOW_TRACKING_URI: server.url };
    delete env["MLFLOW_TRACKING_TOKEN"];
    await build;
  }, 400_000);
  afterAll(async () => {
    await server?.stop();
    if (results) rmSync(results, { recursive: true, force: true });
  });

  it("audits the seeded run through its model alias: identical metrics and model file, exit 0, report attached", async () => {
    // --accept identical: only bitwise replays pass, and this run must pass it.
    const r = await audit([
      "--model",
      "AuditE2E",
      "--alias",
      "champion",
      "--audit-id",
      "seeded-e2e",
      "--accept",
      "identical",
    ]);
    expect(r.stderr).not.toMatch(/repro-audit audit: /);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /audit seeded-e2e: 1 run\(s\), 1 reproduced, 0 not reproduced, 0 failed; audit score 1\.000/,
    );

    for (const f of ["report.json", "report.md", "report.html", "junit.xml"])
      expect(existsSync(join(results, "seeded-e2e", f))).toBe(true);
    const doc = readDoc("seeded-e2e");
    expect(doc.runs).toHaveLength(1);
    const run = doc.runs[0];
    if (!run) throw new Error("no run");
    expect(run.runId).toBe(seededRun);
    expect(run.score.verdict).toBe("reproduced");
    expect(run.metrics.map((m) => [m.name, m.verdict])).toEqual([
      ["mae", "identical"],
      ["r2", "identical"],
      ["rmse", "identical"],
    ]);
    // The replays' values are the ones the original logged, bit for bit.
    const original = await client.getRun(seededRun);
    for (const m of run.metrics) {
      const logged = original.data.metrics.find((x) => x.key === m.name)?.value;
      expect(m.replays).toEqual([logged, logged, logged]);
    }
    expect(run.artifacts).toEqual([expect.objectContaining({ path: "model/model.pkl", identical: true })]);
    expect(run.replays.map((x) => [x.status, x.isolated, x.pinned])).toEqual(Array(3).fill(["ok", true, true]));
    expect(run.fingerprints.replays[0]?.container?.python.version).toMatch(/^3\./);
    expect(run.image.id).toMatch(/^sha256:[0-9a-f]{64}$/);

    // Attached back: artifacts, tags and the score metric on the run; tags and a
    // summary in the description of the model version.
    const tags = Object.fromEntries(original.data.tags.map((t) => [t.key, t.value]));
    expect(tags[Tags.verdict]).toBe("reproduced");
    expect(tags[Tags.audit]).toBe("seeded-e2e");
    expect(tags[Tags.report]).toBe(
      `${server.url}/#/experiments/${original.info.experiment_id}/runs/${seededRun}/artifacts/repro-audit/seeded-e2e/report.html`,
    );
    expect(original.data.metrics.find((m) => m.key === Metrics.score)).toMatchObject({ value: 1, step: 0 });
    const files = (await client.listArtifactsRecursive({ runId: seededRun }, "repro-audit")).map((f) => f.path).sort();
    // the run's own part (its page and entry) and the audit's summary, not the whole report
    expect(files).toEqual(["report.html", "report.json", "report.md"].map((f) => `repro-audit/seeded-e2e/${f}`));
    const mv = await client.getModelVersion("AuditE2E", "1");
    expect(Object.fromEntries((mv.tags ?? []).map((t) => [t.key, t.value]))).toMatchObject({
      [Tags.verdict]: "reproduced",
      [Tags.score]: "1.000",
    });
    expect(mv.description).toContain("`seeded-e2e`");

    const junit = readFileSync(join(results, "seeded-e2e", "junit.xml"), "utf8");
    expect(junit).toMatch(/failures="0"/);
  });

  it("finds the unseeded variant's metrics vary between replays, and its model file differs", async () => {
    const r = await audit(["--experiment", "audit-unseeded", "--audit-id", "unseeded-e2e", "--no-publish"]);
    const doc = readDoc("unseeded-e2e");
    const run = doc.runs[0];
    if (!run) throw new Error("no run");
    expect(run.runId).toBe(unseededRun);
    for (const m of run.metrics) {
      expect(["varies", "inconclusive", "not_reproduced"]).toContain(m.verdict);
      // Measured, not configured: the replays disagree among themselves.
      expect(new Set(m.replays).size).toBeGreaterThan(1);
      expect(m.stats?.std).toBeGreaterThan(0);
    }
    expect(run.artifacts[0]).toMatchObject({ path: "model/model.pkl", identical: false });
    // Unseeded replays never read plain green: amber within variance, or inconclusive / not reproduced.
    expect(run.score.verdict).not.toBe("reproduced");
    expect(r.code).toBe(passesGate(run.score.verdict) ? 0 : 1);
    // JUnit agrees with the exit code: a failure or error exactly when the job fails.
    const junit = readFileSync(join(results, "unseeded-e2e", "junit.xml"), "utf8");
    const top = /<testsuites [^>]*failures="(\d+)" errors="(\d+)"/.exec(junit);
    expect(Number(top?.[1]) + Number(top?.[2]) > 0).toBe(r.code !== 0);
    // --no-publish: nothing attached.
    const tags = (await client.getRun(unseededRun)).data.tags.map((t) => t.key);
    expect(tags).not.toContain(Tags.verdict);
  });

  it("a cherry-picked original (the best rmse of 8 unseeded runs) does not come out plain green", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await record("audit-cherry", "-1"));
    const rmse = async (id: string) =>
      (await client.getRun(id)).data.metrics.find((m) => m.key === "rmse")?.value ?? Number.POSITIVE_INFINITY;
    const scored = await Promise.all(ids.map(async (id) => [id, await rmse(id)] as const));
    const best = scored.reduce((a, b) => (b[1] < a[1] ? b : a))[0];
    const r = await audit(["--run", best, "--audit-id", "cherry-e2e", "--no-publish"]);
    const run = readDoc("cherry-e2e").runs[0];
    if (!run) throw new Error("no run");
    expect(run.score.verdict).not.toBe("reproduced");
    expect(run.metrics.find((m) => m.name === "rmse")?.rank?.direction).toBe("lower");
    expect(run.score.optimistic?.of).toBe(3);
    // beating all three replays on every directed metric is never consistent: it is what cherry-picking looks like
    if (run.score.optimistic?.onAll === true) expect(["inconclusive", "not_reproduced"]).toContain(run.score.verdict);
    expect(r.code).toBe(passesGate(run.score.verdict) ? 0 : 1);
    const junit = readFileSync(join(results, "cherry-e2e", "junit.xml"), "utf8");
    const top = /<testsuites [^>]*failures="(\d+)" errors="(\d+)"/.exec(junit);
    expect(Number(top?.[1]) + Number(top?.[2]) > 0).toBe(r.code !== 0);
    console.log(`cherry-picked original: ${run.score.verdict}; ${run.score.reason}`);
  }, 400_000);

  it("with --accept identical the unseeded variant is not reproduced: exit 1", async () => {
    const r = await audit(["--run", unseededRun, "--accept", "identical", "--replays", "2", "--no-publish", "--json"]);
    const doc = parseReport(r.stdout, "stdout");
    expect(doc.inputs.tolerance.accept).toBe("identical");
    expect(doc.runs[0]?.score.verdict).toBe("not_reproduced");
    expect(doc.runs[0]?.score.reason).toMatch(/^Not reproduced: /);
    expect(r.code).toBe(1);
  });

  it("prints the report document with --json and honours a tolerance override", async () => {
    const r = await audit([
      "--run",
      seededRun,
      "--json",
      "--no-publish",
      "--replays",
      "2",
      "--tolerance",
      "rmse=rel:1e-6",
    ]);
    expect(r.code).toBe(0);
    const doc = parseReport(r.stdout, "stdout");
    expect(doc.inputs.replays).toBe(2);
    expect(doc.inputs.tolerance.perMetric).toEqual({ rmse: { rel: 1e-6 } });
    expect(doc.runs[0]?.metrics.find((m) => m.name === "rmse")?.tolerance.rel).toBe(1e-6);
    expect(doc.policyText).toContain("rmse=rel:0.000001");
  });

  it("exits 2 with a readable message for bad input", async () => {
    const accept = await audit(["--run", seededRun, "--accept", "bitwise"]);
    expect(accept.code).toBe(2);
    expect(accept.stderr).toMatch(/--accept must be one of identical, equivalent, varies, got "bitwise"/);
    const tol = await audit(["--run", seededRun, "--tolerance", "rmse=relative:1"]);
    expect(tol.code).toBe(2);
    expect(tol.stderr).toMatch(/bad input: --tolerance: Bad tolerance "rmse=relative:1": unknown kind "relative"/);
    const resume = await audit(["--run", seededRun, "--resume", "no-such-audit"]);
    expect(resume.code).toBe(2);
    expect(resume.stderr).toMatch(/bad input: --resume no-such-audit: no audit folder/);
    const exists = await audit(["--run", seededRun, "--audit-id", "seeded-e2e"]);
    expect(exists.code).toBe(2);
    expect(exists.stderr).toMatch(/already exists .* --resume seeded-e2e/);
    const unknown = await audit(["--experiment", "nope"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/bad input: experiment "nope" does not exist/);
  });

  it("stops on Ctrl-C with a partial report, and --resume finishes without redoing finished replays", async () => {
    const args = [
      "audit",
      "--scenario",
      "scenarios/basic",
      "--results-dir",
      results,
      "--replays",
      "3",
      "--run",
      seededRun,
      "--audit-id",
      "interrupted-e2e",
      "--no-publish",
      // One at a time, so the Ctrl-C after the first replay finds the others not yet done:
      // with the pool's default (auto), all three ran together and could all finish first.
      "--parallel",
      "1",
    ];
    const proc = spawnCli(args, env);
    const deadline = Date.now() + 240_000;
    while (!/replay 1 finished/.test(proc.output()) && Date.now() < deadline && proc.child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 100));
    }
    proc.child.kill("SIGINT");
    const first = await proc.done;
    expect(first.code).toBe(2);
    expect(first.stdout).toContain("repro-audit audit --resume interrupted-e2e");
    const partial = readDoc("interrupted-e2e");
    const statuses = partial.runs[0]?.replays.map((x) => x.status) ?? [];
    expect(statuses[0]).toBe("ok");
    expect(statuses).toContain("skipped");
    // A partial audit says so in every format: never "reproduced", never a green CI run.
    expect(partial.runs[0]?.score.verdict).toBe("incomplete");
    expect(partial.score.runs.incomplete).toBe(1);
    expect(partial.score.score).toBeNull();
    const partialJunit = readFileSync(join(results, "interrupted-e2e", "junit.xml"), "utf8");
    expect(partialJunit).toMatch(
      /<testcase name="[^"]*\.complete"[^>]*>\s*<failure type="incomplete" message="[^"]*--resume interrupted-e2e/,
    );
    expect(partialJunit).not.toMatch(/<testsuites [^>]*failures="0"/);
    expect(readFileSync(join(results, "interrupted-e2e", "report.md"), "utf8")).toContain("## ⏸ Incomplete\n");

    const journalPath = join(results, "interrupted-e2e", "runs", seededRun, "journal.jsonl");
    const before = parseJournal(readFileSync(journalPath, "utf8")).replays.get(0)?.replayRunId;
    // The selection is remembered: --resume needs none, and refuses a different one.
    const resumeArgs = args
      .filter((a) => a !== "--run" && a !== seededRun)
      .map((a) => (a === "--audit-id" ? "--resume" : a));
    const other = await runCliProcess([...resumeArgs, "--run", unseededRun], env);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/--resume interrupted-e2e: that audit selected run .*, not run /);
    const resumed = await runCliProcess(resumeArgs, env);
    expect(resumed.code).toBe(0);
    const state = parseJournal(readFileSync(journalPath, "utf8"));
    expect(state.replays.get(0)?.replayRunId).toBe(before);
    expect([...state.replays.keys()].sort()).toEqual([0, 1, 2]);
    const finished = readDoc("interrupted-e2e");
    expect(finished.runs[0]?.replays.map((x) => x.status)).toEqual(["ok", "ok", "ok"]);
    expect(finished.runs[0]?.score.verdict).toBe("reproduced");
    expect(readFileSync(join(results, "interrupted-e2e", "junit.xml"), "utf8")).not.toContain('type="incomplete"');
  }, 300_000);
});
