import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { splitBatch, SERVER_BATCH_LIMITS, type MetricInput } from "../../../harness/tracking/batching.js";
import { MlflowClient } from "../../../harness/tracking/client.js";
import { fakeFetch, jsonResponse, recorded } from "./recorded.js";

const metrics = (n: number): MetricInput[] =>
  Array.from({ length: n }, (_, i) => ({ key: "m", value: i, step: i, timestamp: 1 }));
const kvs = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, value: String(i) }));

describe("splitBatch", () => {
  it("the real server refuses 101 params in one request (why splitting matters)", () => {
    const rec = recorded("log_batch_too_many_params");
    expect(rec.status).toBe(400);
    expect(rec.body).toMatchObject({ error_code: "INVALID_PARAMETER_VALUE" });
  });

  it("2500 metrics go in 1000 + 1000 + 500", () => {
    expect(splitBatch({ metrics: metrics(2500) }).map((c) => c.metrics.length)).toEqual([1000, 1000, 500]);
  });

  it("250 params and 150 tags go in chunks of at most 100 each", () => {
    const chunks = splitBatch({ params: kvs("p", 250), tags: kvs("t", 150) });
    expect(chunks.map((c) => [c.params.length, c.tags.length])).toEqual([
      [100, 100],
      [100, 50],
      [50, 0],
    ]);
  });

  it("the 1000-entity total is respected when params, tags and metrics mix", () => {
    const chunks = splitBatch({ params: kvs("p", 100), tags: kvs("t", 100), metrics: metrics(1000) });
    expect(chunks.map((c) => c.params.length + c.tags.length + c.metrics.length)).toEqual([1000, 200]);
    expect(chunks[0]?.metrics.length).toBe(800);
  });

  it("nothing to log means no requests", () => {
    expect(splitBatch({})).toEqual([]);
  });

  it("for any batch: every chunk fits the limits, nothing is lost or reordered", () => {
    fc.assert(
      fc.property(fc.nat(2600), fc.nat(320), fc.nat(320), (nm, np, nt) => {
        const input = { metrics: metrics(nm), params: kvs("p", np), tags: kvs("t", nt) };
        const chunks = splitBatch(input);
        for (const c of chunks) {
          expect(c.metrics.length).toBeLessThanOrEqual(SERVER_BATCH_LIMITS.metrics);
          expect(c.params.length).toBeLessThanOrEqual(SERVER_BATCH_LIMITS.params);
          expect(c.tags.length).toBeLessThanOrEqual(SERVER_BATCH_LIMITS.tags);
          expect(c.metrics.length + c.params.length + c.tags.length).toBeLessThanOrEqual(SERVER_BATCH_LIMITS.entities);
          expect(c.metrics.length + c.params.length + c.tags.length).toBeGreaterThan(0);
        }
        expect(chunks.flatMap((c) => c.metrics)).toEqual(input.metrics);
        expect(chunks.flatMap((c) => c.params)).toEqual(input.params);
        expect(chunks.flatMap((c) => c.tags)).toEqual(input.tags);
      }),
      { numRuns: 60 },
    );
  });
});

describe("MlflowClient.logBatch", () => {
  it("sends one log-batch request per chunk, with MLflow's field names", async () => {
    const { fetch, seen } = fakeFetch(() => jsonResponse(200, {}));
    const c = new MlflowClient({ baseUrl: "http://mlflow.test", fetchImpl: fetch, retries: 0 });
    const n = await c.logBatch("run1", {
      metrics: metrics(1500),
      params: kvs("p", 120),
      tags: [{ key: "k", value: "v" }],
    });
    expect(n).toBe(2);
    expect(seen).toHaveLength(2);
    expect(seen.every((s) => s.url.pathname === "/api/2.0/mlflow/runs/log-batch" && s.method === "POST")).toBe(true);
    const first = seen[0]?.body as { run_id: string; metrics: unknown[]; params: unknown[]; tags: unknown[] };
    expect(first.run_id).toBe("run1");
    expect([first.params.length, first.tags.length, first.metrics.length]).toEqual([100, 1, 899]);
    expect(first.metrics[0]).toEqual({ key: "m", value: 0, timestamp: 1, step: 0 });
  });

  it("writes NaN and infinities the way MLflow's proto JSON reads them", async () => {
    const { fetch, seen } = fakeFetch(() => jsonResponse(200, {}));
    const c = new MlflowClient({ baseUrl: "http://mlflow.test", fetchImpl: fetch, retries: 0 });
    await c.logBatch("r", {
      metrics: [
        { key: "a", value: Number.NaN },
        { key: "b", value: -Infinity },
      ],
    });
    const body = seen[0]?.body as { metrics: { value: unknown }[] };
    expect(body.metrics.map((m) => m.value)).toEqual(["NaN", "-Infinity"]);
  });
});
