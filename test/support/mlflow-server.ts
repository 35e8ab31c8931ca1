import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmbeddedServer, stopEmbeddedServer } from "../../harness/tracking/server/embedded-server.js";

export interface TestServer {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * A real MLflow server on a throwaway sqlite database, for integration tests.
 * Fails loudly when the project venv is missing: these tests never fake the server.
 */
export async function startTestServer(): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "repro-audit-mlflow-"));
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
