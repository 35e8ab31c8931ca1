import { describe, expect, it } from "vitest";
import { BadInputError } from "../../../harness/errors.js";
import type { Selection } from "../../../harness/selection/selection.js";
import type { TraceReader } from "../../../harness/trace/ports.js";
import { traceJob } from "../../../harness/trace/trace-job.js";
import { mlflowTraceReader } from "../../../harness/trace/mlflow-reader.js";
import { fullSubject, rawSubject } from "./recorded.js";

const selection: Selection = { kind: "experiment", experiments: ["wine"] };

// A reader that holds subjects in memory: the job needs no tracker to run.
const inMemory = (subjects: ReturnType<typeof fullSubject>[]): TraceReader & { asked: number[] } => {
  const asked: number[] = [];
  return {
    asked,
    subjects: async (_sel, { concurrency }) => {
      asked.push(concurrency);
      return subjects;
    },
  };
};

describe("traceJob", () => {
  it("refuses a selection that matches no run, naming it and the server", async () => {
    const job = traceJob({ selection, trackingUri: "http://mlflow:5000", reader: inMemory([]) });
    await expect(job).rejects.toBeInstanceOf(BadInputError);
    await expect(job).rejects.toThrow('experiment "wine" matched no runs on http://mlflow:5000');
  });

  it("builds the document from the reader's subjects, in its order, passing the concurrency on", async () => {
    const reader = inMemory([rawSubject(), fullSubject()]);
    const doc = await traceJob({
      selection,
      trackingUri: "http://u:p@mlflow:5000",
      reader,
      concurrency: 3,
      generatedAt: new Date(0),
    });
    expect(doc.runs.map((r) => r.runId)).toEqual([rawSubject().run.runId, fullSubject().run.runId]);
    expect(doc.trackingUri).toBe("http://mlflow:5000");
    expect(reader.asked).toEqual([3]);
  });

  it("over MLflow: an experiment without runs is refused before anything is collected", async () => {
    // Only the calls made before the selection turns out empty are answered.
    const emptyExperiment = {
      getExperimentByName: async (name: string) => (name === "wine" ? { experiment_id: "7", name: "wine" } : undefined),
      searchRuns: async () => [],
    } as unknown as Parameters<typeof mlflowTraceReader>[0];
    const job = traceJob({ selection, trackingUri: "http://mlflow:5000", reader: mlflowTraceReader(emptyExperiment) });
    await expect(job).rejects.toThrow('experiment "wine" matched no runs on http://mlflow:5000');
  });
});
