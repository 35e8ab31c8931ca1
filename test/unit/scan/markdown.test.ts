import { describe, expect, it } from "vitest";
import { aggregateProjects } from "../../../harness/scan/aggregate.js";
import type { ScanDocument, ScanProject } from "../../../harness/scan/document.js";
import { LISTING_RULE, SCAN_SCHEMA, SCAN_VERSION, SEEDING_RULE } from "../../../harness/scan/document-text.js";
import { renderScanMarkdown } from "../../../harness/scan/markdown.js";

const project = (path: string, over: Partial<ScanProject> = {}): ScanProject => ({
  path,
  listing: "walk",
  files: { python: 1, notebooks: 0, environment: 0 },
  skipped: [],
  features: [],
  hazards: [],
  ...over,
});

function doc(projects: ScanProject[]): ScanDocument {
  return {
    schema: SCAN_SCHEMA,
    version: SCAN_VERSION,
    rules: { listing: LISTING_RULE, seeding: SEEDING_RULE },
    projects,
    aggregate: aggregateProjects(projects),
  };
}

describe("scan: aggregate and Markdown", () => {
  it("gives the share of projects using each feature and showing each hazard", () => {
    const a = aggregateProjects([
      project("a", { features: [{ feature: "log_metric", file: "t.py", line: 1, callee: "mlflow.log_metric" }] }),
      project("b", { hazards: [{ kind: "unseeded-rng", file: "t.py", line: 2, why: "x" }] }),
      project("c"),
      project("d", { features: [{ feature: "log_metric", file: "u.py", line: 3, callee: "mlflow.log_metric" }] }),
    ]);
    expect(a.withTracking).toEqual({ projects: 2, share: 0.5 });
    expect(a.features.find((f) => f.feature === "log_metric")).toEqual({
      feature: "log_metric",
      projects: 2,
      share: 0.5,
    });
    expect(a.hazards.find((h) => h.kind === "unseeded-rng")).toEqual({
      kind: "unseeded-rng",
      projects: 1,
      share: 0.25,
    });
    expect(aggregateProjects([]).withHazards).toEqual({ projects: 0, share: 0 });
  });

  it("escapes paths and messages that came from the scanned code", () => {
    const md = renderScanMarkdown(
      doc([
        project("evil|<img src=x>", {
          hazards: [{ kind: "runtime-download", file: "a\u001b[2J.py", line: 3, cell: 2, why: "reads [x](http://y)" }],
        }),
      ]),
    );
    expect(md).toContain("| evil\\|\\<img src=x\\> |");
    expect(md).toContain("- a\\\\x1b\\[2J.py\\[cell 2\\]:3: data downloaded at run time: reads \\[x\\](http://y)");
    expect(md).not.toContain("\u001b");
  });
});
