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
    expect(h.runs).toEqual({
      total: 2,
      reproduced: 1,
      consistent_with_variance: 0,
      inconclusive: 0,
      not_reproduced: 1,
      failed: 0,
      incomplete: 0,
    });
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

  it("says an auto count as the range the runs got, with its budget, in both renderings", () => {
    const [a, b] = doc.runs;
    if (a === undefined || b === undefined) throw new Error("the sample has two runs");
    const five = {
      ...b,
      replays: [...b.replays, ...b.replays.slice(0, 2).map((r, i) => ({ ...r, index: b.replays.length + i }))],
    };
    const auto = { ...doc, inputs: { ...doc.inputs, replays: five.replays.length, maxReplays: 20 }, runs: [a, five] };
    const h = headerFacts(auto);
    expect(`${a.replays.length}-${five.replays.length}`).toBe("3-5");
    expect(h.replaysPerRun).toBe("3–5");
    expect(plain(h.replays.value)).toBe("3–5 per run (auto, at most 20), 2 in parallel, executor docker");
    expect(renderMarkdown(auto)).toContain("· 3–5 replays per run (auto, at most 20)");
    expect(renderHtml(auto)).toContain("replays per run (auto, ≤ 20)");
    // A fixed count reads as before.
    expect(headerFacts(doc).replaysPerRun).toBe("3");
    expect(headerFacts(doc).maxReplays).toBeUndefined();
  });

  it("several engines: each with its limit and, when it went down, why; one engine or none reads as before", () => {
    const engines = [
      { name: "unix:///var/run/docker.sock", parallel: 2 },
      { name: "ssh://ci@build-2", parallel: 1, down: "connect ECONNREFUSED" },
    ];
    const two = { ...doc, inputs: { ...doc.inputs, engines } };
    expect(plain(headerFacts(two).replays.value)).toBe(
      "3 per run, 2 in parallel, executor docker, engines unix:///var/run/docker.sock (2), ssh://ci@build-2 (1, down: connect ECONNREFUSED)",
    );
    expect(renderHtml(two)).toContain("2 engines (1 down)");
    const one = { ...doc, inputs: { ...doc.inputs, engines: engines.slice(0, 1) } };
    expect(plain(headerFacts(one).replays.value)).toBe("3 per run, 2 in parallel, executor docker");
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
    expect(page).toContain(
      "<code>experiment</code> = <code>wine</code>, <code>filter</code> = <code>tags.team = &#39;ml&#39;</code>",
    );
    expect(page).toContain('<div class="meta">Tracking server <code>http://127.0.0.1:5000</code></div>');
  });
});
