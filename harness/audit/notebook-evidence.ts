import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import {
  type CellOutput,
  NotebookFormatError,
  type ReplayNotebook,
  cellOutputs,
  compareNotebooks,
} from "../drift/notebook-cells.js";
import { NOTEBOOK_OUTPUT_FILE, NOTEBOOK_SUMMARY_FILE } from "../exec/notebook-tooling.js";
import type { ReplayPlan } from "../plan/plan.js";
import type { ReportNotebook } from "../report/schema.js";
import type { RunReader } from "./ports.js";

// I/O: a notebook run's cell outputs, read where they are (the original's executed
// notebook among its artifacts, each replay's in its output folder) and compared by
// the pure drift/notebook-cells.ts. An original that logged no executed notebook is
// not a failure: the replays are compared among themselves and the report says so.

/** Executed notebooks larger than this are not read (a notebook of megabytes of output is not diffed here). */
export const MAX_NOTEBOOK_BYTES = 16 * 1024 * 1024;

/** The original's artifact that is its executed notebook: the one named like the notebook, else the only .ipynb. */
export function originalNotebookArtifact(artifactPaths: readonly string[], notebookPath: string): string | undefined {
  const notebooks = artifactPaths.filter((p) => p.toLowerCase().endsWith(".ipynb")).sort();
  const base = notebookPath.slice(notebookPath.lastIndexOf("/") + 1);
  const named = notebooks.filter((p) => p === base || p.endsWith(`/${base}`));
  if (named.length === 1) return named[0];
  return notebooks.length === 1 ? notebooks[0] : undefined;
}

const SummarySchema = z.object({
  failure: z
    .object({
      cell: z.number().int().nullable(),
      cellId: z.string().nullable().optional(),
      ename: z.string(),
      evalue: z.string(),
    })
    .optional(),
});

function readReplay(outDir: string): ReplayNotebook {
  const file = join(outDir, NOTEBOOK_OUTPUT_FILE);
  const out: ReplayNotebook = {};
  const summary = join(outDir, NOTEBOOK_SUMMARY_FILE);
  if (existsSync(summary)) {
    const parsed = SummarySchema.safeParse(safeJson(readFileSync(summary, "utf8")));
    if (parsed.success && parsed.data.failure !== undefined) out.failure = parsed.data.failure;
  }
  const size = statSync(file, { throwIfNoEntry: false });
  if (size === undefined || !size.isFile()) return out;
  if (size.size > MAX_NOTEBOOK_BYTES)
    return { ...out, problem: `its executed notebook is ${size.size} bytes, over the limit` };
  try {
    return { ...out, cells: cellOutputs(readFileSync(file, "utf8")) };
  } catch (err) {
    if (!(err instanceof NotebookFormatError)) throw err;
    return { ...out, problem: `its executed notebook could not be read: ${err.message}` };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export interface NotebookEvidenceInput {
  reader: RunReader;
  runId: string;
  plan: ReplayPlan;
  /** the original's artifact paths (its snapshot's) */
  originalArtifacts: readonly string[];
  /** the run's folder in the audit: replays/<i>/out hold each replay's executed notebook */
  runDir: string;
  replays: number;
}

export async function notebookEvidence(input: NotebookEvidenceInput): Promise<ReportNotebook | undefined> {
  const nb = input.plan.notebook;
  if (nb === undefined) return undefined;
  const problems: string[] = [];
  const artifact = originalNotebookArtifact(input.originalArtifacts, nb.path);
  let original: CellOutput[] | undefined;
  if (artifact !== undefined) {
    const dir = mkdtempSync(join(tmpdir(), "repro-audit-notebook-"));
    try {
      const file = join(dir, "original.ipynb");
      await input.reader.downloadArtifact(input.runId, artifact, file);
      const size = statSync(file).size;
      if (size > MAX_NOTEBOOK_BYTES)
        problems.push(`the original's notebook ${artifact} is ${size} bytes, over the limit`);
      else original = cellOutputs(readFileSync(file, "utf8"));
    } catch (err) {
      problems.push(`the original's notebook ${artifact} could not be read: ${(err as Error).message}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const replays = Array.from({ length: input.replays }, (_, i) =>
    readReplay(join(input.runDir, "replays", String(i), "out")),
  );
  const compared = compareNotebooks(original, replays);
  return {
    path: nb.path,
    evidence: nb.evidence,
    ...(artifact !== undefined && original !== undefined ? { originalArtifact: artifact } : {}),
    ...compared,
    problems,
  };
}
