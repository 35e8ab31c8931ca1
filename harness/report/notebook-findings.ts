import type { ReportNotebook } from "./schema.js";

// PURE: what a notebook run's cell comparison adds to the run's findings: where each
// replay first diverged, which cell failed and how. The cell diffs themselves are in
// the report's notebook section.

/** One finding per replay that diverged or failed: the first differing cell, and the cell that failed. */
export function notebookFindings(nb: ReportNotebook): string[] {
  const out: string[] = [];
  if (!nb.originalRecorded)
    out.push(
      `notebook: original's cell outputs not recorded (no executed notebook among its artifacts): replays compared with ${nb.reference}`,
    );
  for (const r of nb.replays) {
    const [first] = r.differing;
    if (first !== undefined)
      out.push(
        `notebook: replay ${r.replay} first differs from ${nb.reference === "original" ? "the original" : nb.reference} at cell ${first.index}${first.id !== undefined ? ` (id ${first.id})` : ""}` +
          `${r.differing.length > 1 ? `, ${r.differing.length} cells differ` : ""}`,
      );
    if (r.failure !== undefined)
      out.push(
        `notebook: replay ${r.replay} failed at cell ${r.failure.cell ?? "?"}${r.failure.cellId ? ` (id ${r.failure.cellId})` : ""}: ` +
          `${r.failure.ename}: ${r.failure.evalue}`,
      );
  }
  out.push(...nb.problems.map((p) => `notebook: ${p}`));
  return out;
}

/** One line on what was compared with what. */
export function notebookSummaryText(nb: ReportNotebook): string {
  const against = nb.originalRecorded
    ? `the original's executed notebook${nb.originalArtifact !== undefined ? ` (artifact ${nb.originalArtifact})` : ""}`
    : `${nb.reference} (original's cell outputs not recorded)`;
  const diverged = nb.replays.filter((r) => r.differing.length > 0).length;
  return `${nb.path}: ${nb.cells} code cells of each replay compared with ${against}; ${diverged} of ${nb.replays.length} compared replays differ`;
}

/** The replays with a differing cell, each with its first one (where it diverged), at most `max`. */
export function firstCellDiffs(
  nb: ReportNotebook,
  max: number,
): Array<{ replay: number; cell: ReportNotebook["replays"][number]["differing"][number]; more: number }> {
  const out = [];
  for (const r of nb.replays) {
    const [first] = r.differing;
    if (first !== undefined) out.push({ replay: r.replay, cell: first, more: r.differing.length - 1 });
    if (out.length >= max) break;
  }
  return out;
}
