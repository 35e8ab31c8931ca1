// An interrupted or partial audit (replays skipped, or stopped by an infrastructure
// fault) is rendered as incomplete in every format: never a green tick, a JUnit
// failure that says what is missing and how to finish it.
import { describe, expect, it } from "vitest";

import { assembleReport } from "../../../harness/audit/assemble-report.js";
import { assembleRun } from "../../../harness/audit/assemble-run.js";
import { renderHtml } from "../../../harness/report/html.js";
import { renderJunit } from "../../../harness/report/junit.js";
import { renderMarkdown } from "../../../harness/report/markdown.js";
import { RUN_VERDICT_ICON, RUN_VERDICT_LABEL } from "../../../harness/report/verdict-labels.js";
import { facts, meta, recordedRun, replayRecord } from "../audit/audit-factories.js";

const AUDIT_ID = "20250301-audit-partial";
const interrupted = () => assembleRun(facts({ replays: [replayRecord(0)] }));
const infraFailed = () =>
  assembleRun(
    facts({
      run: recordedRun({ runId: "run-i", runName: "wine-i" }),
      replays: [
        replayRecord(0),
        replayRecord(1, {
          status: "failed",
          exitCode: null,
          failure: { kind: "infrastructure", message: "tracking server unreachable" },
          metrics: {},
        }),
        replayRecord(2),
      ],
    }),
  );
const doc = (runs = [interrupted()]) => assembleReport(meta({}, AUDIT_ID), runs);

/** The <testcase> elements that carry a <failure>, as "name:type:message". */
function failures(xml: string): string[] {
  return [...xml.matchAll(/<testcase name="([^"]*)"[^>]*>\s*<failure type="([^"]*)" message="([^"]*)"/g)].map(
    (m) => `${m[1]}:${m[2]}:${m[3]}`,
  );
}

describe("an incomplete audit in every rendering", () => {
  it("the label is defined once and is not the reproduced tick", () => {
    expect(RUN_VERDICT_LABEL.incomplete).toBe("incomplete");
    expect(RUN_VERDICT_ICON.incomplete).toBe("⏸");
    expect(RUN_VERDICT_ICON.incomplete).not.toBe(RUN_VERDICT_ICON.reproduced);
  });

  it("JUnit: the interrupted run is a failing case saying what is missing and how to finish it", () => {
    const xml = renderJunit(doc());
    const f = failures(xml);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatch(
      /^wine-a\.complete:incomplete:1 of 3 replays finished; 2 did not run or were stopped by an infrastructure fault\./,
    );
    expect(f[0]).toContain(`repro-audit audit --resume ${AUDIT_ID}`);
    expect(xml).toMatch(/<testsuites [^>]*failures="1"/);
    expect(xml).toContain('<property name="verdict" value="incomplete"/>');
  });

  it("JUnit: an infrastructure-failed replay fails the run as incomplete, the replay case is an error", () => {
    const xml = renderJunit(doc([infraFailed()]));
    expect(failures(xml).map((x) => x.split(":").slice(0, 2).join(":"))).toEqual(["wine-i.complete:incomplete"]);
    expect(xml).toMatch(
      /<testcase name="wine-i\.replay-2"[^>]*>\s*<error type="infrastructure" message="tracking server unreachable"/,
    );
  });

  it("JUnit: a complete audit has no completeness case", () => {
    expect(renderJunit(doc([assembleRun(facts())]))).not.toContain('.complete"');
  });

  it("Markdown: the audit and the run say ⏸ incomplete, with no ✅ verdict, and how to finish", () => {
    const md = renderMarkdown(
      doc([interrupted(), assembleRun(facts({ run: recordedRun({ runId: "run-b", runName: "wine-b" }) }))]),
    );
    expect(md).toContain("## ⏸ Incomplete\n");
    expect(md).toContain("Audit score **1.00** over 1 of 2 runs (1 incomplete run not scored)");
    expect(md).toContain("1 of 2 runs reproduced, 1 incomplete");
    expect(md).toContain("| wine-a | run-a | ⏸ incomplete |");
    expect(md).toContain("### ⏸ incomplete: run `wine-a`");
    expect(md).toContain("<summary>⏸ incomplete: wine-a</summary>");
    expect(md).toContain(`repro-audit audit --resume ${AUDIT_ID}`);
    expect(md).not.toMatch(/✅ reproduced\*\*/);
  });

  it("Markdown: with no complete run there is no audit score", () => {
    const md = renderMarkdown(doc());
    expect(md).toContain("## ⏸ Incomplete\n");
    expect(md).toContain("Audit score **not scored** (no run is complete)");
  });

  it("HTML: the incomplete badge, not the reproduced one, and the resume command", () => {
    const page = renderHtml(doc());
    expect(page).toContain('<header class="top v-incomplete">');
    expect(page).toContain('<div class="verdict-word">incomplete</div>');
    expect(page).toContain('<span class="badge big b-incomplete">incomplete</span>');
    expect(page).not.toContain('b-reproduced">');
    expect(page).toContain(`repro-audit audit --resume ${AUDIT_ID}`);
    expect(page).toContain(": incomplete</title>");
  });
});
