import { execa } from "execa";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MlflowClient } from "../../../harness/tracking/client.js";
import { MlflowUnreachableError } from "../../../harness/tracking/errors.js";

// MLFLOW_TRACKING_INSECURE_TLS against a real TLS endpoint with a self-signed
// certificate (a loopback https server answering like MLflow's get-by-name).

const openssl = await execa("openssl", ["version"]).then(
  () => true,
  () => false,
);
if (!openssl)
  console.warn("[tracking] SKIPPING insecure-TLS tests: no openssl binary to make a self-signed certificate");

describe.skipIf(!openssl)("insecure TLS", () => {
  let dir: string;
  let server: Server;
  let url: string;
  const auths: (string | undefined)[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "tls-"));
    await execa("openssl", [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      "/CN=127.0.0.1",
      "-days",
      "1",
      "-keyout",
      path.join(dir, "key.pem"),
      "-out",
      path.join(dir, "cert.pem"),
    ]);
    server = createServer(
      { key: await readFile(path.join(dir, "key.pem")), cert: await readFile(path.join(dir, "cert.pem")) },
      (req, res) => {
        auths.push(req.headers.authorization);
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ experiment: { experiment_id: "7", name: "tls" } }));
      },
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("refuses a self-signed certificate by default", async () => {
    const c = new MlflowClient({ baseUrl: url, retries: 0 });
    await expect(c.getExperimentByName("tls")).rejects.toBeInstanceOf(MlflowUnreachableError);
  });

  it("accepts it with MLFLOW_TRACKING_INSECURE_TLS=true, auth header included", async () => {
    const c = MlflowClient.fromEnv({
      MLFLOW_TRACKING_URI: url,
      MLFLOW_TRACKING_INSECURE_TLS: "true",
      MLFLOW_TRACKING_TOKEN: "tok",
    });
    const exp = await c.getExperimentByName("tls");
    expect(exp?.experiment_id).toBe("7");
    expect(auths.at(-1)).toBe("Bearer tok");
  });
});
