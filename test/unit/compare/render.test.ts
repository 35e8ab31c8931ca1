import { describe, expect, it } from "vitest";
import { type ArmInput, assembleCompare } from "../../../harness/compare/assemble.js";
import { renderCompareHtml } from "../../../harness/compare/html.js";
import { renderCompareMarkdown } from "../../../harness/compare/markdown.js";
import { type Execution, parseCompareReport, serializeCompareReport } from "../../../harness/compare/schema.js";
import { DEFAULT_POLICY } from "../../../harness/drift/tolerance.js";
import { renderCompareSummary } from "../../../harness/cli/commands/compare-action.js";

// The compare report from executions (pure assembly), its JSON round trip, and its
// renderings: everything that came from the workload (metric names, commands,
// notes, failures) escaped in HTML and Markdown, and shown safely on a terminal.

const HOSTILE = '<script>alert("x")</script>';
const HOSTILE_METRIC = `acc<img src=x onerror=alert(1)>|*[link](http://evil)*`;
const ANSI = "\u001b[2J\u001b]8;;http://evil\u0007";

function execution(index: number, metrics: Record<string, number>, over: Partial<Execution> = {}): Execution {
  return {
    index,
    position: index + 1,
    status: "finished",
    exitCode: 0,
    metrics,
    wallSeconds: 2 + index * 0.1,
    cpuSeconds: 1.5,
    peakRssBytes: 120e6,
    writtenBytes: 16384,
    keptBytes: 4096,
    traceScore: null,
    notes: [],
    ...over,
  };
}

function arm(id: ArmInput["id"], values: number[], scale = 1, over: Partial<ArmInput> = {}): ArmInput {
  return {
    id,
    command: `python train.py --seed 42 ${HOSTILE}`,
    executions: values.map((v, i) =>
      execution(
        i,
        { [HOSTILE_METRIC]: v, rmse: 53.3 },
        {
          wallSeconds: (2 + i * 0.1) * scale,
          notes: [`note ${ANSI}${HOSTILE}`],
        },
      ),
    ),
    traced: values.map(() => null),
    ...over,
  };
}

function doc(arms: ArmInput[]) {
  return assembleCompare({
    compareId: "cmp-unit",
    createdAt: "2026-12-03T09:00:00.000Z",
    harness: { version: "0.1.0", node: "v20" },
    workload: { source: "scenario", path: `/tmp/${HOSTILE}`, name: "basic", params: { seed: HOSTILE } },
    replays: 3,
    arms,
    policy: DEFAULT_POLICY,
    measurement: { wallSeconds: "w", cpuSeconds: "c", peakRssBytes: "m", writtenBytes: "b" },
    findings: [`finding ${HOSTILE}`],
  });
}

