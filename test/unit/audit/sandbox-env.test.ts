import { describe, expect, it } from "vitest";
import { sandboxEnv } from "../../../harness/audit/replay-runner.js";

describe("sandboxEnv: what every sealed replay's process is given", () => {
  const env = sandboxEnv("aud-1", 2);

  it("points MLflow at the replay's own file store, never a server", () => {
    expect(env["MLFLOW_TRACKING_URI"]).toMatch(/^file:\//);
    expect(env["MLFLOW_REGISTRY_URI"]).toBe(env["MLFLOW_TRACKING_URI"]);
  });

  it("turns MLflow's telemetry off, so a replay reaches for no remote endpoint", () => {
    expect(env["MLFLOW_DISABLE_TELEMETRY"]).toBe("true");
  });

  it("names the replay and the audit it belongs to", () => {
    expect([env["REPRO_AUDIT_ID"], env["REPRO_REPLAY_INDEX"]]).toEqual(["aud-1", "2"]);
  });
});
