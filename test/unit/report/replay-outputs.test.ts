import { describe, expect, it } from "vitest";
import { assembleReport } from "../../../harness/audit/assemble-report.js";
import { assembleRun } from "../../../harness/audit/assemble-run.js";
import type { WorkTreeOutput, WorkTreeRecord } from "../../../harness/exec/work-tree-diff.js";
import { renderHtml } from "../../../harness/report/html.js";
import { renderMarkdown } from "../../../harness/report/markdown.js";
import { contentText, outputRows } from "../../../harness/report/replay-outputs.js";
import { parseReport, serializeReport } from "../../../harness/report/serialize.js";
import { facts, meta, replayRecord } from "../audit/audit-factories.js";

// The files replays wrote in their own copies of the code: in the report JSON per
// replay, and in Markdown/HTML one row per path, escaped and capped.

const sha = (c: string) => c.repeat(64);
const out = (path: string, over: Partial<WorkTreeOutput> = {}): WorkTreeOutput => ({
  path,
  change: "added",
  kind: "file",
  size: 8,
  sha256: sha("a"),
  ...over,
});
const tree = (outputs: WorkTreeOutput[], over: Partial<WorkTreeRecord> = {}): WorkTreeRecord => ({
  copied: true,
  outputs,
  omitted: 0,
  notes: [],
  ...over,
});

function docWith(trees: Array<WorkTreeRecord | undefined>) {
  const replays = trees.map((t, i) => replayRecord(i, t ? { workTree: t } : {}));
  return assembleReport(meta({ replays: trees.length }), [assembleRun(facts({ replays }, trees.length))]);
}

describe("a replay's outputs in the report", () => {
  it("are kept per replay in the JSON, and read back", () => {
    const doc = docWith([tree([out("outputs/x.txt")]), tree([out("outputs/x.txt")], { omitted: 3 })]);
    const back = parseReport(serializeReport(doc), "report.json");
    expect(back.runs[0]?.replays.map((r) => r.outputs)).toEqual([
      { files: [out("outputs/x.txt")], omitted: 0 },
      { files: [out("outputs/x.txt")], omitted: 3 },
    ]);
  });

  it("are absent for a replay without a copy (an older journal, or code too big to copy)", () => {
    const doc = docWith([undefined, tree([], { copied: false, notes: ["too big"] })]);
    expect(doc.runs[0]?.replays.map((r) => r.outputs)).toEqual([undefined, undefined]);
    expect(renderMarkdown(doc)).not.toContain("Files the replays wrote");
    // What the copy noticed is a finding, once, with the replays it came from.
    expect(doc.runs[0]?.score.findings).toContain("work tree (replay 2): too big");
  });

  it("read as one row per path with the replays that wrote it; differing contents are named", () => {
    const doc = docWith([
      tree([out("outputs/x.txt"), out("model.pkl", { sha256: sha("b") })]),
      tree([out("outputs/x.txt"), out("model.pkl", { sha256: sha("c") })]),
    ]);
    const { rows, more, withCopy } = outputRows(doc.runs[0] ?? { replays: [] }, 10);
    expect(withCopy).toBe(2);
    expect(more).toBe(0);
    expect(rows.map((r) => [r.path, r.replays, contentText(r)])).toEqual([
      ["model.pkl", [1, 2], "differs between replays (2 different sha256)"],
      ["outputs/x.txt", [1, 2], `sha256 ${"a".repeat(12)}`],
    ]);
    const md = renderMarkdown(doc);
    expect(md).toContain("### Files the replays wrote");
    expect(md).toContain("| outputs/x.txt | added | 8 B | sha256 aaaaaaaaaaaa | all 2 |");
  });

  it("are capped, the rest counted, in Markdown and HTML", () => {
    const many = Array.from({ length: 60 }, (_, i) => out(`out/${String(i).padStart(2, "0")}.txt`));
    const doc = docWith([tree(many, { omitted: 5 })]);
    const md = renderMarkdown(doc);
    expect(md).toContain("| out/09.txt |");
    expect(md).not.toContain("| out/10.txt |");
    expect(md).toContain("_…and 55 more (see report.html or report.json)._");
    const html = renderHtml(doc);
    expect(html).toContain("<code>out/49.txt</code>");
    expect(html).not.toContain("<code>out/50.txt</code>");
    expect(html).toContain("…and 15 more (see report.json).");
  });

  it("are escaped: a path is the workload's text", () => {
    const doc = docWith([tree([out("<img src=x onerror=alert(1)>|`x`.txt")])]);
    const html = renderHtml(doc);
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    const md = renderMarkdown(doc);
    expect(md).toContain("\\<img src=x onerror=alert(1)\\>\\|\\`x\\`.txt");
    // The table keeps its five columns: the path's "|" cannot open a sixth.
    const row = md.split("\n").find((l) => l.includes("img src=x")) ?? "";
    expect(row.replace(/\\\|/g, "").split("|")).toHaveLength(7);
  });
});
