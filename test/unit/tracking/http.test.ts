import { describe, expect, it } from "vitest";
import { MlflowClient } from "../../../harness/tracking/client.js";
import { MlflowError, MlflowSchemaError, MlflowUnreachableError } from "../../../harness/tracking/errors.js";
import { backoffDelayMs, DEFAULT_RETRY_POLICY } from "../../../harness/tracking/retry.js";
import { answer, fakeFetch, jsonResponse, recorded } from "./recorded.js";

// Retries, backoff and error mapping, with the server's real error answers.

const fast = { retryBaseDelayMs: 1, retryMaxDelayMs: 5 };
const run = recorded("run_get_full");

/** Answers with each response factory in turn, repeating the last one. */
function sequence(...responses: (() => Response | Error)[]) {
  let i = 0;
  return fakeFetch(() => {
    const r = responses[Math.min(i++, responses.length - 1)]!();
    if (r instanceof Error) throw r;
    return r;
  });
}

describe("retries", () => {
  it("retries 503 and 502, then succeeds", async () => {
    const { fetch, seen } = sequence(
      () => jsonResponse(503, {}),
      () => new Response("bad gateway", { status: 502 }),
      () => answer(run),
    );
    const c = new MlflowClient({ baseUrl: "http://mlflow.test", fetchImpl: fetch, retries: 3, ...fast });
    const got = await c.getRun("x");
    expect(got.info.run_name).toBe("full");
    expect(seen).toHaveLength(3);
  });

  it("retries 429 (rate limited)", async () => {
    const { fetch, seen } = sequence(
      () => jsonResponse(429, { error_code: "REQUEST_LIMIT_EXCEEDED" }, { "retry-after": "0" }),
      () => answer(run),
    );
    const c = new MlflowClient({ baseUrl: "http://mlflow.test", fetchImpl: fetch, retries: 2, ...fast });
    await c.getRun("x");
    expect(seen).toHaveLength(2);
  });

  it("retries connection errors and gives up with MlflowUnreachableError after the bound", async () => {
    const refused = new TypeError("fetch failed", {
      cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }),
    });
    const { fetch, seen } = sequence(() => refused);
    const c = new MlflowClient({ baseUrl: "http://127.0.0.1:1", fetchImpl: fetch, retries: 2, ...fast });
    const err = await c.searchRuns({ experimentIds: ["1"] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MlflowUnreachableError);
    expect(seen).toHaveLength(3);
    const e = err as MlflowUnreachableError;
    expect(e.attempts).toBe(3);
    expect(e.message).toContain("searching runs in experiment 1");
    expect(e.message).toContain("ECONNREFUSED");
    expect(e.message).toContain("http://127.0.0.1:1");
  });

  it("keeps the last 5xx as an MlflowError once retries are spent", async () => {
    const { fetch, seen } = sequence(() => jsonResponse(500, { error_code: "INTERNAL_ERROR", message: "db locked" }));
    const c = new MlflowClient({ baseUrl: "http://mlflow.test", fetchImpl: fetch, retries: 2, ...fast });
    const err = (await c.getRun("x").catch((e: unknown) => e)) as MlflowError;
    expect(err).toBeInstanceOf(MlflowError);
    expect(err.errorCode).toBe("INTERNAL_ERROR");
    expect(err.status).toBe(500);
    expect(seen).toHaveLength(3);
  });

  it("does not retry a 4xx answer", async () => {
    const { fetch, seen } = sequence(() => answer(recorded("runs_search_bad_filter")));
    const c = new MlflowClient({ baseUrl: "http://mlflow.test", fetchImpl: fetch, retries: 5, ...fast });
    await expect(c.searchRuns({ experimentIds: ["1"], filter: "params.alpha >>> 1" })).rejects.toBeInstanceOf(
      MlflowError,
    );
    expect(seen).toHaveLength(1);
  });

  it("backoff doubles, is capped, and honours Retry-After", () => {
    const p = { retries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    const noJitter = () => 0;
    expect([1, 2, 3, 4, 5].map((a) => backoffDelayMs(p, a, null, noJitter))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelayMs(p, 1, "0.5", noJitter)).toBe(500);
    expect(backoffDelayMs(p, 1, "60", noJitter)).toBe(1000);
    expect(backoffDelayMs(p, 1, null, () => 1)).toBeCloseTo(120);
    expect(DEFAULT_RETRY_POLICY.retries).toBeGreaterThan(0);
  });
});

