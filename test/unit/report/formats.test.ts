import { describe, expect, it } from "vitest";
import {
  REPORT_FORMATS,
  REPORT_FORMAT_NAMES,
  type ReportPaths,
  summaryPaths,
} from "../../../harness/report/formats.js";
import { serializeReport } from "../../../harness/report/serialize.js";
import { loadSampleReport } from "../../fixtures/report/hostile.js";

// The report's files as one list: what is written, published and summarised.

const paths: ReportPaths = {
  dir: "/r",
  json: "/r/report.json",
  markdown: "/r/report.md",
  html: "/r/report.html",
  junit: "/r/junit.xml",
  runs: [],
};

describe("report formats", () => {
  it("are written source of truth first, each under its own file name", () => {
    expect(REPORT_FORMAT_NAMES).toEqual(["json", "markdown", "html", "junit"]);
    expect(REPORT_FORMAT_NAMES.map((f) => REPORT_FORMATS[f].file)).toEqual([
      "report.json",
      "report.md",
      "report.html",
      "junit.xml",
    ]);
  });

  it("put the serialized document in report.json", () => {
    const doc = loadSampleReport();
    expect(REPORT_FORMATS.json.render(doc)).toBe(serializeReport(doc));
  });

  it("are summarised renderings first, then the source of truth", () => {
    expect(summaryPaths(paths)).toEqual(["/r/report.md", "/r/report.html", "/r/junit.xml", "/r/report.json"]);
  });
});
