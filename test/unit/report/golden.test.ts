// Golden-file tests: the Markdown and JUnit renderings of a hand-built report are
// compared byte for byte with files that were read and checked by hand. Any change
// in the renderers fails here; if the change is intended, regenerate with
// UPDATE_GOLDENS=1, read the diff, and keep it only if it reads right.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { renderHtml } from "../../../harness/report/html.js";
import { renderJunit } from "../../../harness/report/junit.js";
import { renderMarkdown } from "../../../harness/report/markdown.js";
import { parseReport } from "../../../harness/report/serialize.js";

const FIXTURES = join(import.meta.dirname, "../../fixtures/report");
const SAMPLE = join(FIXTURES, "sample-report.json");
const update = process.env.UPDATE_GOLDENS === "1";

function golden(name: string, actual: string): void {
  const path = join(FIXTURES, name);
  if (update || !existsSync(path)) {
    if (!update)
      throw new Error(`golden ${path} is missing; generate it with UPDATE_GOLDENS=1 and read it before committing`);
    writeFileSync(path, actual);
  }
  expect(actual).toBe(readFileSync(path, "utf8"));
}

describe("report goldens", () => {
  const doc = parseReport(readFileSync(SAMPLE, "utf8"), SAMPLE);

  it("renders the sample report as the reviewed Markdown", () => {
    golden("sample-report.md", renderMarkdown(doc));
  });

  it("renders the sample report as the reviewed JUnit XML", () => {
    golden("sample-report.junit.xml", renderJunit(doc));
  });

  it("says 'no deviation' for a history that matched at every step, in Markdown and HTML", () => {
    const copy = structuredClone(doc);
    const run = copy.runs.find((r) => Object.keys(r.histories ?? {}).length > 0);
    const metric = run?.metrics.find((m) => Object.hasOwn(run.histories ?? {}, m.name));
    if (!run || !metric) throw new Error("the sample report needs a metric with a plotted history");
    metric.history = { stepsCompared: 7, maxAbsDev: 0, maxRelDev: 0, atStep: 1, atReplay: 0 };
    expect(renderMarkdown(copy)).toContain("7 steps compared, no deviation at any step");
    expect(renderHtml(copy)).toContain("no deviation at any of 7 steps");
  });

  it("fails the JUnit cases the accept level does not accept, and only those", () => {
    const failures = (xml: string) =>
      [...xml.matchAll(/<testcase name="([^"]*)"[^>]*>\s*<failure type="([^"]*)"/g)].map((m) => `${m[1]}:${m[2]}`);
    const base = failures(renderJunit(doc));
    const verdicts = doc.runs.flatMap((r) => r.metrics.map((m) => m.verdict));
    expect(verdicts).toContain("varies");
    expect(verdicts).toContain("equivalent");
    const strict = (accept: "identical" | "equivalent") =>
      failures(renderJunit({ ...doc, inputs: { ...doc.inputs, tolerance: { ...doc.inputs.tolerance, accept } } }));
    const added = (xs: string[]) =>
      xs
        .filter((x) => !base.includes(x))
        .map((x) => x.split(":").at(-1))
        .sort();
    expect(added(strict("equivalent"))).toEqual(verdicts.filter((v) => v === "varies").map(() => "varies"));
    expect(added(strict("identical"))).toEqual(verdicts.filter((v) => v === "varies" || v === "equivalent").sort());
  });
});
