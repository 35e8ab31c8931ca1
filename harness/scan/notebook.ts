import { z } from "zod";

// A notebook's code cells as one Python source, so imports in the first cell
// resolve calls in the last (the kernel runs them in one namespace, top to bottom).
// IPython syntax is not Python: magic and shell lines (`%time`, `!pip install`,
// `x = !ls`, `obj?`) become `pass` at the same indent so blocks still parse, and
// shell lines are kept apart (a `!wget` is a download). PURE: text in, values out.

const NotebookSchema = z.object({
  cells: z.array(
    z.object({
      cell_type: z.string(),
      source: z.union([z.string(), z.array(z.string())]).default(""),
    }),
  ),
});

export interface NotebookSource {
  /** the code cells, magics neutralised, joined in order */
  source: string;
  /** per code cell: its index in the notebook (1-based) and the source line it starts at (1-based) */
  cells: Array<{ cell: number; firstLine: number }>;
  /** shell commands (`!cmd`, `%%bash` bodies) with the source line they stand on */
  shell: Array<{ line: number; text: string }>;
}

const SHELL_CELL = /^%%(bash|sh|script|system)\b/;
const MAGIC_LINE = /^(\s*)(?:[!%]|[\w.]+\s*=\s*[!%])/;
const TIMED_LINE = /^(\s*)%(?:time|timeit|prun)\s+(?:-[nr]\s*\d+\s+|-\S+\s+)*(.+)$/;
const HELP_LINE = /^(\s*)[\w.]+\?{1,2}\s*$/;

/** The notebook's code as Python; a string saying why when the text is not a notebook we read. */
export function notebookSource(text: string): NotebookSource | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return `not valid notebook JSON (${err instanceof Error ? err.message : String(err)})`;
  }
  if (typeof json === "object" && json !== null && "worksheets" in json)
    return "nbformat 3 notebook (worksheets): convert it with `jupyter nbconvert --to notebook`";
  const parsed = NotebookSchema.safeParse(json);
  if (!parsed.success) return "not a notebook: expected a top-level `cells` list of {cell_type, source}";
  const out: string[] = [];
  const cells: NotebookSource["cells"] = [];
  const shell: NotebookSource["shell"] = [];
  parsed.data.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    const text = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
    const lines = text.split(/\r?\n/);
    cells.push({ cell: index + 1, firstLine: out.length + 1 });
    const shellCell = SHELL_CELL.test(lines[0]?.trim() ?? "");
    const cellMagic = (lines[0]?.trim() ?? "").startsWith("%%");
    lines.forEach((line, i) => {
      const at = out.length + 1;
      if (cellMagic) {
        if (shellCell && i > 0 && line.trim() !== "") shell.push({ line: at, text: line.trim() });
        out.push("");
        return;
      }
      // `%time stmt` runs stmt: keep it, so its calls count
      const timed = TIMED_LINE.exec(line);
      if (timed) {
        out.push(`${timed[1] ?? ""}${timed[2] ?? ""}`);
        return;
      }
      const magic = MAGIC_LINE.exec(line) ?? HELP_LINE.exec(line);
      if (magic) {
        const rest = line.trim().replace(/^[\w.]+\s*=\s*/, "");
        if (rest.startsWith("!")) shell.push({ line: at, text: rest.replace(/^!+/, "").trim() });
        else if (/^%(sx|system)\b/.test(rest)) shell.push({ line: at, text: rest.replace(/^%\w+/, "").trim() });
        out.push(`${magic[1] ?? ""}pass`);
        return;
      }
      out.push(line);
    });
  });
  return { source: out.join("\n"), cells, shell };
}

/** The notebook cell that a line of `notebookSource(...).source` belongs to, and the line within it. */
export function cellOf(cells: NotebookSource["cells"], line: number): { cell: number; line: number } | undefined {
  let found: NotebookSource["cells"][number] | undefined;
  for (const c of cells) if (c.firstLine <= line) found = c;
  return found === undefined ? undefined : { cell: found.cell, line: line - found.firstLine + 1 };
}
