import { existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { stopEmbeddedServer } from "../../harness/tracking/server/embedded-server.js";

// One token per `vitest run`: test files run in separate processes one after another,
// and each end-to-end file used to recompile the CLI (~12 s of tsc each, a dozen
// files). With the token, buildCli compiles once per run and later files reuse dist/.
declare module "vitest" {
  export interface ProvidedContext {
    buildToken: string;
  }
}

// It also names the run's shared MLflow server (startTestServer({ shared: true })),
// which the teardown stops.
export default function setup(project: TestProject): () => Promise<void> {
  const token = `${process.pid}-${Date.now()}`;
  project.provide("buildToken", token);
  return async () => {
    const dir = sharedServerDir(token);
    if (!existsSync(dir)) return;
    await stopEmbeddedServer(dir).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
}

/** The shared server's data folder for one `vitest run`. */
export function sharedServerDir(token: string): string {
  return join(tmpdir(), `repro-audit-shared-mlflow-${token}`);
}
