// The report's JSON text and its parsing: the one place that knows the document
// goes through drift's NaN/Infinity codec on its way to and from JSON.
import { z } from "zod";

import {
  READABLE_REPORT_VERSIONS,
  REPORT_SCHEMA_ID,
  REPORT_VERSION,
  RUN_PART_SCHEMA_ID,
  type Report,
  type ReportRun,
  type ReportRunPart,
  ReportRunPartSchema,
  ReportRunSchema,
  ReportSchema,
  runAlignmentIssues,
} from "./schema.js";
import { BadInputError } from "../errors.js";

export class ReportValidationError extends BadInputError {
  constructor(message: string) {
    super(message);
    this.name = "ReportValidationError";
  }
}

function issuesText(error: z.ZodError): string {
  return z.prettifyError(error);
}

function invalid(error: z.ZodError): ReportValidationError {
  return new ReportValidationError(
    `The audit report to be written is invalid (a bug in whatever built it):\n${issuesText(error)}`,
  );
}

/**
 * The report's JSON, a piece at a time, so a writer can stream it (report/write.ts)
 * and each run is encoded, and so validated, exactly once; `serializeReport` joins
 * the same pieces. Compact: no indentation (a large audit's report is mostly numbers).
 */
export interface ReportJsonPieces {
  /** report.json up to its first run: `{"schema":..,"version":..,<audit head>,"runs":[` */
  open: string;
  /** validated JSON of run `position`; throws ReportValidationError naming runs[position] */
  run(position: number): string;
  /** what follows the last run */
  close: string;
  /** run `position`'s part (ReportRunPartSchema) around its JSON from `run` */
  part(position: number, runJson: string): string;
}

/** Validates everything in `doc` but its runs (which `run` validates one by one). */
export function reportJsonPieces(doc: Report): ReportJsonPieces {
  const head = z.safeEncode(ReportSchema, { ...doc, runs: [] });
  if (!head.success) throw invalid(head.error);
  const { runs: _runs, schema: _schema, version: _version, ...rest } = head.data;
  const headJson = JSON.stringify(rest).slice(1, -1);
  const of = doc.runs.length;
  return {
    open: `{"schema":${JSON.stringify(REPORT_SCHEMA_ID)},"version":${REPORT_VERSION},${headJson},"runs":[`,
    run(position) {
      const run = doc.runs[position] as ReportRun;
      const encoded = z.safeEncode(ReportRunSchema, run);
      const alignment = encoded.success ? runAlignmentIssues(run) : [];
      const issues = encoded.success ? alignment : encoded.error.issues;
      if (issues.length > 0)
        throw invalid(new z.ZodError(issues.map((i) => ({ ...i, path: ["runs", position, ...i.path] }))));
      return JSON.stringify(encoded.data);
    },
    close: "]}\n",
    part: (position, runJson) =>
      `{"schema":${JSON.stringify(RUN_PART_SCHEMA_ID)},"version":${REPORT_VERSION},${headJson},"position":${position},"of":${of},"run":${runJson}}\n`,
  };
}

/** JSON text of a decoded report (compact); throws ReportValidationError if the document is invalid. */
export function serializeReport(doc: Report): string {
  const pieces = reportJsonPieces(doc);
  return `${pieces.open}${doc.runs.map((_, i) => pieces.run(i)).join(",")}${pieces.close}`;
}

/** Parses one run's part (run-reports/<NNNN>/report.json); `where` names the source in error messages. */
export function parseRunPart(text: string, where: string): ReportRunPart {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ReportValidationError(
      `${where} is not JSON (${(err as Error).message}); expected a run's part of a repro-audit report.`,
    );
  }
  const parsed = ReportRunPartSchema.safeParse(json);
  if (!parsed.success) {
    throw new ReportValidationError(
      `${where} is not a valid run part of a repro-audit report (${RUN_PART_SCHEMA_ID} v${REPORT_VERSION}):\n${issuesText(parsed.error)}`,
    );
  }
  return parsed.data;
}

/**
 * Parses report JSON text; `where` names the source in error messages. Errors say
 * what is wrong, where in the document, and what to do about it.
 */
export function parseReport(text: string, where: string): Report {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ReportValidationError(
      `${where} is not JSON (${(err as Error).message}); expected a report.json written by repro-audit.`,
    );
  }
  if (typeof json === "object" && json !== null) {
    const head = json as { schema?: unknown; version?: unknown };
    if (head.schema !== REPORT_SCHEMA_ID) {
      throw new ReportValidationError(
        `${where} is not a repro-audit report: its "schema" field is ${JSON.stringify(head.schema)}, expected "${REPORT_SCHEMA_ID}".`,
      );
    }
    if (typeof head.version !== "number" || !READABLE_REPORT_VERSIONS.includes(head.version)) {
      throw new ReportValidationError(
        `${where} is report version ${JSON.stringify(head.version)}, this repro-audit reads versions ${READABLE_REPORT_VERSIONS.slice(0, -1).join(", ")} and ${READABLE_REPORT_VERSIONS.at(-1) ?? ""}; re-run the audit or use the repro-audit release that wrote it.`,
      );
    }
  }
  const parsed = ReportSchema.safeParse(json);
  if (!parsed.success) {
    throw new ReportValidationError(
      `${where} is not a valid repro-audit report (schema v${REPORT_VERSION}):\n${issuesText(parsed.error)}\nIt may have been edited by hand or truncated; re-run the audit to regenerate it.`,
    );
  }
  return parsed.data;
}
