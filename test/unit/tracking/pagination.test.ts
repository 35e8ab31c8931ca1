import { describe, expect, it } from "vitest";
import { MlflowClient } from "../../../harness/tracking/client.js";
import { collectAll, listAll, listPages, type PageRequest } from "../../../harness/tracking/pagination.js";
import { fakeFetch, jsonResponse, pagedResponder, recorded } from "./recorded.js";

// Pagination against pages recorded from a real server (page size 2): the client must
// follow next_page_token to the end and send each token back exactly as received.

const client = (f: typeof fetch) => new MlflowClient({ baseUrl: "http://mlflow.test", fetchImpl: f, retries: 0 });

describe("searchRuns reads every page", () => {
  const pages = ["runs_search_page1", "runs_search_page2", "runs_search_page3"];
  const expected = pages.flatMap((p) =>
    (recorded(p).body as { runs: { info: { run_id: string } }[] }).runs.map((r) => r.info.run_id),
  );

  it("returns the runs of all recorded pages, in order", async () => {
    const { fetch, seen } = fakeFetch(pagedResponder(pages, (r) => (r.body as { page_token?: string }).page_token));
    const runs = await client(fetch).searchRuns({
      experimentIds: ["1"],
      pageSize: 2,
      orderBy: ["attributes.start_time ASC"],
    });
    expect(expected.length).toBeGreaterThan(4);
    expect(runs.map((r) => r.info.run_id)).toEqual(expected);
    expect(seen).toHaveLength(3);
    expect(seen.map((s) => (s.body as { page_token?: string }).page_token)).toEqual([
      undefined,
      (recorded("runs_search_page1").body as { next_page_token: string }).next_page_token,
      (recorded("runs_search_page2").body as { next_page_token: string }).next_page_token,
    ]);
    expect(seen[0]?.url.pathname).toBe("/api/2.0/mlflow/runs/search");
    expect(seen[0]?.body).toMatchObject({
      experiment_ids: ["1"],
      max_results: 2,
      order_by: ["attributes.start_time ASC"],
    });
  });

  it("asks for pages of 1000 by default", async () => {
    const { fetch, seen } = fakeFetch(pagedResponder(pages, (r) => (r.body as { page_token?: string }).page_token));
    await client(fetch).searchRuns({ experimentIds: ["1"] });
    expect((seen[0]?.body as { max_results: number } | undefined)?.max_results).toBe(1000);
  });

  it("stops at maxResults without reading further pages", async () => {
    const { fetch, seen } = fakeFetch(pagedResponder(pages, (r) => (r.body as { page_token?: string }).page_token));
    const runs = await client(fetch).searchRuns({ experimentIds: ["1"], pageSize: 2, maxResults: 3 });
    expect(runs.map((r) => r.info.run_id)).toEqual(expected.slice(0, 3));
    expect(seen).toHaveLength(2);
    expect((seen[1]?.body as { max_results: number } | undefined)?.max_results).toBe(1);
  });

  it("streams pages through searchRunsPages", async () => {
    const { fetch } = fakeFetch(pagedResponder(pages, (r) => (r.body as { page_token?: string }).page_token));
    const sizes: number[] = [];
    for await (const page of client(fetch).searchRunsPages({ experimentIds: ["1"], pageSize: 2 }))
      sizes.push(page.length);
    expect(sizes).toEqual([2, 2, expected.length - 4]);
  });
});

describe("getMetricHistory reads every page", () => {
  const pages = ["metric_history_page1", "metric_history_page2", "metric_history_page3"];
  it("returns all steps of the recorded history", async () => {
    const { fetch, seen } = fakeFetch(pagedResponder(pages, (r) => r.url.searchParams.get("page_token") ?? undefined));
    const points = await client(fetch).getMetricHistory("run1", "loss", { pageSize: 2 });
    expect(points.map((p) => p.step)).toEqual([0, 1, 2, 3, 4]);
    expect(points.map((p) => p.value)).toEqual([1, 0.5, 1 / 3, 0.25, 0.2]);
    expect(seen).toHaveLength(3);
    expect(seen[0]?.url.searchParams.get("max_results")).toBe("2");
    expect(seen[0]?.url.searchParams.get("metric_key")).toBe("loss");
  });

  it("always sends max_results (the server skips paging without it)", async () => {
    const { fetch, seen } = fakeFetch(() => jsonResponse(200, { metrics: [] }));
    await client(fetch).getMetricHistory("run1", "loss");
    expect(seen[0]?.url.searchParams.get("max_results")).toBe("25000");
  });
});

