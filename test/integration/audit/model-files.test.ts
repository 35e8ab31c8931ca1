import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { mlflowRunReader } from "../../../harness/audit/mlflow-ports.js";
import { originalEnvironment } from "../../../harness/audit/original-environment.js";
import { originalEvidence } from "../../../harness/audit/original-snapshot.js";
import { isHarnessArtifact, takeOriginalSnapshot } from "../../../harness/audit/run-evidence.js";
import { compareArtifacts } from "../../../harness/drift/artifacts.js";
import { MlflowClient } from "../../../harness/tracking/client.js";
import { projectDir } from "../../support/cli.js";
import { type TestServer, startTestServer } from "../../support/mlflow-server.js";
import { venvPython } from "../../support/record-run.js";

// A model saved by the real MLflow (3.x) and logged into runs: read back through the
// server the way an audit reads it, then compared. The same model logged twice must
// compare the same although its MLmodel's bytes differ (run id, uuid, time); one with
// another signature must not.

describe("model files read from a real server, compared by meaning", () => {
  let server: TestServer;
  let client: MlflowClient;
  /** the versions the last logging ran with, as the script printed them */
  let ran: { python: string; sklearn: string } | undefined;
  const logModel = async (features: number): Promise<string> => {
    const out = await execa(venvPython, [
      join(projectDir, "test/python/log_model_files.py"),
      "--tracking-uri",
      server.url,
      "--features",
      String(features),
    ]);
    const last = JSON.parse(out.stdout.trim().split("\n").at(-1) ?? "") as {
      run_id: string;
      python: string;
      sklearn: string;
    };
    ran = { python: last.python, sklearn: last.sklearn };
    return last.run_id;
  };
  const evidenceOf = async (runId: string) =>
    originalEvidence(await takeOriginalSnapshot(mlflowRunReader(client), runId), [], isHarnessArtifact);

  beforeAll(async () => {
    server = await startTestServer({ shared: true });
    client = new MlflowClient({ baseUrl: server.url });
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("the same model logged twice: MLmodel differs in bytes, not in meaning; another signature differs", async () => {
    // One after another: each is a Python process importing MLflow and sklearn.
    const ids = [await logModel(3), await logModel(3), await logModel(4)];
    const [ea, eb, ec] = await Promise.all(ids.map(evidenceOf));
    expect(Object.keys(ea?.originalArtifactTexts ?? {}).sort()).toEqual([
      "model/MLmodel",
      "model/conda.yaml",
      "model/python_env.yaml",
      "model/requirements.txt",
    ]);
    expect(ea?.originalArtifacts?.["model/MLmodel"]).not.toBe(eb?.originalArtifacts?.["model/MLmodel"]);

    const compare = (other: typeof eb) =>
      compareArtifacts(ea?.originalArtifacts, [other?.originalArtifacts], [true], {
        ...(ea?.originalArtifactTexts ? { original: ea.originalArtifactTexts } : {}),
        replays: [other?.originalArtifactTexts],
      });
    const same = compare(eb).find((x) => x.path === "model/MLmodel");
    expect(same).toMatchObject({
      identical: true,
      semantic: { state: "same", ignored: expect.arrayContaining(["run_id", "model_uuid", "utc_time_created"]) },
    });
    for (const env of ["model/conda.yaml", "model/python_env.yaml", "model/requirements.txt"])
      expect(compare(eb).find((x) => x.path === env)?.identical).toBe(true);

    const other = compare(ec).find((x) => x.path === "model/MLmodel");
    expect(other).toMatchObject({ identical: false, semantic: { state: "differs" } });
    expect(other?.semantic?.differences.join("\n")).toMatch(/signature\.inputs/);

    // What the environment comparison reads of the original: the Python and scikit-learn it ran with, from the same texts.
    const { run } = await mlflowRunReader(client).getRun(ids[0] as string);
    const versions = originalEnvironment(run, ea?.originalArtifactTexts).versions;
    expect(versions?.python).toEqual({ version: ran?.python, source: "logged model model/python_env.yaml" });
    expect(versions?.libraries.find((l) => l.name === "scikit-learn")).toEqual({
      name: "scikit-learn",
      version: ran?.sklearn,
      source: "logged model model/requirements.txt",
    });
  }, 180_000);
});
