import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuditJobOptions, auditJob } from "../../../harness/audit/audit-job.js";
import { JournalRecordSchema, type JournalReplay } from "../../../harness/audit/journal.js";
import type { ReplayEvent } from "../../../harness/audit/replay-runner.js";
import { DEFAULT_POLICY } from "../../../harness/drift/tolerance.js";
import { parseEngineList } from "../../../harness/exec/engine-endpoints.js";
import { docker } from "../../../harness/exec/engine.js";
import { dockerAvailable as dockerOk } from "../../support/engine-available.js";
import { ensureBaseImage } from "../../../harness/exec/base-image.js";
import { ensureImageOn } from "../../../harness/exec/engine-images.js";
import { type ExtraEngine, copyImage, extraEngineUnavailable, startExtraEngine } from "../../support/extra-engine.js";
import { useServerAndResults } from "../../support/mlflow-server.js";
import { recordScenarioRun } from "../../support/record-run.js";

// Several engines in one audit, for real: the project's engine and a second dockerd
// on its own socket and data root (test/support/extra-engine.ts). The pinned image is
// prepared on the first and copied by ID to the second (never pulled, never built
// there); replays spread over both, each engine with its own pool; the same verdict
// as on one engine. Then the second engine is stopped under its first replay: what
// ran and waited there is redone on the first, journaled as infrastructure, the
// engine marked down in the report, and the verdict unchanged.

const root = new URL("../../../", import.meta.url).pathname;
const basic = join(root, "scenarios/basic");
const skip = !dockerOk || extraEngineUnavailable !== undefined;
if (dockerOk && extraEngineUnavailable !== undefined)
  console.warn(`\n*** SKIPPING the several-engines tests: ${extraEngineUnavailable}. ***\n`);

/** Every replay record the run's journal holds, in the order they were written (a redone index twice). */
function journalLines(auditDir: string, runId: string): JournalReplay[] {
  const text = readFileSync(join(auditDir, "runs", runId, "journal.jsonl"), "utf8");
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JournalRecordSchema.parse(JSON.parse(l)))
    .filter((r): r is JournalReplay => r.type === "replay");
}