describe("other listings page too", () => {
  it("searchExperiments, searchRegisteredModels, searchModelVersions, searchLoggedModels follow tokens", async () => {
    const byPath: Record<string, (token: string | undefined) => unknown> = {
      "/api/2.0/mlflow/experiments/search": (t) =>
        t
          ? { experiments: [{ experiment_id: "2", name: "b" }] }
          : { experiments: [{ experiment_id: "1", name: "a" }], next_page_token: "e2" },
      "/api/2.0/mlflow/registered-models/search": (t) =>
        t ? { registered_models: [{ name: "B" }] } : { registered_models: [{ name: "A" }], next_page_token: "r2" },
      "/api/2.0/mlflow/model-versions/search": (t) =>
        t
          ? { model_versions: [{ name: "A", version: "2" }] }
          : { model_versions: [{ name: "A", version: "1" }], next_page_token: "v2" },
      "/api/2.0/mlflow/logged-models/search": (t) =>
        t
          ? {
              models: [
                {
                  info: {
                    model_id: "m-2",
                    experiment_id: "1",
                    name: "n",
                    artifact_uri: "mlflow-artifacts:/1/models/m-2/artifacts",
                  },
                },
              ],
            }
          : {
              models: [
                {
                  info: {
                    model_id: "m-1",
                    experiment_id: "1",
                    name: "n",
                    artifact_uri: "mlflow-artifacts:/1/models/m-1/artifacts",
                  },
                },
              ],
              next_page_token: "l2",
            },
    };
    const { fetch } = fakeFetch((req) => {
      const token =
        (req.body as { page_token?: string } | undefined)?.page_token ??
        req.url.searchParams.get("page_token") ??
        undefined;
      const f = byPath[req.url.pathname];
      return f ? jsonResponse(200, f(token)) : jsonResponse(404, {});
    });
    const c = client(fetch);
    expect((await c.searchExperiments()).map((e) => e.name)).toEqual(["a", "b"]);
    expect((await c.searchRegisteredModels()).map((m) => m.name)).toEqual(["A", "B"]);
    expect((await c.searchModelVersions("name='A'")).map((v) => v.version)).toEqual(["1", "2"]);
    expect((await c.searchLoggedModels({ experimentIds: ["1"] })).map((m) => m.info.model_id)).toEqual(["m-1", "m-2"]);
  });
});

describe("collectAll", () => {
  it("refuses a server that repeats a page token instead of looping forever", async () => {
    let calls = 0;
    await expect(
      collectAll(async () => {
        calls++;
        return { items: [calls], nextPageToken: "same" };
      }),
    ).rejects.toThrow(/twice/);
    expect(calls).toBe(2);
  });

  it("treats an empty token as the last page", async () => {
    const out = await collectAll(async (t) =>
      t ? { items: [2], nextPageToken: "" } : { items: [1], nextPageToken: "x" },
    );
    expect(out).toEqual([1, 2]);
  });
});

describe("listPages", () => {
  // A server with `total` items 0..total-1 that may send more than asked (`extra`).
  const server = (total: number, extra = 0) => {
    const asked: PageRequest[] = [];
    const fetchPage = async (req: PageRequest) => {
      asked.push(req);
      const start = Number(req.pageToken ?? 0);
      const end = Math.min(total, start + req.maxResults + extra);
      const items = Array.from({ length: end - start }, (_, i) => start + i);
      return { items, nextPageToken: end < total ? String(end) : undefined };
    };
    return { asked, fetchPage };
  };

  it("asks for the page size, then only what is left before the limit", async () => {
    const s = server(10);
    expect(await listAll({ pageSize: 4, limit: 6 }, s.fetchPage)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(s.asked).toEqual([
      { pageToken: undefined, maxResults: 4 },
      { pageToken: "4", maxResults: 2 },
    ]);
  });

  it("cuts a page that holds more than asked and stops there", async () => {
    const s = server(10, 3);
    expect(await listAll({ pageSize: 2, limit: 3 }, s.fetchPage)).toEqual([0, 1, 2]);
    expect(s.asked).toHaveLength(1);
  });

  it("reads to the end without a limit and makes no request for a limit of 0", async () => {
    const s = server(5);
    expect(await listAll({ pageSize: 2 }, s.fetchPage)).toEqual([0, 1, 2, 3, 4]);
    expect(s.asked.map((r) => r.maxResults)).toEqual([2, 2, 2]);
    const none = server(5);
    expect(await listAll({ pageSize: 2, limit: 0 }, none.fetchPage)).toEqual([]);
    expect(none.asked).toHaveLength(0);
  });

  it("yields no empty pages", async () => {
    const fetchPage = async (req: PageRequest) => (req.pageToken ? { items: [1] } : { items: [], nextPageToken: "a" });
    const seen: number[][] = [];
    for await (const page of listPages({ pageSize: 5 }, fetchPage)) seen.push(page);
    expect(seen).toEqual([[1]]);
  });
});
