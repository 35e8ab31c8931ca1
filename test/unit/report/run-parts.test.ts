import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

import { assembleReport } from "../../../harness/audit/assemble-report.js";
import { assembleRun } from "../../../harness/audit/assemble-run.js";
import { INLINE_RUNS, renderHtml } from "../../../harness/report/html.js";
import { ReportValidationError, parseRunPart } from "../../../harness/report/serialize.js";
import { readReport, writeReport } from "../../../harness/report/write.js";
import { facts, meta, recordedRun } from "../audit/audit-factories.js";

// A large audit's report: report.html is a summary that links each run's own page;
// each run's part (run-reports/NNNN/report.json and report.html) holds that run and the
// audit's head, and is what publishing attaches to the run.

const sections = (page: string) => page.match(/<section class="run"/g)?.length ?? 0;

function audit(runs: number, auditId: string) {
  return assembleReport(
    meta({}, auditId),
    Array.from({ length: runs }, (_, i) =>
      assembleRun(facts({ run: recordedRun({ runId: `run-${i}`, runName: `wine <${i}>` }) })),
    ),
  );
}

describe("report run parts", () => {
  const dir = mkdtempSync(join(tmpdir(), "repro-report-parts-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a small audit keeps every run in report.html and still writes each run's part", async () => {
    const doc = audit(2, "small");
    const paths = await writeReport(doc, dir);
    expect(sections(readFileSync(paths.html, "utf8"))).toBe(2);
    expect(paths.runs.map((r) => r.dir)).toEqual([
      join(paths.dir, "run-reports/0000"),
      join(paths.dir, "run-reports/0001"),
    ]);
    expect(readdirSync(join(paths.dir, "run-reports/0001")).sort()).toEqual(["report.html", "report.json"]);
  });

  it("above the inline limit report.html is the summary, each run on its own page that does not grow with the audit", async () => {
    const n = INLINE_RUNS + 1;
    const doc = audit(n, "large");
    const paths = await writeReport(doc, dir);
    const summary = readFileSync(paths.html, "utf8");
    expect(sections(summary)).toBe(0);
    for (let i = 0; i < n; i++)
      expect(summary).toContain(`href="run-reports/${String(i).padStart(4, "0")}/report.html"`);
    expect(summary).toContain("wine &lt;7&gt;"); // escaped as everywhere else

    const page = (p: typeof paths, i: number) => readFileSync(p.runs[i]?.html ?? "", "utf8");
    const seventh = page(paths, 7);
    expect(sections(seventh)).toBe(1);
    expect(seventh).toContain("run-7");
    expect(seventh).not.toContain("run-8");
    expect(seventh).toContain(`Run 8 of ${n}`);
    expect(seventh).toContain('http-equiv="Content-Security-Policy"');

    // The same run's page in an audit twice the size: the same size, give or take the digits of "of N".
    const bigger = await writeReport(audit(2 * n, "larger"), dir);
    expect(Math.abs(page(bigger, 7).length - seventh.length)).toBeLessThan(8);
    expect(readFileSync(bigger.html, "utf8").length).toBeLessThan(summary.length * 2.2);
  });

  it("each run's part is that run's entry of report.json with the audit's head and its position", async () => {
    const doc = audit(3, "parts");
    const paths = await writeReport(doc, dir);
    const whole = await readReport(paths.json);
    for (const [i, r] of paths.runs.entries()) {
      const part = parseRunPart(readFileSync(r.json, "utf8"), r.json);
      expect(part.schema).toBe("repro-audit/report-run");
      expect(part.position).toBe(i);
      expect(part.of).toBe(3);
      expect(part.run).toEqual(whole.runs[i]);
      expect(part.score).toEqual(whole.score);
      expect(part.auditId).toBe("parts");
    }
    expect(() => parseRunPart("{}", "x.json")).toThrow(/x\.json is not a valid run part/);
  });

  it("a run that breaks the schema part-way leaves nothing behind, and the message names it", async () => {
    const doc = audit(4, "broken");
    const bad = doc.runs[2];
    if (!bad) throw new Error("setup");
    doc.runs[2] = { ...bad, replays: bad.replays.slice(1) };
    await expect(writeReport(doc, dir)).rejects.toThrow(ReportValidationError);
    await expect(writeReport(doc, dir)).rejects.toThrow(/runs\[2\]/);
    expect(existsSync(join(dir, "broken"))).toBe(false);
  });

  it("renders the summary of 1,000 runs without their sections", () => {
    const one = audit(1, "one").runs[0];
    if (!one) throw new Error("setup");
    const runs = Array.from({ length: 1000 }, (_, i) => ({ ...one, runId: `run-${i}` }));
    const html = renderHtml(assembleReport(meta({}, "thousand"), runs));
    expect(sections(html)).toBe(0);
    expect(html.length).toBeLessThan(1000 * 2000);
  });
});
