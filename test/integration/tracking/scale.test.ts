import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MlflowClient } from "../../../harness/tracking/client.js";
import { METRIC_HISTORY_PAGE_SIZE, RUNS_PAGE_SIZE } from "../../../harness/tracking/runs.js";
import type { TestServer } from "../../support/mlflow-server.js";
import { startTestServer } from "../../support/mlflow-server.js";
import { runPythonScript } from "./python-runs.js";

// Listings longer than one page, against a real server: 1100 runs created by the real
// Python client (test/python/bulk_runs.py), and a metric history longer than the
// client's default page of 25000 points (the server's own cap).

const RUNS = 1100;
const STEPS = METRIC_HISTORY_PAGE_SIZE + 1000;

let server: TestServer;
let client: MlflowClient;
let bulk: { experiment_id: string; run_ids: string[]; seconds: number };

beforeAll(async () => {
  server = await startTestServer({ inMemory: true });
  client = new MlflowClient({ baseUrl: server.url, retries: 2, retryBaseDelayMs: 50 });
  bulk = await runPythonScript("bulk_runs.py", server.url, ["--experiment", "bulk", "--runs", String(RUNS)]);
  console.info(`[tracking scale] created ${RUNS} runs with the Python client in ${bulk.seconds.toFixed(1)} s`);
});

afterAll(async () => {
  await server?.stop();
});

describe("runs/search over more than one page", () => {
  it(`reads all ${RUNS} runs: one full page of ${RUNS_PAGE_SIZE} and the rest`, async () => {
    expect(RUNS).toBeGreaterThan(RUNS_PAGE_SIZE);
    const started = performance.now();
    const sizes: number[] = [];
    const seen = new Set<string>();
    for await (const page of client.searchRunsPages({ experimentIds: [bulk.experiment_id] })) {
      sizes.push(page.length);
      for (const r of page) seen.add(r.info.run_id);
    }
    console.info(
      `[tracking scale] searched ${seen.size} runs in ${((performance.now() - started) / 1000).toFixed(2)} s`,
    );
    expect(sizes).toEqual([RUNS_PAGE_SIZE, RUNS - RUNS_PAGE_SIZE]);
    expect(seen).toEqual(new Set(bulk.run_ids));
  });

  it("keeps filter and order across pages", async () => {
    const runs = await client.searchRuns({
      experimentIds: [bulk.experiment_id],
      filter: "tags.bulk = 'yes'",
      orderBy: ["attributes.start_time ASC"],
      pageSize: 300,
    });
    expect(runs.map((r) => r.data.tags.find((t) => t.key === "idx")?.value)).toEqual(
      Array.from({ length: RUNS }, (_, i) => String(i)),
    );
  });

  it("stops at maxResults", async () => {
    const runs = await client.searchRuns({ experimentIds: [bulk.experiment_id], maxResults: 1050, pageSize: 500 });
    expect(runs).toHaveLength(1050);
    expect(new Set(runs.map((r) => r.info.run_id)).size).toBe(1050);
  });
});

describe("metric history over more than one page", () => {
  it(`reads all ${STEPS} points with the default page size and with small pages`, async () => {
    const run = await client.createRun({ experimentId: bulk.experiment_id, runName: "long-history" });
    const points = Array.from({ length: STEPS }, (_, i) => ({
      key: "loss",
      value: 1 / (i + 1),
      step: i,
      timestamp: 1_700_000_000_000 + i,
    }));
    let t = performance.now();
    const requests = await client.logBatch(run.info.run_id, { metrics: points });
    console.info(
      `[tracking scale] logged ${STEPS} points in ${requests} requests, ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );

    t = performance.now();
    const all = await client.getMetricHistory(run.info.run_id, "loss");
    console.info(`[tracking scale] read ${all.length} points in ${((performance.now() - t) / 1000).toFixed(2)} s`);
    expect(all.map((p) => p.step)).toEqual(points.map((p) => p.step));
    expect(all.map((p) => p.value)).toEqual(points.map((p) => p.value));

    const small = await client.getMetricHistory(run.info.run_id, "loss", { pageSize: 4000 });
    expect(small.map((p) => p.step)).toEqual(points.map((p) => p.step));
  });
});