describe.skipIf(skip)("several engines in one audit (real dockerd x2, real server)", () => {
  const ctx = useServerAndResults("repro-audit-engines-", { shared: true });
  let second: ExtraEngine | undefined;
  let runId = "";
  const t0 = Date.now();

  beforeAll(async () => {
    const started = Date.now();
    [second, runId] = await Promise.all([
      startExtraEngine(),
      recordScenarioRun(ctx.server.url, ["--experiment", "engines", "--seed", "42"]),
    ]);
    console.log(`engines: second dockerd and the recorded run ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  });

  afterAll(async () => {
    await second?.stop();
    console.log(`engines: the file took ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  });

  const options = (over: Partial<AuditJobOptions>): AuditJobOptions => ({
    selection: { kind: "runs", runIds: [runId] },
    trackingUri: ctx.server.url,
    client: ctx.client,
    // two replays, one at a time per engine: the first goes to one engine, the second to the other
    replays: 2,
    parallel: 1,
    executor: "docker",
    engines: parseEngineList(["default", second?.host ?? ""]),
    scenarioDir: basic,
    resultsDir: ctx.results,
    policy: DEFAULT_POLICY,
    publish: false,
    ...over,
  });

  it("replays spread over both engines, the image copied by ID, and the verdict is the one-engine verdict", async () => {
    const [first, other] = parseEngineList(["default", second?.host ?? ""]);
    const stages: string[] = [];
    let t = Date.now();
    const { engines: _both, ...oneEngine } = options({ auditId: "engines-one" });
    const one = await auditJob(oneEngine);
    const oneSeconds = (Date.now() - t) / 1000;
    t = Date.now();
    const both = await auditJob(options({ auditId: "engines-both", onStage: (m) => stages.push(m) }));
    console.log(
      `engines: one engine 2 replays ${oneSeconds.toFixed(1)}s; two engines 2 replays (image copy included) ${((Date.now() - t) / 1000).toFixed(1)}s`,
    );

    const run = both.report.runs[0];
    expect(run?.error).toBeUndefined();
    expect(run?.score.verdict, run?.score.reason).toBe(one.report.runs[0]?.score.verdict);
    expect(run?.score.verdict).toBe("reproduced");
    // The same image on both, by ID: copied, not built or pulled there.
    const imageId = run?.replays[0]?.imageId ?? "";
    expect((await second?.client.getImage(imageId).inspect())?.Id).toBe(imageId);
    expect((await docker().getImage(imageId).inspect()).Id).toBe(imageId);
    expect(stages.some((s) => s.startsWith(`copied the pinned image ${imageId.slice(7, 19)} to ${other?.name}`))).toBe(
      true,
    );
    // Each engine's pool stated, both engines ran replays, all in the one image.
    for (const e of [first, other])
      expect(stages.some((s) => s.startsWith(`engine ${e?.name}: parallel 1: as --parallel asked; each replay`))).toBe(
        true,
      );
    const engines = new Set(run?.replays.map((r) => r.engine));
    expect(engines).toEqual(new Set([first?.name, other?.name]));
    for (const r of run?.replays ?? []) {
      expect(r.status, r.message).toBe("ok");
      expect(r.imageId).toBe(imageId);
    }
    expect(both.report.inputs.engines).toEqual([
      { name: first?.name, parallel: 1 },
      { name: other?.name, parallel: 1 },
    ]);
    expect(both.report.inputs.parallel).toBe(2);
  }, 300_000);

  it("an image the other engine already has by ID is not copied again", async () => {
    // Put there by the test support's own docker save | load, not by the harness.
    const base = await ensureBaseImage();
    if (second === undefined) throw new Error("no second engine");
    await copyImage(docker(), second.client, base.imageId);
    expect(await ensureImageOn(docker(), second.client, base.imageId)).toBe("present");
  }, 120_000);

  it("failover: the second engine stopped under its first replay, its replays are redone on the first", async () => {
    const [first, other] = parseEngineList(["default", second?.host ?? ""]);
    const stages: string[] = [];
    let stopping: Promise<void> | undefined;
    const onEvent = (e: ReplayEvent) => {
      if (e.type === "start" && e.engine === other?.name && stopping === undefined) {
        // The engine goes away while its replay runs (not the workload failing).
        stopping = new Promise((r) => setTimeout(r, 500)).then(() => second?.stop());
      }
    };
    const t = Date.now();
    const res = await auditJob(
      options({ auditId: "engines-failover", replays: 3, onEvent, onStage: (m) => stages.push(m) }),
    );
    await stopping;
    second = undefined;
    console.log(`engines: failover audit, 3 replays, ${((Date.now() - t) / 1000).toFixed(1)}s`);
    expect(stopping).toBeDefined();

    const run = res.report.runs[0];
    expect(run?.error).toBeUndefined();
    expect(run?.score.verdict, run?.score.reason).toBe("reproduced");
    // Every replay that counts ran on the first engine.
    for (const r of run?.replays ?? []) {
      expect(r.status, r.message).toBe("ok");
      expect(r.engine).toBe(first?.name);
    }
    // The journal keeps what happened on the second: infrastructure, redone elsewhere.
    const lines = journalLines(join(ctx.results, "engines-failover"), runId);
    const onSecond = lines.filter((r) => r.engine === other?.name);
    expect(onSecond.length).toBeGreaterThanOrEqual(1);
    for (const r of onSecond) {
      expect(r.failure?.kind).toBe("infrastructure");
      expect(r.failure?.message).toMatch(/redone on another engine$/);
    }
    // The engine is down for the rest of the audit, and the report and progress say so.
    const down = res.report.inputs.engines?.find((e) => e.name === other?.name);
    expect(down?.down).toBeDefined();
    expect(stages.some((s) => s.startsWith(`engine ${other?.name} is down for the rest of the audit`))).toBe(true);
  }, 300_000);
});
