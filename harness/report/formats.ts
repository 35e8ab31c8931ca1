import { renderHtml } from "./html.js";
import { renderJunit } from "./junit.js";
import { renderMarkdown } from "./markdown.js";
import type { Report } from "./schema.js";

// The files an audit writes, as one list the writer, the publisher and the
// command's summary all go through. report.json is the source of truth; the
// others are renderings of the document read back from it. Pure.

export interface ReportFormat {
  /** the file's name in results/<audit-id>/ */
  readonly file: string;
  /** what goes in the file: `json` is the serialized document, `doc` that document read back */
  readonly render: (doc: Report, json: string) => string;
}

export const REPORT_FORMATS = {
  json: { file: "report.json", render: (_doc, json) => json },
  markdown: { file: "report.md", render: (doc) => renderMarkdown(doc) },
  html: { file: "report.html", render: (doc) => renderHtml(doc) },
  junit: { file: "junit.xml", render: (doc) => renderJunit(doc) },
} as const satisfies Record<string, ReportFormat>;

export type ReportFormatName = keyof typeof REPORT_FORMATS;

/** In the order they are written: the source of truth first. */
export const REPORT_FORMAT_NAMES = Object.keys(REPORT_FORMATS) as ReportFormatName[];

/** The format the others are rendered from. */
export const SOURCE_FORMAT: ReportFormatName = "json";

/** Where each format of one audit's report was written. */
export type ReportPaths = { dir: string } & Record<ReportFormatName, string>;

/** The written files as a summary lists them: the renderings a reader opens first, then the source of truth. */
export function summaryPaths(paths: ReportPaths): string[] {
  return [...REPORT_FORMAT_NAMES.filter((f) => f !== SOURCE_FORMAT), SOURCE_FORMAT].map((f) => paths[f]);
}
