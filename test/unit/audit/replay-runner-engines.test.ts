import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EnginePools } from "../../../harness/audit/engine-pools.js";
import { Journal } from "../../../harness/audit/journal.js";
import { runReplays } from "../../../harness/audit/replay-runner.js";
import type { ExecResult, ExecSpec, Executor } from "../../../harness/exec/executor.js";
import type { MlflowClient } from "../../../harness/tracking/client.js";
import { plan } from "./audit-factories.js";

// The runner on several engines, with fake executors (one per engine) and a fake
// tracking client: each replay runs on the engine its slot is on and records it;
// a replay whose engine is gone (connection refused) or whose container the engine
// ended itself is journaled as infrastructure and redone on the other engine; the
// last engine up fails as one engine always did (journaled as infrastructure, no redo).

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const scratch = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};

/** A tracking server that accepts every replay run. */
function fakeClient(): MlflowClient {
  let n = 0;
  return {
    getOrCreateExperiment: async () => ({ experiment_id: "1" }),
    searchRuns: async () => [],
    createRun: async () => ({ info: { run_id: `replay-run-${n++}` } }),
    updateRun: async () => undefined,
    deleteRun: async () => undefined,
  } as unknown as MlflowClient;
}

const ok = (over: Partial<ExecResult> = {}): ExecResult => ({
  exitCode: 0,
  oomKilled: false,
  timedOut: false,
  durationMs: 5,
  stdoutTail: '{"rmse": 0.731}\n',
  stderrTail: "",
  stdoutTruncated: false,
  stderrTruncated: false,
  isolated: true,
  pinned: true,
  imageId: "sha256:img",
  executor: "docker",
  ...over,
});

/** An engine: runs each spec after a tick, or fails it as `behaviour` says for its first `times` runs. */
function fakeEngine(behaviour: "ok" | "gone" | "ended", times = Number.POSITIVE_INFINITY) {
  const ran: number[] = [];
  let left = times;
  const executor: Executor = {
    kind: "docker",
    run: async (spec: ExecSpec) => {
      ran.push(Number(spec.env["REPRO_REPLAY_INDEX"]));
      await new Promise((r) => setTimeout(r, 5));
      if (behaviour !== "ok" && left-- > 0) {
        if (behaviour === "gone")
          throw Object.assign(new Error("connect ECONNREFUSED /tmp/e2/docker.sock"), { code: "ECONNREFUSED" });
        return ok({ exitCode: 143, stoppedBy: "the engine killed the container with signal 15" });
      }
      return ok();
    },
  };
  return { executor, ran };
}

async function replayOn(engines: Array<{ name: string; executor: Executor }>, replays: number) {
  const auditDir = scratch("ra-engines-run-");
  const journal = Journal.open(join(auditDir, "journal.jsonl"));
  const downs: string[] = [];
  const pool = new EnginePools(
    engines.map((e) => ({ engine: e.name, limit: 1 })),
    (engine) => downs.push(engine),
  );
  const summary = await runReplays({
    plan: plan({
      capture: { mode: "stdout-json", paths: { rmse: "$.rmse" } },
      code: { source: "scenario", path: scratch("ra-engines-code-"), dirtyOriginal: "unknown", diffAvailable: false },
    }),
    replays,
    parallel: 1,
    executor: engines[0]?.executor as Executor,
    engines,
    pool,
    auditId: "20260101-000000Z-run-a-0001",
    journal,
    auditDir,
    client: fakeClient(),
    probe: false,
    engineRetryDelaysMs: [1],
  });
  return { summary, downs, text: () => readJournal(auditDir) };
}

/** Every replay line of the journal, in the order written (a redone index twice). */
async function readJournal(dir: string): Promise<Array<Record<string, unknown>>> {
  return readFileSync(join(dir, "journal.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((r) => r["type"] === "replay");
}

describe("runReplays on several engines (fake executors)", () => {
  it("spreads the replays over both engines and records which ran each", async () => {
    const a = fakeEngine("ok");
    const b = fakeEngine("ok");
    const { summary } = await replayOn(
      [
        { name: "unix:///a.sock", executor: a.executor },
        { name: "unix:///b.sock", executor: b.executor },
      ],
      4,
    );
    expect(summary.records.map((r) => r.status)).toEqual(["finished", "finished", "finished", "finished"]);
    expect(a.ran.length).toBeGreaterThan(0);
    expect(b.ran.length).toBeGreaterThan(0);
    expect(a.ran.length + b.ran.length).toBe(4);
    for (const r of summary.records)
      expect(r.engine).toBe(a.ran.includes(r.index) ? "unix:///a.sock" : "unix:///b.sock");
  });

  it.each(["gone", "ended"] as const)(
    "an engine %s under a replay: journaled as infrastructure, redone on the other, down for the rest",
    async (how) => {
      const a = fakeEngine("ok");
      const b = fakeEngine(how);
      const res = await replayOn(
        [
          { name: "unix:///a.sock", executor: a.executor },
          { name: "unix:///b.sock", executor: b.executor },
        ],
        4,
      );
      expect(res.downs).toEqual(["unix:///b.sock"]);
      expect(b.ran).toHaveLength(1);
      // What counts ran on a, and finished.
      for (const r of res.summary.records) {
        expect(r.status).toBe("finished");
        expect(r.engine).toBe("unix:///a.sock");
      }
      // The journal keeps the attempt on b, as infrastructure, and says it was redone.
      const onB = (await res.text()).filter((r) => r["engine"] === "unix:///b.sock");
      expect(onB).toHaveLength(1);
      expect(onB[0]?.["failure"]).toMatchObject({
        kind: "infrastructure",
        message: expect.stringMatching(/redone on another engine$/),
      });
    },
  );

  it("the last engine up fails as one engine did: retried, then infrastructure, nothing redone", async () => {
    const a = fakeEngine("gone");
    const res = await replayOn([{ name: "unix:///a.sock", executor: a.executor }], 1);
    expect(res.downs).toEqual([]);
    expect(a.ran).toEqual([0, 0]); // one retry (engineRetryDelaysMs has one wait)
    expect(res.summary.records[0]?.failure?.kind).toBe("infrastructure");
    expect(res.summary.records[0]?.failure?.message).toMatch(/\(after 2 attempts\)$/);
  });

  it("one engine: a replay the engine ended (docker stop, a shutdown) is infrastructure, never the workload's exit 143", async () => {
    const a = fakeEngine("ended", 1);
    const res = await replayOn([{ name: "unix:///a.sock", executor: a.executor }], 1);
    expect(a.ran).toEqual([0]);
    expect(res.downs).toEqual([]);
    expect(res.summary.records[0]?.failure?.kind).toBe("infrastructure");
    expect(res.summary.records[0]?.failure?.message).toMatch(/ended the replay: the engine killed the container/);
  });
});
