/**
 * The report's I/O edge: validate, render, and write results/<audit-id>/ atomically;
 * read a report.json back with validation.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { join, resolve } from "node:path";

import {
  REPORT_FORMATS,
  REPORT_FORMAT_NAMES,
  RUN_PART_FILES,
  SOURCE_FORMAT,
  type ReportPaths,
  type RunPartPaths,
} from "./formats.js";
import { renderRunPage, runPageContext, runPartDir } from "./html.js";
import { firstIssueMessage } from "../errors.js";
import { AuditIdSchema, REPORT_VERSION, type Report } from "./schema.js";
import { type ReportJsonPieces, ReportValidationError, parseReport, reportJsonPieces } from "./serialize.js";

export type { ReportPaths } from "./formats.js";

function temporarySibling(path: string): string {
  return `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
}

/** Writes `contents` (pieces in order) to a new file and flushes it. */
async function writeFlushed(path: string, contents: string | Iterable<string>): Promise<void> {
  const handle = await open(path, "wx", 0o644);
  try {
    if (typeof contents === "string") await handle.writeFile(contents, "utf8");
    else for (const piece of contents) await handle.write(piece, null, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Write to a temporary sibling, flush, then rename: readers never see half a file. */
export async function writeFileAtomic(path: string, contents: string): Promise<void> {
  const tmp = temporarySibling(path);
  try {
    await writeFlushed(tmp, contents);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Files written as temporary siblings, renamed into place together once every one
 * of them is written (`commit`), or removed (`abandon`): a failure part-way leaves
 * the folder as it was. Flushes overlap up to a bound, so a thousand run parts do
 * not cost a thousand fsyncs one after another.
 */
class StagedFiles {
  readonly #staged: { tmp: string; path: string }[] = [];
  readonly #pending = new Set<Promise<void>>();
  #failed: unknown;

  async add(path: string, contents: string | Iterable<string>): Promise<void> {
    const tmp = temporarySibling(path);
    this.#staged.push({ tmp, path });
    const p = writeFlushed(tmp, contents).catch((err: unknown) => {
      this.#failed ??= err;
    });
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
    if (this.#pending.size >= WRITE_CONCURRENCY) await Promise.race(this.#pending);
    if (this.#failed !== undefined) throw this.#failed;
  }

  async commit(): Promise<void> {
    await Promise.all(this.#pending);
    if (this.#failed !== undefined) throw this.#failed;
    for (const { tmp, path } of this.#staged) await rename(tmp, path);
  }

  async abandon(): Promise<void> {
    await Promise.allSettled(this.#pending);
    await Promise.all(this.#staged.map(({ tmp }) => rm(tmp, { force: true })));
  }
}

const WRITE_CONCURRENCY = 16;

/**
 * Validates `doc` and writes every format and each run's part under
 * `<resultsDir>/<auditId>/`: the whole report (report.json, report.md, report.html,
 * junit.xml) and run-reports/<NNNN>/ (report.json, the run's part; report.html, its page).
 *
 * A run at a time: encoded (and so validated) once, its JSON written into its part
 * and kept for report.json, its page rendered and written, so the written text of
 * the whole audit is never in memory at once. Every file goes to a temporary
 * sibling and all are renamed only when all are written (report.json last), so a
 * failure leaves no partial report. The renderings are made from the validated
 * document itself: encoding proved it is what report.json says (the codecs
 * round-trip NaN, ±Infinity and -0 exactly).
 */
export async function writeReport(given: Report, resultsDir: string): Promise<ReportPaths> {
  const id = AuditIdSchema.safeParse(given.auditId);
  if (!id.success)
    throw new ReportValidationError(
      `audit id ${JSON.stringify(given.auditId)} cannot name a results directory: ${firstIssueMessage(id.error)}`,
    );
  // A document read from an older report is written as the current version, and every rendering says so.
  const doc = given.version === REPORT_VERSION ? given : { ...given, version: REPORT_VERSION };
  const pieces = reportJsonPieces(doc);
  const dir = resolve(resultsDir, id.data);
  const runs: RunPartPaths[] = doc.runs.map((_, i) => {
    const runDir = join(dir, runPartDir(i));
    return { dir: runDir, json: join(runDir, RUN_PART_FILES.json), html: join(runDir, RUN_PART_FILES.html) };
  });
  // Folders this call creates are removed again if it fails: a failed write leaves nothing behind.
  const created: string[] = [];
  const mkdirOwn = async (path: string) => {
    if ((await mkdir(path, { recursive: true })) !== undefined) created.push(path);
  };
  await mkdirOwn(dir);
  const staged = new StagedFiles();
  try {
    const pages = runPageContext(doc);
    const runJson: string[] = [];
    for (const [i, r] of runs.entries()) {
      const json = pieces.run(i);
      runJson.push(json);
      await mkdirOwn(r.dir);
      await staged.add(r.json, pieces.part(i, json));
      await staged.add(r.html, renderRunPage(pages, i));
    }
    const paths: Partial<ReportPaths> = { dir, runs };
    for (const format of REPORT_FORMAT_NAMES) {
      if (format === SOURCE_FORMAT) continue;
      paths[format] = join(dir, REPORT_FORMATS[format].file);
      await staged.add(paths[format], REPORT_FORMATS[format].render(doc));
    }
    // The source of truth last, so it is renamed into place last.
    paths.json = join(dir, REPORT_FORMATS.json.file);
    await staged.add(paths.json, jsonText(pieces, runJson));
    await staged.commit();
    return paths as ReportPaths;
  } catch (err) {
    await staged.abandon();
    for (const path of created.reverse()) await rm(path, { recursive: true, force: true });
    throw err;
  }
}

function* jsonText(pieces: ReportJsonPieces, runJson: readonly string[]): Generator<string> {
  yield pieces.open;
  for (const [i, json] of runJson.entries()) yield i === 0 ? json : `,${json}`;
  yield pieces.close;
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
