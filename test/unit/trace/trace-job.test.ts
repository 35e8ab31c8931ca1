import { describe, expect, it } from "vitest";
import { BadInputError } from "../../../harness/errors.js";
import { traceJob, type TraceJobOptions } from "../../../harness/trace/trace-job.js";

// A client that knows one experiment with no runs: only the calls traceJob reaches
// before it finds the selection empty are answered.
const emptyExperiment = {
  getExperimentByName: async (name: string) => (name === "wine" ? { experiment_id: "7", name: "wine" } : undefined),
  searchRuns: async () => [],
} as unknown as TraceJobOptions["client"];

describe("traceJob", () => {
  it("refuses a selection that matches no run, naming it and the server", async () => {
    const job = traceJob({ selection: { kind: "experiment", experiments: ["wine"] }, trackingUri: "http://mlflow:5000", client: emptyExperiment });
    await expect(job).rejects.toBeInstanceOf(BadInputError);
    await expect(job).rejects.toThrow('experiment "wine" matched no runs on http://mlflow:5000');
  });
});
