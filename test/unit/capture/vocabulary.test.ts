import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CaptureArtifacts, Tags } from "../../../harness/tracking/tags.js";

// The capture plugin is Python and cannot import tags.ts; its vocabulary.json holds
// the names it writes, keyed like Tags and CaptureArtifacts. One concept, one name:
// this fails when the two sides drift apart.
const Vocabulary = z.object({
  tags: z.record(z.string(), z.string()),
  artifacts: z.record(z.string(), z.string()),
});
const vocabulary = Vocabulary.parse(
  JSON.parse(
    readFileSync(new URL("../../../harness/capture/repro_audit_capture/vocabulary.json", import.meta.url), "utf8"),
  ),
);

describe("the capture plugin's vocabulary", () => {
  it("names every tag as Tags does", () => {
    const tags: Record<string, string> = Tags;
    const differ = Object.entries(vocabulary.tags).filter(([key, name]) => tags[key] !== name);
    expect(differ).toEqual([]);
    expect(Object.keys(vocabulary.tags).length).toBeGreaterThan(5);
  });

  it("names the artifacts as CaptureArtifacts does, no more and no fewer", () => {
    expect(vocabulary.artifacts).toEqual({ ...CaptureArtifacts });
  });

  it("writes only repro.* names and MLflow's git tags", () => {
    const foreign = Object.values(vocabulary.tags).filter(
      (n) => !n.startsWith("repro.") && !n.startsWith("mlflow.source.git."),
    );
    expect(foreign).toEqual([]);
  });
});
