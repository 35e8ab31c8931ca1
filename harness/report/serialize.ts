// The report's JSON text and its parsing: the one place that knows the document
// goes through drift's NaN/Infinity codec on its way to and from JSON.
import { z } from "zod";

import { READABLE_REPORT_VERSIONS, ReportSchema, REPORT_SCHEMA_ID, REPORT_VERSION, type Report } from "./schema.js";
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

/** JSON text of a decoded report; throws ReportValidationError if the document is invalid. */
export function serializeReport(doc: Report): string {
  const encoded = z.safeEncode(ReportSchema, doc);
  if (!encoded.success) {
    throw new ReportValidationError(
      `The audit report to be written is invalid (a bug in whatever built it):\n${issuesText(encoded.error)}`,
    );
  }
  return `${JSON.stringify(encoded.data, null, 2)}\n`;
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
