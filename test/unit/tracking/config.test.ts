import { describe, expect, it } from "vitest";
import { MlflowClient } from "../../../harness/tracking/client.js";
import { optionsFromEnv } from "../../../harness/tracking/config.js";
import { MlflowConfigError } from "../../../harness/tracking/errors.js";

describe("MlflowClient.fromEnv", () => {
  it("reads MLflow's variables", () => {
    expect(
      optionsFromEnv({
        MLFLOW_TRACKING_URI: "https://mlflow.example:8443/",
        MLFLOW_TRACKING_TOKEN: "t",
        MLFLOW_TRACKING_INSECURE_TLS: "true",
        MLFLOW_HTTP_REQUEST_MAX_RETRIES: "2",
        MLFLOW_HTTP_REQUEST_TIMEOUT: "30",
      }),
    ).toEqual({ baseUrl: "https://mlflow.example:8443", token: "t", insecureTls: true, retries: 2, timeoutMs: 30_000 });
    expect(
      optionsFromEnv({ MLFLOW_TRACKING_URI: "http://h", MLFLOW_TRACKING_USERNAME: "u", MLFLOW_TRACKING_PASSWORD: "p" }),
    ).toEqual({
      baseUrl: "http://h",
      username: "u",
      password: "p",
    });
    expect(MlflowClient.fromEnv({ MLFLOW_TRACKING_URI: "http://127.0.0.1:5000" }).baseUrl).toBe(
      "http://127.0.0.1:5000",
    );
  });

  it.each([
    ["sqlite:///tmp/mlflow.db", /a database.*mlflow server --backend-store-uri sqlite:\/\/\/tmp\/mlflow.db/],
    ["file:///tmp/mlruns", /a local folder/],
    ["./mlruns", /a local folder/],
    ["postgresql://u@h/db", /a database/],
    ["databricks", /a local folder/],
    ["databricks://profile", /"databricks" store/],
  ])("refuses %s and says to start a server", (uri, msg) => {
    expect(() => optionsFromEnv({ MLFLOW_TRACKING_URI: uri })).toThrow(MlflowConfigError);
    expect(() => optionsFromEnv({ MLFLOW_TRACKING_URI: uri })).toThrow(msg);
  });

  it("explains a missing URI", () => {
    expect(() => optionsFromEnv({})).toThrow(/MLFLOW_TRACKING_URI is not set.*repro-audit server start/);
  });

  it("refuses credentials inside the URI, half a basic-auth pair, and a bad boolean", () => {
    expect(() => optionsFromEnv({ MLFLOW_TRACKING_URI: "http://u:p@h" })).toThrow(/must not contain credentials/);
    expect(() => optionsFromEnv({ MLFLOW_TRACKING_URI: "http://h", MLFLOW_TRACKING_USERNAME: "u" })).toThrow(/both/);
    expect(() =>
      optionsFromEnv({ MLFLOW_TRACKING_URI: "http://h", MLFLOW_TRACKING_INSECURE_TLS: "yes please" }),
    ).toThrow(/boolean/);
  });

  it("never puts the secret in an error message", () => {
    try {
      optionsFromEnv({ MLFLOW_TRACKING_URI: "sqlite:///x.db", MLFLOW_TRACKING_TOKEN: "supersecret" });
    } catch (e) {
      expect(String(e)).not.toContain("supersecret");
    }
  });
});