describe("assembleCompare", () => {
  it("exit 0 when every arm is reproduced and every metric identical; ratios against the first arm", () => {
    const d = doc([arm("untracked", [0.9, 0.9, 0.9]), arm("mlflow", [0.9, 0.9, 0.9], 1.5)]);
    expect(d.outcome).toMatchObject({ agree: true, reproducible: true, exitCode: 0 });
    expect(d.equivalence.map((r) => r.verdict)).toEqual(["identical", "identical"]);
    expect(d.arms[0]?.overhead).toBeUndefined();
    expect(d.arms[1]?.overhead?.wallSeconds.ratio).toBeCloseTo(1.5, 9);
    expect(d.arms.map((a) => a.verdict?.verdict)).toEqual(["reproduced", "reproduced"]);
    expect(d.arms[0]?.traceability.score).toBe(0);
    expect(d.order).toEqual(
      [0, 1, 2].flatMap((index) => [
        { arm: "untracked", index },
        { arm: "mlflow", index },
      ]),
    );
  });

  it("exit 1 when an arm gives other values (the check found a problem), 2 when an arm did not run (it could not check)", () => {
    const differ = doc([arm("untracked", [0.9, 0.9, 0.9]), arm("mlflow", [0.8, 0.8, 0.8])]);
    expect(differ.outcome.exitCode).toBe(1);
    expect(differ.outcome.agree).toBe(false);
    expect(differ.outcome.reasons.join("\n")).toMatch(/different/);
    const refused = doc([
      arm("untracked", [0.9, 0.9, 0.9]),
      arm("mlflow", [0.9, 0.9, 0.9]),
      arm("mlflow+capture", [], 1, { refusal: "capture plugin not available: no wheel" }),
    ]);
    expect(refused.outcome.exitCode).toBe(2);
    expect(refused.outcome.reasons.join("\n")).toContain("capture plugin not available");
  });

  it("an arm whose executions fail proves nothing, even failing alike with the metrics written first: exit 2", () => {
    // Seen: an untracked form that did not turn tracking off crashed in MLflow after the
    // workload wrote metrics.json; the arm read "reproduced" and the arms "agree".
    const failing = arm("untracked", [0.9, 0.9, 0.9]);
    failing.executions = failing.executions.map((e) => ({
      ...e,
      status: "failed" as const,
      exitCode: 1,
      failure: "exit code 1: UnsupportedModelRegistryStoreURIException",
    }));
    const d = doc([failing, arm("mlflow", [0.9, 0.9, 0.9])]);
    expect(d.outcome.exitCode).toBe(2);
    expect(d.outcome.agree).toBe(false);
    expect(d.outcome.reasons.join("\n")).toMatch(
      /untracked: 3 of 3 executions failed \(first: exit code 1: Unsupported/,
    );
    expect(d.equivalence.every((r) => r.verdict !== "identical" && r.verdict !== "equivalent")).toBe(true);
  });

  it("survives the JSON round trip, NaN included", () => {
    const d = doc([arm("untracked", [0.9, Number.NaN, 0.9]), arm("mlflow", [0.9, 0.9, 0.9])]);
    const back = parseCompareReport(serializeCompareReport(d), "report.json");
    expect(back.arms[0]?.metrics.find((m) => m.name === HOSTILE_METRIC)?.values[1]).toBeNaN();
    expect(back.outcome).toEqual(d.outcome);
  });
});

describe("compare renderings escape what came from the workload", () => {
  const d = doc([arm("untracked", [0.9, 0.91, 0.89]), arm("mlflow", [0.9, 0.9, 0.9], 1.2)]);

  it("HTML: no live markup from names, commands, notes or params; the plots are there", () => {
    const page = renderCompareHtml(d);
    expect(page).not.toContain("<script>");
    expect(page).not.toContain("<img");
    expect(page).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(page).toContain("acc&lt;img src=x onerror=alert(1)&gt;");
    expect(page).not.toContain("\u001b");
    expect(page).toMatch(/<svg class="plot"[^>]*aria-label="rmse per arm"/);
    expect(page).toMatch(/aria-label="wall time ratio per arm"/);
    expect(page).toContain("Content-Security-Policy");
  });

  it("Markdown: syntax characters escaped, no raw HTML or links, tables intact", () => {
    const md = renderCompareMarkdown(d);
    // Inside a code span nothing is interpreted (commands, paths, params are shown so); outside, nothing raw.
    const outsideCode = md.replace(/(`+)[^`]*?\1/g, "");
    expect(md).toContain("`/tmp/<script>");
    expect(outsideCode).not.toMatch(/(?<!\\)<script>/);
    expect(outsideCode).not.toMatch(/(?<!\\)<img/);
    expect(md).not.toMatch(/[^\\]\[link\]\(http/);
    expect(md).toContain("\\<script\\>");
    expect(md).not.toContain("\u001b");
    // The metric's | is escaped, so each side-by-side row keeps its 3 cells.
    const row = md.split("\n").find((l) => l.startsWith(`| acc`));
    expect(row?.split(/(?<!\\)\|/).length).toBe(5);
  });

  it("terminal: controls made visible", () => {
    const text = renderCompareSummary(d);
    expect(text).not.toContain("\u001b[2J");
    expect(text).toContain("untracked");
  });
});