describe("error mapping", () => {
  it("keeps MLflow's error_code and says what was being done", async () => {
    const { fetch } = sequence(() => answer(recorded("run_get_missing")));
    const c = new MlflowClient({ baseUrl: "http://mlflow.test", fetchImpl: fetch, retries: 0 });
    const err = (await c.getRun("0".repeat(32)).catch((e: unknown) => e)) as MlflowError;
    expect(err).toBeInstanceOf(MlflowError);
    expect(err.errorCode).toBe("RESOURCE_DOES_NOT_EXIST");
    expect(err.status).toBe(404);
    expect(err.isNotFound).toBe(true);
    expect(err.endpoint).toBe("/api/2.0/mlflow/runs/get");
    expect(err.message).toContain(`getting run ${"0".repeat(32)}`);
    expect(err.message).toContain("not found");
  });

  it("a missing experiment name is undefined, not an error", async () => {
    const { fetch } = sequence(() => answer(recorded("experiment_get_missing")));
    const c = new MlflowClient({ baseUrl: "http://mlflow.test", fetchImpl: fetch, retries: 0 });
    await expect(c.getExperimentByName("no-such-experiment")).resolves.toBeUndefined();
  });

  it("a missing alias keeps the server's INVALID_PARAMETER_VALUE", async () => {
    const { fetch } = sequence(() => answer(recorded("model_version_by_alias_missing")));
    const c = new MlflowClient({ baseUrl: "http://mlflow.test", fetchImpl: fetch, retries: 0 });
    const err = (await c
      .getModelVersionByAlias("TrackingFixtureModel", "nope")
      .catch((e: unknown) => e)) as MlflowError;
    expect(err.errorCode).toBe("INVALID_PARAMETER_VALUE");
    expect(err.message).toContain("resolving alias @nope");
  });

  it("a non-JSON error page (a proxy's) still becomes an MlflowError with HTTP_<status>", async () => {
    const { fetch } = sequence(() => new Response("<html>Forbidden</html>", { status: 403 }));
    const c = new MlflowClient({ baseUrl: "http://mlflow.test", fetchImpl: fetch, retries: 0 });
    const err = (await c.getRun("x").catch((e: unknown) => e)) as MlflowError;
    expect(err.errorCode).toBe("HTTP_403");
    expect(err.serverMessage).toContain("Forbidden");
  });

  it("an answer of the wrong shape is an MlflowSchemaError naming the path", async () => {
    const body = structuredClone(run.body) as { run: { data: { metrics: { value: unknown }[] } } };
    body.run.data.metrics[1]!.value = { oops: true };
    const { fetch } = sequence(() => jsonResponse(200, body));
    const c = new MlflowClient({ baseUrl: "http://mlflow.test", fetchImpl: fetch, retries: 0 });
    const err = (await c.getRun("x").catch((e: unknown) => e)) as MlflowSchemaError;
    expect(err).toBeInstanceOf(MlflowSchemaError);
    expect(err.problems[0]).toMatch(/^run\.data\.metrics\[1\]\.value: /);
    expect(err.message).toContain("getting run x");
    expect(err.message).toContain("/api/2.0/mlflow/runs/get");
  });

  it("a 200 that is not JSON is a schema error, not a crash", async () => {
    const { fetch } = sequence(() => new Response("<html>login</html>", { status: 200 }));
    const c = new MlflowClient({ baseUrl: "http://mlflow.test", fetchImpl: fetch, retries: 0 });
    await expect(c.getRun("x")).rejects.toThrow(/not JSON/);
  });
});

describe("auth headers", () => {
  const headerOf = async (opts: Record<string, string>) => {
    const { fetch, seen } = sequence(() => answer(run));
    await new MlflowClient({ baseUrl: "http://mlflow.test", fetchImpl: fetch, retries: 0, ...opts }).getRun("x");
    return seen[0]?.headers.get("authorization");
  };
  it("bearer token", async () => expect(await headerOf({ token: "tok" })).toBe("Bearer tok"));
  it("basic auth", async () =>
    expect(await headerOf({ username: "u", password: "p:w" })).toBe(
      `Basic ${Buffer.from("u:p:w").toString("base64")}`,
    ));
  it("token wins over basic", async () =>
    expect(await headerOf({ token: "tok", username: "u", password: "p" })).toBe("Bearer tok"));
  it("none", async () => expect(await headerOf({})).toBeNull());
});
