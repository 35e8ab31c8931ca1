import { describe, expect, it } from "vitest";
import { assembleReport } from "../../../harness/audit/assemble-report.js";
import { assembleRun } from "../../../harness/audit/assemble-run.js";
import { stripUrlCredentialsDeep } from "../../../harness/fingerprint/redact.js";
import { renderHtml } from "../../../harness/report/html.js";
import { renderJunit } from "../../../harness/report/junit.js";
import { renderMarkdown } from "../../../harness/report/markdown.js";
import { serializeReport } from "../../../harness/report/serialize.js";
import { buildChecklist } from "../../../harness/trace/checklist.js";
import { buildTraceDocument } from "../../../harness/trace/document.js";
import { rawSubject, withRun } from "../trace/recorded.js";
import { facts, meta, recordedRun, replayRecord } from "./audit-factories.js";

// A password in a server-provided URL (the git remote MLflow records, a dataset
// source, a message quoting either) must not reach any output the harness writes.

const REPO_URL = "https://alice:hunter2@git.example.com/team/repo.git";

const subjectWithRepoUrl = () =>
  withRun(rawSubject(), (run) => {
    run.data.tags.push({ key: "mlflow.source.git.repoURL", value: REPO_URL });
    run.data.tags.push({ key: "mlflow.source.name", value: `${REPO_URL}#train.py` });
  });

describe("URL credentials from the server", () => {
  it("stripUrlCredentialsDeep cleans strings and keys at any depth, and leaves other values as they are", () => {
    const out = stripUrlCredentialsDeep({ a: [REPO_URL, 1, null, { [REPO_URL]: true }], n: Number.NaN, s: "plain" });
    expect(JSON.stringify(out)).not.toContain("hunter2");
    expect(out.a[0]).toBe("https://git.example.com/team/repo.git");
    expect(out.a[1]).toBe(1);
    expect(Number.isNaN(out.n)).toBe(true);
    expect(out.s).toBe("plain");
  });

  it("the trace document (table and --json) does not carry the password of mlflow.source.git.repoURL", () => {
    const doc = buildTraceDocument([subjectWithRepoUrl()], {
      trackingUri: "http://127.0.0.1:5000",
      selection: { kind: "experiment", experiments: ["x"] },
      generatedAt: new Date("2025-01-02T03:04:05Z"),
    });
    const json = JSON.stringify(doc);
    expect(json).not.toContain("hunter2");
    expect(json).toContain("https://git.example.com/team/repo.git");
  });

  it("no report format carries it: checklist detail, original fingerprint, findings, messages", () => {
    const traceItems = buildChecklist(subjectWithRepoUrl());
    expect(JSON.stringify(traceItems)).toContain("hunter2"); // the checklist itself quotes the tag as given
    const run = assembleRun(
      facts({
        run: recordedRun({ tags: { "mlflow.source.git.repoURL": REPO_URL } }),
        traceItems,
        replays: [0, 1, 2].map((i) =>
          replayRecord(
            i,
            i === 2
              ? {
                  status: "failed",
                  failure: { kind: "exit", message: `exit code 1: cannot fetch ${REPO_URL}` },
                  stderrTail: `fatal: ${REPO_URL}`,
                }
              : {},
          ),
        ),
      }),
    );
    run.score.findings.push(`cloned from ${REPO_URL}`);
    const doc = assembleReport(meta(), [run]);
    for (const [format, text] of [
      ["json", serializeReport(doc)],
      ["markdown", renderMarkdown(doc)],
      ["html", renderHtml(doc)],
      ["junit", renderJunit(doc)],
    ] as const) {
      expect(text, format).not.toContain("hunter2");
    }
  });
});
