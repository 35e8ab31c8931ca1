import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { syntheticRunFacts } from "../../../bench/synthetic-audit.js";
import { assembleReport } from "../../../harness/audit/assemble-report.js";
import { assembleRun } from "../../../harness/audit/assemble-run.js";
import { mlflowReportPublisher } from "../../../harness/audit/mlflow-ports.js";
import { publishReport } from "../../../harness/audit/publish.js";
import type { ReportRun } from "../../../harness/report/schema.js";
import { parseRunPart } from "../../../harness/report/serialize.js";
import { writeReport } from "../../../harness/report/write.js";
import { MlflowClient } from "../../../harness/tracking/client.js";
import { Tags } from "../../../harness/tracking/tags.js";
import { type TestServer, startTestServer } from "../../support/mlflow-server.js";
import { meta } from "../../unit/audit/audit-factories.js";

// Issue 13's "done when": an audit of 50 runs with step histories writes its report
// and publishes it onto a real MLflow server, each run getting its own part and the
// audit's summary (not the whole document). The scoring input is synthetic
// (bench/synthetic-audit.ts: histories, noise, NaN, failed replays); the runs,
// uploads and tags are real.

const RUNS = 50;
const SHAPE = { runs: RUNS, replays: 5, metrics: 10, steps: 1000 };

describe("publishing a 50-run audit with histories onto a real MLflow server", () => {
  let server: TestServer;
  let client: MlflowClient;
  let results: string;

  beforeAll(async () => {
    server = await startTestServer({ shared: true });
    client = new MlflowClient({ baseUrl: server.url });
    results = mkdtempSync(join(tmpdir(), "publish-scale-"));
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    if (results) rmSync(results, { recursive: true, force: true });
  });

  it("writes the report and attaches to each run its own page and part and the summary, bounded per run", async () => {
    const experimentId = await client.createExperiment(`publish-scale-${Date.now()}`);
    const runIds: string[] = [];
    for (let i = 0; i < RUNS; i++)
      runIds.push((await client.createRun({ experimentId, runName: `synthetic-${i}` })).info.run_id);

    const entries: ReportRun[] = runIds.map((runId, i) => {
      const facts = syntheticRunFacts(i, SHAPE, runId);
      return assembleRun({ ...facts, run: { ...facts.run, experimentId } });
    });
    const doc = assembleReport(meta({ trackingUri: server.url, replays: SHAPE.replays }, "aud-scale-50"), entries);
    const paths = await writeReport(doc, results);
    expect(paths.runs).toHaveLength(RUNS);

    const result = await publishReport(mlflowReportPublisher(client), doc, paths);
    expect(result.problems).toEqual([]);
    expect(result.published).toEqual(runIds.map((id) => `run ${id}`));

    const whole = statSync(paths.json).size;
    for (const i of [0, 17, RUNS - 1]) {
      const runId = runIds[i] as string;
      const listed = await client.listArtifacts({ runId }, "repro-audit/aud-scale-50");
      expect(listed.map((f) => f.path).sort()).toEqual(
        ["report.html", "report.json", "report.md"].map((f) => `repro-audit/aud-scale-50/${f}`),
      );
      // what the run got: its own part, a fraction of the whole document
      const uploaded = listed.reduce((sum, f) => sum + (f.file_size ?? 0), 0);
      expect(uploaded).toBeLessThan(whole / 10);
      const got = join(results, `part-${i}.json`);
      await client.downloadArtifact({ runId }, "repro-audit/aud-scale-50/report.json", got);
      const part = parseRunPart(readFileSync(got, "utf8"), got);
      expect(part.run.runId).toBe(runId);
      expect(part.position).toBe(i);
      expect(Object.keys(part.run.histories ?? {})).toHaveLength(SHAPE.metrics);
      const tags = Object.fromEntries(((await client.getRun(runId)).data.tags ?? []).map((t) => [t.key, t.value]));
      expect(tags[Tags.report]).toBe(
        `${server.url}/#/experiments/${experimentId}/runs/${runId}/artifacts/repro-audit/aud-scale-50/report.html`,
      );
      expect(tags[Tags.verdict]).toBe(doc.runs[i]?.score.verdict);
    }
  }, 120_000);
});
