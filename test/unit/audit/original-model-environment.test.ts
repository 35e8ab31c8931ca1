import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

import { assembleReport } from "../../../harness/audit/assemble-report.js";
import { assembleRun } from "../../../harness/audit/assemble-run.js";
import { originalEvidence } from "../../../harness/audit/original-snapshot.js";
import { takeOriginalSnapshot } from "../../../harness/audit/run-evidence.js";
import { renderHtml } from "../../../harness/report/html.js";
import { renderMarkdown } from "../../../harness/report/markdown.js";
import type { ReportRun } from "../../../harness/report/schema.js";
import { parseReport, serializeReport } from "../../../harness/report/serialize.js";
import { InMemoryTracking } from "../../support/in-memory-tracking.js";
import { facts, meta } from "./audit-factories.js";

// The original's logged model recorded its Python and library versions (MLflow's
// python_env.yaml, requirements.txt, conda.yaml, MLmodel): the report must set them
// against what the replays ran, not say "not recorded" or "no differences".
// The files are the real MLflow 3 ones in test/fixtures/model-files (recorded on
// CPython 3.11.7, as the replays' container fixture); the older original is the same
// files as MLflow writes them on 3.9.18 with scipy 1.13.1.

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/model-files/${name}`, import.meta.url), "utf8");
const sameAsReplays: Record<string, string> = {
  "model/MLmodel": fixture("MLmodel"),
  "model/conda.yaml": fixture("conda.yaml"),
  "model/python_env.yaml": fixture("python_env.yaml"),
  "model/requirements.txt": fixture("requirements.txt"),
};
const older: Record<string, string> = Object.fromEntries(
  Object.entries(sameAsReplays).map(([path, text]) => [
    path,
    text.replaceAll("3.11.7", "3.9.18").replaceAll("scipy==1.17.1", "scipy==1.13.1"),
  ]),
);

function reportOf(texts: Record<string, string>): { run: ReportRun; md: string; html: string } {
  const doc = assembleReport(meta({ replays: 3 }), [
    assembleRun(facts({ evidence: { originalArtifactTexts: texts } })),
  ]);
  const back = parseReport(serializeReport(doc), "test");
  return { run: back.runs[0] as ReportRun, md: renderMarkdown(back), html: renderHtml(back) };
}

describe("the original's recorded environment (its logged model's files) against the replays", () => {
  it("names each difference: Python and scipy, with where the original's value was recorded", () => {
    const { run, md, html } = reportOf(older);
    const python = run.fingerprintDiff.facts?.facts.find((f) => f.fact === "Python");
    expect(python).toMatchObject({ state: "differs", original: "3.9.18 (logged model model/python_env.yaml)" });
    expect(run.fingerprintDiff.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: "container.python.version",
          before: "3.9.18",
          after: "3.11.7",
          source: "logged model model/python_env.yaml",
        }),
        expect.objectContaining({
          path: "container.distributions.scipy",
          before: "1.13.1",
          after: "1.17.1",
          source: "logged model model/requirements.txt",
        }),
      ]),
    );
    expect(run.score.findings.join("\n")).toContain(
      "python: original 3.9.18 (logged model model/python_env.yaml) vs replay 3.11.7",
    );
    expect(run.score.findings.join("\n")).toContain(
      "scipy: original 1.13.1 (logged model model/requirements.txt) vs replay 1.17.1",
    );
    for (const text of [md, html]) {
      expect(text).not.toMatch(/No differences/);
      expect(text).toContain("3.9.18");
      expect(text).toContain("1.13.1");
    }
  });

  it("the same versions as the replays: compared and the same, not 'not recorded'", () => {
    const { run, md } = reportOf(sameAsReplays);
    const python = run.fingerprintDiff.facts?.facts.find((f) => f.fact === "Python");
    expect(python?.state).toBe("same");
    expect(run.fingerprintDiff.versions?.items.map((i) => [i.name, i.state])).toEqual([
      ["python", "same"],
      ["mlflow", "same"],
      ["numpy", "same"],
      ["pandas", "same"],
      ["scikit-learn", "same"],
      ["scipy", "same"],
      ["skops", "same"],
    ]);
    expect(run.fingerprintDiff.changes).toEqual([]);
    expect(md).toMatch(/No differences in what both sides recorded/);
  });

  it("an artifact path from the server is escaped wherever the source is shown", () => {
    const { html, md } = reportOf({ "<img src=x onerror=alert(1)>/requirements.txt": "scipy==1.13.1\n" });
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;/requirements.txt");
    // Markdown escapes it as the rest of the report does (\<img ...\>)
    expect(md).not.toMatch(/[^\\]<img src=x/);
    expect(md).toContain("\\<img src=x onerror=alert(1)\\>/requirements.txt");
  });

  it("a report written before versions were compared still reads, and says what it said then", () => {
    const { run } = reportOf(older);
    const { versions: _v, ...diff } = run.fingerprintDiff;
    const { versions: _o, ...original } = run.fingerprints.original ?? { recorded: {} };
    const doc = assembleReport(meta({ replays: 3 }), [
      {
        ...run,
        fingerprintDiff: { ...diff, changes: [], facts: undefined },
        fingerprints: { ...run.fingerprints, original },
      },
    ]);
    const back = parseReport(serializeReport(doc), "test");
    expect(back.runs[0]?.fingerprintDiff.versions).toBeUndefined();
    expect(renderMarkdown(back)).not.toContain("Versions the original recorded");
  });
});

// MLflow 3's log_model(name=...) (and autolog) keeps a model's files under the logged
// model's own artifact root, not the run's: the snapshot reads them from there.
describe("the original's MLflow 3 logged models", () => {
  it("their environment files are read from the model's own root, only those, credentials stripped", async () => {
    const tracking = new InMemoryTracking();
    tracking.addRun({
      runId: "orig",
      histories: { acc: [{ step: 0, value: 0.5 }] },
      loggedModels: [
        {
          modelId: "m-0123abcd",
          name: "model",
          files: {
            ...Object.fromEntries(Object.entries(older).map(([p, t]) => [p.replace("model/", ""), t])),
            "requirements.txt": `--index-url https://bob:s3cret@pypi.example.com/simple\n${older["model/requirements.txt"]}`,
            "model.pkl": "\x80\x04 weights",
            "nested/conda.yaml": "dependencies: [python=2.7]\n",
          },
        },
      ],
    });
    const snap = await takeOriginalSnapshot(tracking.reader, "orig");
    expect(Object.keys(snap.loggedModelTexts ?? {}).sort()).toEqual([
      "models:/m-0123abcd/MLmodel",
      "models:/m-0123abcd/conda.yaml",
      "models:/m-0123abcd/python_env.yaml",
      "models:/m-0123abcd/requirements.txt",
    ]);
    expect(JSON.stringify(snap)).not.toContain("s3cret");
    // not scored: the run's own artifacts are what replays are compared on
    expect(snap.artifacts).toEqual({});

    const evidence = originalEvidence(snap, ["acc"], () => false);
    const doc = assembleReport(meta({ replays: 3 }), [assembleRun(facts({ evidence }))]);
    const run = parseReport(serializeReport(doc), "test").runs[0] as ReportRun;
    expect(run.score.findings.join("\n")).toContain(
      "python: original 3.9.18 (logged model models:/m-0123abcd/python_env.yaml) vs replay 3.11.7",
    );
    expect(run.score.findings.join("\n")).toContain(
      "scipy: original 1.13.1 (logged model models:/m-0123abcd/requirements.txt) vs replay 1.17.1",
    );
  });

  it("a run with no logged models: nothing read, no field", async () => {
    const tracking = new InMemoryTracking();
    tracking.addRun({ runId: "orig" });
    const snap = await takeOriginalSnapshot(tracking.reader, "orig");
    expect(snap.loggedModelTexts).toBeUndefined();
  });
});
