// The verdict states in every rendering: the word and colour lead, JUnit agrees
// with the exit code's gate, and the Markdown fits a pull-request comment.
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import type { ReplayRecord } from "../../../harness/drift/schema.js";
import { passesGate, scoreAudit, scoreRun } from "../../../harness/drift/score.js";
import { DEFAULT_POLICY } from "../../../harness/drift/tolerance.js";
import { renderHtml } from "../../../harness/report/html.js";
import { renderJunit } from "../../../harness/report/junit.js";
import { MARKDOWN_BUDGET, renderMarkdown } from "../../../harness/report/markdown.js";
import { type Report, type ReportRun, runScoreParts } from "../../../harness/report/schema.js";
import { parseReport } from "../../../harness/report/serialize.js";

const SAMPLE = join(import.meta.dirname, "../../fixtures/report/sample-report.json");
const sample = (): Report => parseReport(readFileSync(SAMPLE, "utf8"), SAMPLE);
const rep = (metrics: Record<string, number>): ReplayRecord => ({ ok: true, metrics });

/** Scenarios, each scored by the real rules. */
const SCENARIOS = {
  reproduced: {
    original: { rmse: 0.5, r2: 0.9 },
    replays: [rep({ rmse: 0.5, r2: 0.9 }), rep({ rmse: 0.5, r2: 0.9 }), rep({ rmse: 0.5, r2: 0.9 })],
  },
  consistent_with_variance: {
    original: { rmse: 0.52, r2: 0.88 },
    replays: [rep({ rmse: 0.5, r2: 0.9 }), rep({ rmse: 0.55, r2: 0.85 }), rep({ rmse: 0.53, r2: 0.87 })],
  },
  // the case: the original better than all three replays on both metrics
  inconclusive: {
    original: { rmse: 51.5, r2: 0.488 },
    replays: [rep({ rmse: 53.1, r2: 0.466 }), rep({ rmse: 55.0, r2: 0.45 }), rep({ rmse: 58.9, r2: 0.43 })],
  },
  not_reproduced: {
    original: { rmse: 0.9, r2: 0.9 },
    replays: [rep({ rmse: 0.5, r2: 0.9 }), rep({ rmse: 0.5, r2: 0.9 }), rep({ rmse: 0.5, r2: 0.9 })],
  },
} as const;

function withRuns(doc: Report, kinds: readonly (keyof typeof SCENARIOS)[], longReason = false): Report {
  const base = doc.runs[0] as ReportRun;
  const runs = kinds.map((k, i): ReportRun => {
    const s = SCENARIOS[k];
    const score = scoreRun({
      runId: `run${i}`,
      original: { metrics: { ...s.original } },
      replays: s.replays,
      policy: DEFAULT_POLICY,
    });
    const parts = runScoreParts(score);
    if (longReason)
      parts.score.reason = `${parts.score.reason} ${"A deliberately long reason that must wrap instead of being clipped at any width. ".repeat(6)}`;
    return { ...base, runId: `${String(i).padStart(32, "0")}`, runName: `${k}-${i}`, ...parts, histories: {} };
  });
  return {
    ...doc,
    runs,
    score: scoreAudit(runs.map((r) => ({ runId: r.runId, metrics: r.metrics, artifacts: r.artifacts, ...r.score }))),
  };
}

function junitFailing(xml: string, run: string): boolean {
  const suite = xml.split("<testsuite ").find((s) => s.includes(`name="${run}"`)) ?? "";
  const m = /failures="(\d+)" errors="(\d+)"/.exec(suite);
  return m !== null && (Number(m[1]) > 0 || Number(m[2]) > 0);
}

