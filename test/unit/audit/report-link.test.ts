import { describe, expect, it } from "vitest";
import { reportLink } from "../../../harness/audit/report-link.js";

const RUN = { experimentId: "7", runId: "abc123" };
const PATH = "repro-audit/aud-1/report.html";

describe("reportLink", () => {
  it("is MLflow's UI page of the run's artifact on an http(s) server, under the server's base path", () => {
    expect(reportLink("http://127.0.0.1:5000", RUN, PATH)).toBe(
      `http://127.0.0.1:5000/#/experiments/7/runs/abc123/artifacts/${PATH}`,
    );
    expect(reportLink("https://ml.example.com/mlflow/", RUN, PATH)).toBe(
      `https://ml.example.com/mlflow/#/experiments/7/runs/abc123/artifacts/${PATH}`,
    );
  });

  it("never carries credentials, a query or a fragment of the tracking URI", () => {
    const link = reportLink("https://bob:hunter2@ml.example.com:8443/?token=s3cret#x", RUN, PATH);
    expect(link).toBe(`https://ml.example.com:8443/#/experiments/7/runs/abc123/artifacts/${PATH}`);
    expect(link).not.toMatch(/bob|hunter2|s3cret/);
  });

  it("keeps the artifact path for a tracking URI with no web UI address", () => {
    for (const uri of ["file:///srv/mlruns", "databricks://profile", "memory://", "./mlruns", ""])
      expect(reportLink(uri, RUN, PATH)).toBe(PATH);
  });

  it("encodes the parts it puts in the URL", () => {
    expect(reportLink("http://h", { experimentId: "7", runId: "a/b#c" }, "dir x/report.html")).toBe(
      "http://h/#/experiments/7/runs/a%2Fb%23c/artifacts/dir%20x/report.html",
    );
  });
});
