import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

import { originalEnvironment } from "../../../harness/audit/original-environment.js";
import { assembleFingerprint } from "../../../harness/fingerprint/assemble.js";
import type { Fingerprint } from "../../../harness/fingerprint/schema.js";
import { environmentFacts } from "../../../harness/report/environment-facts.js";
import { EnvironmentFactsSchema, environmentCountsText } from "../../../harness/report/fact-comparison.js";
import { renderHtml } from "../../../harness/report/html.js";
import { renderMarkdown } from "../../../harness/report/markdown.js";
import { parseReport, serializeReport } from "../../../harness/report/serialize.js";
import { container, host } from "../audit/audit-factories.js";

const c1 = "1111111111111111111111111111111111111111";
const c2 = "2222222222222222222222222222222222222222";
const replay = (commit = c1, imageId = "sha256:replay"): Fingerprint =>
  assembleFingerprint({
    executor: "docker",
    host,
    container,
    code: { commit, dirty: false },
    imageId,
    capturedAt: new Date("2025-03-01T10:00:00.000Z"),
  });
const stateOf = (facts: ReturnType<typeof environmentFacts>, fact: string) =>
  facts.facts.find((f) => f.fact === fact)?.state;

describe("environmentFacts", () => {
  it("a fact the original never recorded is not recorded — cannot compare, never the same", () => {
    const got = environmentFacts(originalEnvironment({ tags: {} }), [replay()]);
    expect(got.facts.length).toBeGreaterThan(5);
    expect(got.facts.every((f) => f.state === "not_recorded_original" && f.original === undefined)).toBe(true);
    expect(got.counts).toEqual({
      same: 0,
      differs: 0,
      not_recorded_original: got.facts.length,
      not_recorded_replays: 0,
    });
    expect(environmentCountsText(0, got.counts)).toBe(
      `0 differences, ${got.facts.length} not recorded on the original — cannot compare`,
    );
  });

  it("compares what both sides recorded: same, differs, and a split among the replays differs", () => {
    const orig = originalEnvironment({
      tags: { "mlflow.source.git.commit": c1, "mlflow.docker.image.id": "sha256:replay" },
    });
    expect(stateOf(environmentFacts(orig, [replay(), replay()]), "Git commit")).toBe("same");
    expect(stateOf(environmentFacts(orig, [replay(), replay()]), "Image")).toBe("same");
    expect(stateOf(environmentFacts(orig, [replay(c2)]), "Git commit")).toBe("differs");
    const split = environmentFacts(originalEnvironment({ tags: {} }), [replay(), replay(c2)]);
    expect(split.facts.find((f) => f.fact === "Git commit")).toMatchObject({
      state: "differs",
      replays: `${c1} (×1); ${c2} (×1)`,
    });
  });

  it("with no replay probed, what the original recorded is not recorded on the replays", () => {
    const got = environmentFacts(originalEnvironment({ tags: { "mlflow.source.git.commit": c1 } }), []);
    expect(got.facts).toEqual([{ fact: "Git commit", state: "not_recorded_replays", original: c1 }]);
    expect(environmentCountsText(0, got.counts)).toBe("0 differences, 1 not recorded on the replays — cannot compare");
    expect(EnvironmentFactsSchema.parse(JSON.parse(JSON.stringify(got)))).toEqual(got);
  });
});

describe("environment and artifact sections", () => {
  const sample = join(import.meta.dirname, "../../fixtures/report/sample-report.json");
  const doc = parseReport(readFileSync(sample, "utf8"), sample);

  it("never says 'no differences' when the original recorded nothing to compare", () => {
    const copy = structuredClone(doc);
    const run = copy.runs[0];
    if (!run) throw new Error("the sample report needs a run");
    run.fingerprints.original = { recorded: {} };
    run.fingerprintDiff = {
      changes: [],
      unified: "",
      facts: environmentFacts(run.fingerprints.original, run.fingerprints.replays),
    };
    expect(parseReport(serializeReport(copy), "copy").runs[0]?.fingerprintDiff.facts).toEqual(
      run.fingerprintDiff.facts,
    );
    const n = run.fingerprintDiff.facts?.counts.not_recorded_original ?? 0;
    expect(n).toBeGreaterThan(0);
    for (const text of [renderMarkdown(copy), renderHtml(copy)]) {
      expect(text).toContain(`0 differences, ${n} not recorded on the original — cannot compare`);
      expect(text).toContain("Nothing was compared");
      expect(text).not.toMatch(/No differences between/);
    }
  });

  it("shows a model file compared by meaning: the verdict, the differences and the ignored fields", () => {
    const copy = structuredClone(doc);
    const run = copy.runs[0];
    if (!run) throw new Error("the sample report needs a run");
    run.artifacts.push({
      path: "model/MLmodel",
      originalSha256: "a".repeat(64),
      replaySha256: ["b".repeat(64)],
      identical: false,
      semantic: {
        kind: "MLmodel",
        state: "differs",
        ignored: ["run_id", "model_uuid"],
        differences: ['replay 1: flavors.sklearn.sklearn_version: "1.9.1" → "1.8.0"'],
      },
    });
    const md = renderMarkdown(copy);
    expect(md).toContain("❌ differs (by meaning)");
    expect(md).toContain("sklearn\\_version");
    expect(md).toContain("Ignored, as they change with every logging: run\\_id, model\\_uuid.");
    expect(renderHtml(copy)).toContain("Ignored, as they change with every logging: run_id, model_uuid.");
  });
});