describe("verdict states in the renderings", () => {
  const kinds = Object.keys(SCENARIOS) as (keyof typeof SCENARIOS)[];
  const doc = withRuns(sample(), kinds);

  it("scores the scenarios as named (the inputs of the checks below)", () => {
    expect(doc.runs.map((r) => r.score.verdict)).toEqual(kinds);
  });

  it("JUnit fails a run exactly when its verdict fails the gate (the exit code's rule)", () => {
    const xml = renderJunit(doc);
    for (const r of doc.runs)
      expect(junitFailing(xml, r.runName ?? r.runId), r.score.verdict).toBe(!passesGate(r.score.verdict));
    // a differing artifact alone never fails a passing run
    const art = withRuns(sample(), ["reproduced"]);
    (art.runs[0] as ReportRun).artifacts = [
      { path: "model.pkl", originalSha256: "a", replaySha256: ["b", "a", "a"], identical: false },
    ];
    expect(junitFailing(renderJunit(art), "reproduced-0")).toBe(false);
    // the optimistic original fails through a run-level case, with the run's reason
    expect(xml).toContain('name="inconclusive-2.verdict"');
  });

  it("Markdown leads with the audit's verdict word and its reason, and names each run's verdict first", () => {
    const md = renderMarkdown(doc);
    const lines = md.split("\n");
    expect(lines[2]).toBe("## ❌ Not reproduced");
    expect(lines[4]).toMatch(
      /^Of 4 runs: 1 reproduced, 1 consistent with run-to-run variance, 1 inconclusive, 1 not reproduced; first to look at: not\\_reproduced-3/,
    );
    expect(md).toContain(
      "<summary>🟠 consistent with run\\-to\\-run variance: consistent\\_with\\_variance-1</summary>".replace(
        "run\\-to\\-run",
        "run-to-run",
      ),
    );
    expect(md).toContain("### ❔ inconclusive: run `inconclusive-2`");
    // per-metric: each replay's value with its signed change, and the rank
    expect(md).toContain("53.1 (+1.6 / +3.11%)<br>55 (+3.5 / +6.8%)<br>58.9 (+7.4 / +14.4%)");
    expect(md).toContain("better than 3 of 3 replays (lower is better), one-sided p = 0.25");
    // within variance is never the green tick
    expect(md).not.toMatch(/✅ consistent/);
  });

  it("HTML leads with the verdict word in its colour class and gives the reason a full-width row", () => {
    const page = renderHtml(withRuns(sample(), ["consistent_with_variance"]));
    expect(page).toMatch(
      /<header class="top v-consistent_with_variance">\s*<div class="verdict-lead">\s*<div class="verdict-word">consistent with run-to-run variance<\/div>/,
    );
    expect(page).toContain('<tr class="why"><td colspan="7">');
    expect(page).not.toContain("<th>Reason</th>");
  });
});

describe("Markdown fits a pull-request comment", () => {
  it("50 runs stay under 65,536 characters, worst runs first when something must go", () => {
    const kinds = Array.from(
      { length: 50 },
      (_, i) =>
        (["reproduced", "consistent_with_variance", "inconclusive", "not_reproduced"] as const)[
          i % 4
        ] as keyof typeof SCENARIOS,
    );
    const doc = withRuns(sample(), kinds, true);
    const md = renderMarkdown(doc);
    console.log(`50 runs: ${md.length} characters of Markdown, ${/_(\d+) more run/.exec(md)?.[1] ?? 0} runs left out`);
    expect(md.length).toBeLessThanOrEqual(65_536);
    expect(md.length).toBeLessThanOrEqual(MARKDOWN_BUDGET);
    // the overview still lists every run
    for (const r of doc.runs) expect(md).toContain(r.runId);
    const left = /_(\d+) more runs? \(the best-scoring ones\) are left out/.exec(md);
    const sections = [...md.matchAll(/^### \S+ ([a-z ]+|[a-z-]+ [a-z -]+): run `/gmu)].length;
    if (left !== null) {
      expect(sections + Number(left[1])).toBe(50);
      // every not-reproduced run is shown before any reproduced one
      const firstReproduced = md.indexOf("### ✅ reproduced: run");
      const lastNot = md.lastIndexOf("### ❌ not reproduced: run");
      expect(firstReproduced === -1 || lastNot < firstReproduced).toBe(true);
    } else {
      expect(sections).toBe(50);
    }
    // a small budget forces the cut and keeps the worst
    const cut = renderMarkdown(doc, 30_000);
    expect(cut.length).toBeLessThanOrEqual(30_000);
    expect(cut).toMatch(/more runs \(the best-scoring ones\) are left out/);
    expect(cut).toContain("### ❌ not reproduced: run");
    expect(cut).not.toContain("### ✅ reproduced: run");
  });
});
