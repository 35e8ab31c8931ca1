import { describe, expect, it } from "vitest";
import { firstCellDiffs, notebookFindings, notebookSummaryText } from "../../../harness/report/notebook-findings.js";
import type { ReportNotebook } from "../../../harness/report/schema.js";
import { renderHtml } from "../../../harness/report/html.js";
import { renderMarkdown } from "../../../harness/report/markdown.js";
import { loadSampleReport } from "../../fixtures/report/hostile.js";

const diff = "--- original\n+++ replay 1\n@@ -1,1 +1,1 @@\n-[stdout] <b>a</b>\n+[stdout] ``` b";
const nb: ReportNotebook = {
  path: "basic.ipynb",
  evidence: "scenario",
  reference: "replay 1",
  originalRecorded: false,
  cells: 5,
  replays: [
    { replay: 2, differing: [{ index: 4, id: "basic-3", diff, truncated: false }] },
    {
      replay: 3,
      differing: [],
      failure: { cell: 6, cellId: "basic-5", ename: "ValueError", evalue: "<script>x</script>" },
    },
  ],
  problems: [],
};

describe("notebook findings and renderings", () => {
  it("says the original's outputs were not recorded, where each replay diverged and which cell failed how", () => {
    expect(notebookFindings(nb)).toEqual([
      "notebook: original's cell outputs not recorded (no executed notebook among its artifacts): replays compared with replay 1",
      "notebook: replay 2 first differs from replay 1 at cell 4 (id basic-3)",
      "notebook: replay 3 failed at cell 6 (id basic-5): ValueError: <script>x</script>",
    ]);
    expect(notebookSummaryText(nb)).toBe(
      "basic.ipynb: 5 code cells of each replay compared with replay 1 (original's cell outputs not recorded); 1 of 2 compared replays differ",
    );
    expect(firstCellDiffs(nb, 5).map((d) => d.replay)).toEqual([2]);
  });

  it("shows the first differing cell's diff escaped in HTML and fenced in Markdown", () => {
    const doc = loadSampleReport();
    const [first, ...rest] = doc.runs;
    if (!first) throw new Error("sample report has no run");
    const withNb = { ...doc, runs: [{ ...first, notebook: nb }, ...rest] };
    const html = renderHtml(withNb);
    expect(html).toContain("<h3>Notebook cells</h3>");
    expect(html).toContain('<span class="del">-[stdout] &lt;b&gt;a&lt;/b&gt;</span>');
    expect(html).not.toContain("<b>a</b>");
    const md = renderMarkdown(withNb);
    expect(md).toContain("### Notebook cells");
    expect(md).toContain("Replay 2 first differs at cell 4 (id `basic-3`):");
    expect(md).toContain("````diff\n--- original");
  });
});
