import { describe, expect, it } from "vitest";
import { isSafeRunId } from "../../../harness/audit/safe-run-id.js";

describe("isSafeRunId", () => {
  it("accepts MLflow's run IDs", () => {
    expect(isSafeRunId("0a029fde7a3a43e2b51c06e5a260c3c7")).toBe(true);
    expect(isSafeRunId("run_1-b")).toBe(true);
  });
  it("refuses anything that could leave results/<audit-id>/runs/", () => {
    for (const bad of ["..", "../x", "a/b", "a\\b", "", ".hidden", "x\u0000", "a b", "x".repeat(257)])
      expect(isSafeRunId(bad)).toBe(false);
  });
});
