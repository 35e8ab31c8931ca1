import { createHash } from "node:crypto";
import { createTwoFilesPatch } from "diff";
import { z } from "zod";

// PURE: a notebook's cell outputs as comparable text, and which cells differ between
// an original and its replays (or, when the original's executed notebook was not
// recorded, between the replays). Evidence beyond the metrics: the first cell whose
// output differs is where a run diverged. Streams, execute results and display data
// are compared as text/plain; images by sha256 of their bytes; errors by name and
// message. Execution counts, timings and metadata are volatile and never compared.

/** The parts of nbformat 4 read here; everything else in the file is ignored. */
const MultilineSchema = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v.join("") : v));
const OutputSchema = z
  .object({
    output_type: z.string(),
    name: z.string().optional(),
    text: MultilineSchema.optional(),
    data: z.record(z.string(), z.unknown()).optional(),
    ename: z.string().optional(),
    evalue: z.string().optional(),
  })
  .loose();
const CellSchema = z
  .object({
    cell_type: z.string(),
    id: z.string().optional(),
    metadata: z
      .object({ tags: z.array(z.string()).optional() })
      .loose()
      .optional(),
    outputs: z.array(OutputSchema).optional(),
  })
  .loose();
const NotebookSchema = z.object({ cells: z.array(CellSchema) }).loose();

export interface CellOutput {
  /** the cell's index in the notebook it was read from (0-based, markdown cells counted) */
  index: number;
  id?: string;
  /** its outputs as one comparable text, one line per output part */
  text: string;
}

/** The tag papermill (and the harness's runner) gives the cell it injects: its content is the params, not output. */
export const INJECTED_TAG = "injected-parameters";

export class NotebookFormatError extends Error {}

/** The code cells' outputs of an executed notebook (JSON text), the injected-parameters cell left out. */
export function cellOutputs(notebookJson: string): CellOutput[] {
  let raw: unknown;
  try {
    raw = JSON.parse(notebookJson);
  } catch (err) {
    throw new NotebookFormatError(`not JSON: ${(err as Error).message}`);
  }
  const parsed = NotebookSchema.safeParse(raw);
  if (!parsed.success) throw new NotebookFormatError(`not an nbformat 4 notebook: ${parsed.error.issues[0]?.message}`);
  const out: CellOutput[] = [];
  parsed.data.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    if ((cell.metadata?.tags ?? []).includes(INJECTED_TAG)) return;
    out.push({ index, ...(cell.id !== undefined ? { id: cell.id } : {}), text: outputText(cell.outputs ?? []) });
  });
  return out;
}

