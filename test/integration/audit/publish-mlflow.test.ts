import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { assembleReport } from "../../../harness/audit/assemble-report.js";
import { assembleRun } from "../../../harness/audit/assemble-run.js";
import { mlflowReportPublisher } from "../../../harness/audit/mlflow-ports.js";
import { SUMMARY_BEGIN } from "../../../harness/audit/model-version-summary.js";
import { publishReport } from "../../../harness/audit/publish.js";
import { writeReport } from "../../../harness/report/write.js";
import { MlflowClient } from "../../../harness/tracking/client.js";
import { Metrics, Tags } from "../../../harness/tracking/tags.js";
import { projectDir } from "../../support/cli.js";
import { type TestServer, startTestServer } from "../../support/mlflow-server.js";
import { venvPython } from "../../support/record-run.js";
import { facts, meta, recordedRun } from "../../unit/audit/audit-factories.js";

// Publishing against a real MLflow server, twice (an audit and a re-audit) onto
// one run and its registered model version: the score as a metric with history
// that search finds, the report tag as the UI's link, and the summary appended to
// the author's description with only the harness's block replaced.

describe("publishing onto a real MLflow server", () => {
  let server: TestServer;
  let client: MlflowClient;
  let results: string;

  beforeAll(async () => {
    server = await startTestServer({ shared: true });
    client = new MlflowClient({ baseUrl: server.url });
    results = mkdtempSync(join(tmpdir(), "publish-mlflow-"));
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    if (results) rmSync(results, { recursive: true, force: true });
  });

  it("logs a score point per audit, links the report, and appends the summary after the author's description", async () => {
    const experimentId = await client.createExperiment("publish-it");
    const run = await client.createRun({ experimentId, runName: "wine [a] *b*" });
    const runId = run.info.run_id;
    const out = await execa(venvPython, [
      join(projectDir, "test/python/register_model_version.py"),
      "--tracking-uri",
      server.url,
      "--run-id",
      runId,
      "--name",
      "wine-model",
    ]);
    const mv = JSON.parse(out.stdout.trim().split("\n").at(-1) ?? "") as { name: string; version: string };
    await client.updateModelVersionDescription(mv.name, mv.version, "Trained on the 2024 cut.");

    const audit = async (auditId: string, createdAt: Date) => {
      const entry = assembleRun(facts({ run: recordedRun({ runId, experimentId, runName: "wine [a] *b*" }) }));
      const doc = assembleReport({ ...meta({ trackingUri: server.url }, auditId), createdAt }, [entry]);
      const paths = await writeReport(doc, results);
      return publishReport(mlflowReportPublisher(client), doc, paths, [{ ...mv, runId }]);
    };
    const first = await audit("aud-1", new Date("2026-12-01T10:00:00Z"));
    expect(first).toEqual({ published: [`run ${runId}`, `model wine-model v${mv.version}`], problems: [] });
    const second = await audit("aud-2", new Date("2026-12-02T10:00:00Z"));
    expect(second.problems).toEqual([]);

    // the metric: one point per audit at step 0, the newest the latest; search finds it
    const history = await client.getMetricHistory(runId, Metrics.score);
    expect(history.map((p) => [p.step, p.value, p.timestamp])).toEqual([
      [0, 1, Date.parse("2026-12-01T10:00:00Z")],
      [0, 1, Date.parse("2026-12-02T10:00:00Z")],
    ]);
    const found = await client.searchRuns({ experimentIds: [experimentId], filter: "metrics.`repro.score` >= 1" });
    expect(found.map((r) => r.info.run_id)).toEqual([runId]);

    // the report tag: MLflow's UI page of the uploaded HTML report
    const tags = Object.fromEntries(((await client.getRun(runId)).data.tags ?? []).map((t) => [t.key, t.value]));
    expect(tags[Tags.report]).toBe(
      `${server.url}/#/experiments/${experimentId}/runs/${runId}/artifacts/repro-audit/aud-2/report.html`,
    );
    expect(tags[Tags.audit]).toBe("aud-2");
    const listed = await client.listArtifacts({ runId }, "repro-audit/aud-2");
    expect(listed.map((f) => f.path)).toContain("repro-audit/aud-2/report.html");

    // the description: the author's text first, then exactly one harness block, the re-audit's
    const description = (await client.getModelVersion(mv.name, mv.version)).description ?? "";
    expect(description.startsWith(`Trained on the 2024 cut.\n\n${SUMMARY_BEGIN}\n`)).toBe(true);
    expect(description.split(SUMMARY_BEGIN)).toHaveLength(2);
    expect(description).toContain("`aud-2`");
    expect(description).not.toContain("`aud-1`");
    expect(description).toContain("wine \\[a\\] \\*b\\*");
    expect(description).toContain(`[report](${tags[Tags.report]})`);
  }, 180_000);
});
