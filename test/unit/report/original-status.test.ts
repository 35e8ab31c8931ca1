import { describe, expect, it } from "vitest";
import { assembleReport } from "../../../harness/audit/assemble-report.js";
import { assembleRun } from "../../../harness/audit/assemble-run.js";
import { renderHtml } from "../../../harness/report/html.js";
import { renderMarkdown } from "../../../harness/report/markdown.js";
import { facts, meta, recordedRun } from "../audit/audit-factories.js";

describe("the original's recorded status in the reports", () => {
  const doc = assembleReport(meta({ replays: 3 }), [assembleRun(facts({ run: recordedRun({ status: "FAILED" }) }))]);

  it("is shown in Markdown beside the run id", () => {
    expect(renderMarkdown(doc)).toContain("· original `FAILED` (its MLflow status) ·");
  });

  it("is shown in HTML, escaped as any recorded text", () => {
    expect(renderHtml(doc)).toContain(" · original <code>FAILED</code> (its MLflow status) · ");
  });

  it("is absent when the run carries none", () => {
    const none = assembleReport(meta({ replays: 3 }), [assembleRun(facts())]);
    expect(renderMarkdown(none)).not.toContain("its MLflow status");
  });
});
