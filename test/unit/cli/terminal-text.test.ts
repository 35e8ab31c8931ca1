import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { assembleReport } from "../../../harness/audit/assemble-report.js";
import { assembleRun } from "../../../harness/audit/assemble-run.js";
import { renderAuditSummary } from "../../../harness/cli/commands/audit-action.js";
import { renderTrace } from "../../../harness/cli/commands/trace-action.js";
import { createProgress } from "../../../harness/cli/progress.js";
import { terminalJson, terminalLine, terminalText } from "../../../harness/cli/terminal-text.js";
import { renderMarkdown } from "../../../harness/report/markdown.js";
import { buildTraceDocument } from "../../../harness/trace/document.js";
import { facts, meta, recordedRun, replayRecord } from "../audit/audit-factories.js";
import { rawSubject, withRun } from "../trace/recorded.js";

// Server text (run names, tags, messages quoting them) must not drive the terminal:
// clear the screen, plant an OSC-8 link, rewrite a line with CR, or flip the
// reading order with a bidi override.

const CLEAR = "\u001b[2J\u001b[H";
const OSC8 = "\u001b]8;;http://127.0.0.1:9/x\u0007click\u001b]8;;\u0007";
const HOSTILE = `evil${CLEAR}${OSC8}\u202eexe.txt\r\u009b31mred\u0007\u0000\u2066`;
/** What no terminal output may hold: C0 except LF, DEL, C1, bidi controls. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

describe("terminal text", () => {
  it("terminalLine makes every control visible, CR, LF and tab included", () => {
    const out = terminalLine(`${HOSTILE}\nsecond\tline`);
    expect(out).not.toMatch(RAW_CONTROL);
    expect(out).not.toContain("\n");
    expect(out).toContain("\\x1b[2J");
    expect(out).toContain("\\u{202E}");
    expect(out).toContain("\\x0d");
    expect(terminalLine("plain name-1 ✓ é")).toBe("plain name-1 ✓ é");
  });

  it("terminalText keeps line breaks (stderr tails) and nothing else", () => {
    const out = terminalText(`a${CLEAR}\nb\r\n`);
    expect(out).not.toMatch(RAW_CONTROL);
    expect(out.split("\n")).toHaveLength(3);
  });

  it("terminalJson escapes what JSON.stringify leaves raw (C1, bidi) and stays the same JSON", () => {
    const value = { name: HOSTILE };
    const json = terminalJson(JSON.stringify(value, null, 2));
    expect(json).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(json)).toEqual(value);
  });

  it("the trace table shows a hostile run name and tag without raw controls", () => {
    const subject = withRun(rawSubject(), (run) => {
      run.info.run_name = HOSTILE;
      run.data.tags.push({ key: "mlflow.source.name", value: HOSTILE });
    });
    const doc = buildTraceDocument([subject], {
      trackingUri: "http://127.0.0.1:5000",
      selection: { kind: "experiment", experiments: ["x"] },
      generatedAt: new Date(),
    });
    const out = renderTrace(doc, { details: true, selection: "experiment x" });
    expect(out).toContain("evil");
    expect(out).not.toMatch(RAW_CONTROL);
  });

  it("the audit summary shows a hostile run name, reason and finding without raw controls", () => {
    const run = assembleRun(
      facts({
        run: recordedRun({ runName: HOSTILE }),
        replays: [0, 1, 2].map((i) =>
          replayRecord(
            i,
            i === 0 ? { status: "failed", failure: { kind: "exit", message: `exit code 1: ${HOSTILE}` } } : {},
          ),
        ),
      }),
    );
    run.score.findings.unshift(`finding ${HOSTILE}`);
    const report = assembleReport(meta(), [run]);
    const paths = {
      dir: "/r",
      json: "/r/report.json",
      markdown: "/r/report.md",
      html: "/r/report.html",
      junit: "/r/junit.xml",
      runs: [],
    };
    const out = renderAuditSummary({
      report,
      paths,
      aborted: false,
      infrastructureErrors: [`run x: ${HOSTILE}`],
      publish: { published: [], problems: [] },
    });
    expect(out).toContain("evil");
    expect(out).not.toMatch(RAW_CONTROL);
  });

  it("progress lines (stages and replay details) carry no raw controls", () => {
    const stream = new PassThrough();
    let written = "";
    stream.on("data", (c: Buffer) => {
      written += c.toString();
    });
    const progress = createProgress(stream as unknown as NodeJS.WriteStream);
    progress.stage(`run 1/1: ${HOSTILE}`);
    progress.start(1, 0);
    progress.replayDone(0, false, HOSTILE);
    expect(written).toContain("evil");
    expect(written.replace(/\n/g, "")).not.toMatch(RAW_CONTROL);
  });

  it("Markdown reports carry no raw controls either (the report files escape on their own)", () => {
    const run = assembleRun(
      facts({
        run: recordedRun({ runName: HOSTILE, params: { [HOSTILE]: HOSTILE } }),
        replays: [0, 1, 2].map((i) =>
          replayRecord(
            i,
            i === 0
              ? { status: "failed", failure: { kind: "exit", message: HOSTILE }, stderrTail: `${HOSTILE}\n${HOSTILE}` }
              : {},
          ),
        ),
      }),
    );
    run.score.findings.push(HOSTILE);
    const md = renderMarkdown(assembleReport(meta(), [run]));
    expect(md.replace(/\n/g, "")).not.toMatch(RAW_CONTROL);
  });
});
