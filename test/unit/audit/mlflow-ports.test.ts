import { describe, expect, it } from "vitest";
import { mlflowRunReader, readRunFromMlflow } from "../../../harness/audit/mlflow-ports.js";
import type { MlflowClient } from "../../../harness/tracking/client.js";
import { RunSchema } from "../../../harness/tracking/schemas.js";

// The audit reads each run once, in its selection; the logged-model lookup used to read
// it again only for its outputs (one request more per audited run).

const wire = RunSchema.parse({
  info: { run_id: "r1", experiment_id: "5" },
  outputs: {
    model_outputs: [
      { model_id: "m-aa", step: 0 },
      { model_id: "m-bb", step: 0 },
    ],
  },
});

function countingClient(calls: string[]): MlflowClient {
  const client = {
    getRun: async (id: string) => {
      calls.push(`getRun ${id}`);
      return wire;
    },
    searchLoggedModels: async (q: { experimentIds: string[]; filter: string }) => {
      calls.push(`searchLoggedModels ${q.experimentIds.join(",")} ${q.filter}`);
      return [{ info: { model_id: "m-aa", name: "found", source_run_id: "r1" } }];
    },
    getLoggedModel: async (id: string) => {
      calls.push(`getLoggedModel ${id}`);
      return { info: { model_id: id, name: "listed" } };
    },
  };
  return client as unknown as MlflowClient;
}

describe("mlflowRunReader.loggedModels", () => {
  it("uses the run as read (experiment, outputs) and does not read it again", async () => {
    const calls: string[] = [];
    const read = readRunFromMlflow(wire);
    const models = await mlflowRunReader(countingClient(calls)).loggedModels(read);
    expect(models).toEqual([
      { modelId: "m-aa", name: "found" },
      { modelId: "m-bb", name: "listed" },
    ]);
    expect(calls).toEqual(["searchLoggedModels 5 source_run_id = 'r1'", "getLoggedModel m-bb"]);
  });
});