function outputText(outputs: ReadonlyArray<z.infer<typeof OutputSchema>>): string {
  const lines: string[] = [];
  for (const o of outputs) {
    if (o.output_type === "stream") lines.push(...tagged(`[${o.name ?? "stream"}]`, o.text ?? ""));
    else if (o.output_type === "error") lines.push(`[error] ${o.ename ?? "?"}: ${o.evalue ?? ""}`);
    else if (o.output_type === "execute_result" || o.output_type === "display_data") {
      const data = o.data ?? {};
      for (const mime of Object.keys(data).sort()) {
        const v = data[mime];
        const text = typeof v === "string" ? v : Array.isArray(v) ? v.join("") : JSON.stringify(v);
        if (mime === "text/plain") lines.push(...tagged(`[${o.output_type}]`, text));
        else if (mime.startsWith("image/")) lines.push(`[${mime}] sha256 ${imageHash(mime, text)}`);
      }
    }
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/**
 * Lines MLflow itself prints when a run ends on an http(s) server ("🏃 View run NAME at:
 * URL", "🧪 View experiment at: URL"): they name the server and the run, so they differ
 * between any two executions and say nothing about the workload. Left out of streams.
 */
export const VOLATILE_STREAM_LINES: readonly RegExp[] = [/^🏃 View run .* at: \S+$/u, /^🧪 View experiment at: \S+$/u];

function tagged(tag: string, text: string): string[] {
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  return body
    .split("\n")
    .filter((l) => !VOLATILE_STREAM_LINES.some((re) => re.test(l)))
    .map((l) => `${tag} ${l}`);
}

/** Raster images are base64 in nbformat (their bytes hashed); SVG is text. */
function imageHash(mime: string, text: string): string {
  const bytes = mime === "image/svg+xml" ? Buffer.from(text, "utf8") : Buffer.from(text.replace(/\s+/g, ""), "base64");
  return createHash("sha256").update(bytes).digest("hex").slice(0, 16);
}

/** How cells are matched across executions: nbformat 4.5 ids, else the index. */
function cellKey(c: CellOutput): string {
  return c.id !== undefined ? `id:${c.id}` : `index:${c.index}`;
}

export interface CellDiff {
  /** the cell in the replay's notebook */
  index: number;
  id?: string;
  /** unified diff of the reference's outputs against the replay's, at most MAX_DIFF_LINES lines */
  diff: string;
  truncated: boolean;
}

export const MAX_DIFF_LINES = 40;

/** The cells whose outputs differ, in notebook order (a cell only one side has differs too). */
export function differingCells(
  reference: readonly CellOutput[],
  replay: readonly CellOutput[],
  labels: { reference: string; replay: string },
): CellDiff[] {
  const byKey = new Map(reference.map((c) => [cellKey(c), c]));
  const seen = new Set<string>();
  const out: CellDiff[] = [];
  for (const c of replay) {
    const key = cellKey(c);
    seen.add(key);
    const ref = byKey.get(key);
    const refText = ref?.text ?? "";
    if (ref !== undefined && ref.text === c.text) continue;
    out.push({ index: c.index, ...(c.id !== undefined ? { id: c.id } : {}), ...unified(refText, c.text, labels, ref) });
  }
  for (const ref of reference) {
    if (seen.has(cellKey(ref))) continue;
    out.push({
      index: ref.index,
      ...(ref.id !== undefined ? { id: ref.id } : {}),
      ...unified(ref.text, "", { ...labels, replay: `${labels.replay} (cell missing)` }, ref),
    });
  }
  return out;
}

function unified(
  a: string,
  b: string,
  labels: { reference: string; replay: string },
  ref: CellOutput | undefined,
): { diff: string; truncated: boolean } {
  const patch = createTwoFilesPatch(
    ref === undefined ? `${labels.reference} (cell missing)` : labels.reference,
    labels.replay,
    a,
    b,
    undefined,
    undefined,
    { context: 2 },
  );
  // The "Index:"/"===" header lines createTwoFilesPatch writes say nothing a reader needs.
  const lines = patch.split("\n").filter((l) => !l.startsWith("=====") && !l.startsWith("Index:"));
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const truncated = lines.length > MAX_DIFF_LINES;
  return { diff: (truncated ? lines.slice(0, MAX_DIFF_LINES) : lines).join("\n"), truncated };
}

export interface NotebookFailure {
  cell: number | null;
  cellId?: string | null | undefined;
  ename: string;
  evalue: string;
}

export interface ReplayNotebook {
  /** undefined: the replay wrote no executed notebook (it did not run, or the runner could not start) */
  cells?: CellOutput[];
  failure?: NotebookFailure;
  /** why its notebook could not be read */
  problem?: string;
}

export interface NotebookComparison {
  /** what the replays were compared against: "original" (its executed notebook), or "replay N", the first that has one */
  reference: string;
  originalRecorded: boolean;
  /** code cells compared (the reference's) */
  cells: number;
  /** per replay (1-based number), the cells that differ from the reference; the first is where it diverged */
  replays: Array<{ replay: number; differing: CellDiff[]; failure?: NotebookFailure; missing?: string }>;
}

/**
 * Every replay's cells against the original's, or, with no executed original recorded,
 * against the first replay that has a notebook (which is then not listed against itself).
 */
export function compareNotebooks(
  original: CellOutput[] | undefined,
  replays: readonly ReplayNotebook[],
): NotebookComparison {
  const firstWithCells = replays.findIndex((r) => r.cells !== undefined);
  const reference = original ?? (firstWithCells >= 0 ? replays[firstWithCells]?.cells : undefined) ?? [];
  const refLabel = original !== undefined ? "original" : `replay ${firstWithCells + 1}`;
  const rows: NotebookComparison["replays"] = [];
  replays.forEach((r, i) => {
    if (original === undefined && i === firstWithCells) {
      if (r.failure !== undefined) rows.push({ replay: i + 1, differing: [], failure: r.failure });
      return;
    }
    const row: NotebookComparison["replays"][number] = {
      replay: i + 1,
      differing:
        r.cells !== undefined
          ? differingCells(reference, r.cells, { reference: refLabel, replay: `replay ${i + 1}` })
          : [],
    };
    if (r.failure !== undefined) row.failure = r.failure;
    if (r.cells === undefined) row.missing = r.problem ?? "the replay wrote no executed notebook";
    rows.push(row);
  });
  return {
    reference: refLabel,
    originalRecorded: original !== undefined,
    cells: reference.length,
    replays: rows,
  };
}
