import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  embeddedServerStatus,
  startEmbeddedServer,
  stopEmbeddedServer,
} from "../../../harness/tracking/server/embedded-server.js";
import { processAlive } from "../../../harness/tracking/server/process-alive.js";
import { resolveTrackingUri } from "../../../harness/tracking/server/resolve.js";

describe("embedded MLflow server (real mlflow from the project venv)", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "repro-audit-server-test-"));
  afterAll(async () => {
    await stopEmbeddedServer(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("starts on loopback, answers /health and the REST API, and is reused for the same data folder", async () => {
    const [a, b] = await Promise.all([startEmbeddedServer({ dataDir }), startEmbeddedServer({ dataDir })]);
    expect(a.state.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // Two concurrent starts for one folder end in one server.
    expect(b.state.pid).toBe(a.state.pid);
    expect([a.reused, b.reused].filter((r) => !r)).toHaveLength(1);
    const health = await fetch(`${a.state.url}/health`);
    expect(health.status).toBe(200);
    const res = await fetch(`${a.state.url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=Default`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { experiment: { name: string } };
    expect(body.experiment.name).toBe("Default");

    const third = await startEmbeddedServer({ dataDir });
    expect(third.reused).toBe(true);
    expect(third.state.pid).toBe(a.state.pid);

    const status = await embeddedServerStatus(dataDir);
    expect(status).toMatchObject({ running: true, healthy: true });
    const resolved = await resolveTrackingUri({ dataDir, env: {} });
    expect(resolved).toEqual({ uri: a.state.url, embedded: true });
  });

  it("prefers an explicit or environment tracking URI over the embedded server", async () => {
    expect(await resolveTrackingUri({ env: { MLFLOW_TRACKING_URI: "http://127.0.0.1:5999" } })).toEqual({
      uri: "http://127.0.0.1:5999",
      embedded: false,
    });
  });

  it("stops cleanly and reports it", async () => {
    const before = await embeddedServerStatus(dataDir);
    const pid = before.state?.pid;
    expect(pid).toBeDefined();
    expect(await stopEmbeddedServer(dataDir)).toBe(true);
    expect(processAlive(pid!)).toBe(false);
    expect(await embeddedServerStatus(dataDir)).toMatchObject({ running: false, healthy: false });
    expect(await stopEmbeddedServer(dataDir)).toBe(false);
  });

  it("says how to fix a missing virtualenv", async () => {
    const other = mkdtempSync(join(tmpdir(), "repro-audit-novenv-"));
    try {
      await expect(
        startEmbeddedServer({ dataDir: other, env: { REPRO_AUDIT_VENV: join(other, "nope") } }),
      ).rejects.toThrow(/npm run setup/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
