import { describe, expect, it } from "vitest";
import {
  markdownText,
  SUMMARY_BEGIN,
  SUMMARY_END,
  summaryBlock,
  withSummary,
} from "../../../harness/audit/model-version-summary.js";
import { assembleRun } from "../../../harness/audit/assemble-run.js";
import { facts, recordedRun } from "./audit-factories.js";

const LINK = "http://127.0.0.1:5000/#/experiments/7/runs/run-a/artifacts/repro-audit/aud-1/report.html";

function block(runName = "wine-a", link = LINK): string {
  return summaryBlock({
    auditId: "aud-1",
    run: assembleRun(facts({ run: recordedRun({ runName }) })),
    reportLink: link,
  });
}

describe("summaryBlock", () => {
  it("says verdict, score, replay count, run, audit id and links the report, between the markers", () => {
    const text = block();
    expect(text.split("\n")).toEqual([
      SUMMARY_BEGIN,
      "**Reproducibility audit: ✅ reproduced** (score 1.000, 3 replays)",
      "",
      `Run wine\\-a (\`run-a\`), audit \`aud-1\`: [report](${LINK})`,
      SUMMARY_END,
    ]);
  });

  it("shows a report that has no web address as its artifact path", () => {
    expect(block("r", "repro-audit/aud-1/report.html")).toContain("report: `repro-audit/aud-1/report.html`");
  });

  it("neutralises a run name from the server: no markup, no HTML, no marker, no new line", () => {
    const hostile = `x](http://evil)\n# big\n<img src=x onerror=alert(1)> ${SUMMARY_END} *b* \`c\``;
    const text = block(hostile);
    const body = text.slice(SUMMARY_BEGIN.length, -SUMMARY_END.length);
    expect(body).not.toContain("<");
    expect(body).not.toContain(SUMMARY_END);
    expect(body).not.toMatch(/\n#/);
    expect(body).not.toContain("](http://evil)");
    expect(text.split("\n")).toHaveLength(5);
  });
});

describe("markdownText", () => {
  it("escapes Markdown punctuation and HTML, flattens line breaks", () => {
    expect(markdownText("a_b*c [d](e) <f> & #g\nh")).toBe("a\\_b\\*c \\[d\\]\\(e\\) &lt;f&gt; &amp; \\#g h");
  });
});

describe("withSummary", () => {
  const b1 = `${SUMMARY_BEGIN}\none\n${SUMMARY_END}`;
  const b2 = `${SUMMARY_BEGIN}\ntwo\n${SUMMARY_END}`;

  it("appends after the author's text, and is the whole description when there is none", () => {
    expect(withSummary("Author's text.\n", b1)).toBe(`Author's text.\n\n${b1}`);
    expect(withSummary("", b1)).toBe(b1);
    expect(withSummary(undefined, b1)).toBe(b1);
  });

  it("replaces only the harness's earlier block; the author's text around it stays", () => {
    const before = `Intro.\n\n${b1}\n\nLater note.`;
    expect(withSummary(before, b2)).toBe(`Intro.\n\nLater note.\n\n${b2}`);
    expect(withSummary(withSummary("Intro.", b1), b2)).toBe(`Intro.\n\n${b2}`);
  });

  it("leaves an unpaired marker as the author's text", () => {
    const broken = `Intro ${SUMMARY_BEGIN} and more`;
    expect(withSummary(broken, b1)).toBe(`${broken}\n\n${b1}`);
  });

  it("is idempotent: the same block again changes nothing", () => {
    const once = withSummary("Intro.", b1);
    expect(withSummary(once, b1)).toBe(once);
  });
});
