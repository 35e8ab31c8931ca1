import { renderHtml } from "./html.js";
import { renderJunit } from "./junit.js";
import { renderMarkdown } from "./markdown.js";
import type { Report } from "./schema.js";
import { serializeReport } from "./serialize.js";

// The files an audit writes, as one list the writer, the publisher and the
// command's summary all go through. report.json is the source of truth; the
// others are renderings of the same validated document. Pure.

export interface ReportFormat {
  /** the file's name in results/<audit-id>/ */
  readonly file: string;
  /** what goes in the file, from the validated document; report.json is written by the writer (write.ts), run by run */
  readonly render: (doc: Report) => string;
}

export const REPORT_FORMATS = {
  json: { file: "report.json", render: (doc) => serializeReport(doc) },
  markdown: { file: "report.md", render: (doc) => renderMarkdown(doc) },
  html: { file: "report.html", render: (doc) => renderHtml(doc) },
  junit: { file: "junit.xml", render: (doc) => renderJunit(doc) },
} as const satisfies Record<string, ReportFormat>;

export type ReportFormatName = keyof typeof REPORT_FORMATS;

/** In the order they are written: the source of truth first. */
export const REPORT_FORMAT_NAMES = Object.keys(REPORT_FORMATS) as ReportFormatName[];

/** The format the others are rendered from. */
export const SOURCE_FORMAT: ReportFormatName = "json";

/**
 * Each run's own files, in results/<audit-id>/run-reports/<NNNN>/ (html.ts's runPartDir):
 * what publishing attaches to that run, beside the audit's summary (`PUBLISHED_SUMMARY`).
 * Named as the whole report's files are, so a run's artifacts read report.html first.
 */
export const RUN_PART_FILES = { json: "report.json", html: "report.html" } as const;

/** The audit's summary every run gets with its own part: report.md, bounded whatever the audit's size. */
export const PUBLISHED_SUMMARY: ReportFormatName = "markdown";

/** Where one run's part was written. */
export type RunPartPaths = { dir: string } & Record<keyof typeof RUN_PART_FILES, string>;

/** Where each format of one audit's report was written, and each run's part (in the report's run order). */
export type ReportPaths = { dir: string; runs: RunPartPaths[] } & Record<ReportFormatName, string>;

/** The written files as a summary lists them: the renderings a reader opens first, then the source of truth. */
export function summaryPaths(paths: ReportPaths): string[] {
  return [...REPORT_FORMAT_NAMES.filter((f) => f !== SOURCE_FORMAT), SOURCE_FORMAT].map((f) => paths[f]);
}
