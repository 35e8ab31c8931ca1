import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, inject } from "vitest";
import { MlflowClient } from "../../harness/tracking/client.js";
import { startEmbeddedServer, stopEmbeddedServer } from "../../harness/tracking/server/embedded-server.js";
import { sharedServerDir } from "./global-setup.js";

export interface TestServer {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * A real MLflow server on a throwaway sqlite database, for integration tests.
 * Fails loudly when the project venv is missing: these tests never fake the server.
 *
 * `inMemory`: tests that write ~1100 runs put the data folder on /dev/shm when the
 * machine has one, since sqlite's fsync per commit makes that twice as slow on disk
 * (measured: 300 runs 5.4 s on disk, 2.7 s on /dev/shm).
 *
 * `shared`: one server for every file of the `vitest run` that asks for it, started
 * by the first and stopped by the global teardown (test/support/global-setup.ts):
 * each start costs ~10 s of MLflow's imports, and a dozen files paid it. Only for
 * files whose experiments, model names and audit ids are their own and that read no
 * server-wide state (the default "repro-audit" experiment, experiment 0, all models);
 * `stop()` then leaves the server to the teardown.
 */
export async function startTestServer(opts: { inMemory?: boolean; shared?: boolean } = {}): Promise<TestServer> {
  if (opts.shared) {
    const dataDir = sharedServerDir(inject("buildToken"));
    mkdirSync(dataDir, { recursive: true });
    const { state } = await startEmbeddedServer({ dataDir });
    return { url: state.url, dataDir, stop: async () => undefined };
  }
  const parent = opts.inMemory && existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
  const dataDir = mkdtempSync(join(parent, "repro-audit-mlflow-"));
  const { state } = await startEmbeddedServer({ dataDir });
  return {
    url: state.url,
    dataDir,
    async stop() {
      await stopEmbeddedServer(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ServerAndResults {
  server: TestServer;
  client: MlflowClient;
  /** a scratch results folder for the file's audits */
  results: string;
}

/**
 * The usual frame of a replay integration test: a real server and a client for it,
 * and a scratch results folder, made before the file's tests and removed after.
 * Read the fields inside tests (they are set in beforeAll).
 */
export function useServerAndResults(resultsPrefix: string, opts: { shared?: boolean } = {}): ServerAndResults {
  const ctx = {} as ServerAndResults;
  beforeAll(async () => {
    ctx.server = await startTestServer(opts);
    ctx.client = new MlflowClient({ baseUrl: ctx.server.url });
    ctx.results = mkdtempSync(join(tmpdir(), resultsPrefix));
  });
  afterAll(async () => {
    await ctx.server?.stop();
    if (ctx.results) rmSync(ctx.results, { recursive: true, force: true });
  });
  return ctx;
}
