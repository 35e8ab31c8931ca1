/**
 * The report's I/O edge: validate, render, and write results/<audit-id>/ atomically;
 * read a report.json back with validation.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { join, resolve } from "node:path";

import { REPORT_FORMATS, REPORT_FORMAT_NAMES, type ReportPaths } from "./formats.js";
import { firstIssueMessage } from "../errors.js";
import { AuditIdSchema, type Report } from "./schema.js";
import { ReportValidationError, parseReport, serializeReport } from "./serialize.js";

export type { ReportPaths } from "./formats.js";

/** Write to a temporary sibling, flush, then rename: readers never see half a file. */
export async function writeFileAtomic(path: string, contents: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const handle = await open(tmp, "wx", 0o644);
  try {
    await handle.writeFile(contents, "utf8");
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Validates `doc`, renders every format, and writes them under
 * `<resultsDir>/<auditId>/`. Everything is rendered before anything is written, so
 * a renderer failure leaves no partial report behind.
 */
export async function writeReport(doc: Report, resultsDir: string): Promise<ReportPaths> {
  const id = AuditIdSchema.safeParse(doc.auditId);
  if (!id.success)
    throw new ReportValidationError(
      `audit id ${JSON.stringify(doc.auditId)} cannot name a results directory: ${firstIssueMessage(id.error)}`,
    );
  const json = serializeReport(doc);
  // Render from the round-tripped document: what the files show is exactly what report.json holds.
  const stored = parseReport(json, "the report being written");
  const contents = REPORT_FORMAT_NAMES.map((format) => ({ format, text: REPORT_FORMATS[format].render(stored, json) }));
  const dir = resolve(resultsDir, id.data);
  await mkdir(dir, { recursive: true });
  const paths: Partial<ReportPaths> = { dir };
  for (const { format, text } of contents) {
    const path = join(dir, REPORT_FORMATS[format].file);
    await writeFileAtomic(path, text);
    paths[format] = path;
  }
  return paths as ReportPaths;
}

/** Reads and validates a report.json; throws ReportValidationError with a readable message. */
export async function readReport(path: string): Promise<Report> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ReportValidationError(
      code === "ENOENT"
        ? `No report at ${path}; run \`repro-audit audit\` first or pass the path of an existing report.json.`
        : `Cannot read report ${path}: ${(err as Error).message}`,
    );
  }
  return parseReport(text, path);
}
