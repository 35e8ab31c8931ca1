// The header facts are the one source for what the top of the Markdown and HTML
// reports say; these tests pin the facts and check that both renderings carry them.
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { headerFacts, inputFacts, type FactPart } from "../../../harness/report/header-facts.js";
import { renderHtml } from "../../../harness/report/html.js";
import { renderMarkdown } from "../../../harness/report/markdown.js";
import { parseReport } from "../../../harness/report/serialize.js";

const SAMPLE = join(import.meta.dirname, "../../fixtures/report/sample-report.json");
const doc = parseReport(readFileSync(SAMPLE, "utf8"), SAMPLE);
const plain = (parts: readonly FactPart[]): string => parts.map((p) => ("code" in p ? p.code : p.text)).join("");

describe("headerFacts", () => {
  it("derives verdict, score and input facts from the report", () => {
    const h = headerFacts(doc);
    expect(h.verdict).toBe("not_reproduced");
    expect(h.score).toBe("0.58");
    expect(h.runs).toEqual({ total: 2, reproduced: 1, consistent_with_variance: 0, inconclusive: 0, not_reproduced: 1, failed: 0, incomplete: 0 });
    expect(h.scoreNote).toBe("");
    expect(h.resume).toBeUndefined();
    expect(inputFacts(h).map((f) => f.label)).toEqual(["Tracking server", "Selection", "Replays", "Harness", "Audit"]);
    expect(plain(h.selection.value)).toBe("experiment = wine, filter = tags.team = 'ml'");
    expect(plain(h.replays.value)).toBe("3 per run, 2 in parallel, executor docker");
    // Values from the audit are code parts (escaped by each renderer); our words are text.
    expect(h.selection.value.filter((p) => "code" in p).map((p) => ("code" in p ? p.code : ""))).toEqual([
      "experiment",
      "wine",
      "filter",
      "tags.team = 'ml'",
    ]);
  });

  it("says everything for an empty selection", () => {
    const h = headerFacts({ ...doc, inputs: { ...doc.inputs, selection: {} } });
    expect(h.selection.value).toEqual([{ text: "everything" }]);
  });

  it("is what both renderings show", () => {
    const md = renderMarkdown(doc);
    const page = renderHtml(doc);
    expect(md).toContain("- Replays: 3 per run, 2 in parallel, executor `docker`");
    expect(md).toContain("- Tracking server: `http://127.0.0.1:5000`");
    expect(page).toContain("<tr><th>Replays</th><td>3 per run, 2 in parallel, executor <code>docker</code></td></tr>");
    expect(page).toContain("<code>experiment</code> = <code>wine</code>, <code>filter</code> = <code>tags.team = &#39;ml&#39;</code>");
    expect(page).toContain('<div class="meta">Tracking server <code>http://127.0.0.1:5000</code></div>');
  });
});
