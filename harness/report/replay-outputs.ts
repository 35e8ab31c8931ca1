import type { ReportRun } from "./schema.js";

// PURE: the files a run's replays wrote in their own copies of the code, as the
// renderings show them: one row per path with the replays that wrote it, so N
// replays writing the same file read as one line; a path whose content differs
// between replays says so (it is evidence, not a verdict: the files are not scored).

export interface OutputRow {
  path: string;
  /** added, modified, deleted; several when the replays did different things */
  changes: string[];
  /** bytes, per replay that wrote it (the largest shown first) */
  sizes: number[];
  /** distinct sha256 values among the replays that hashed it */
  sha256s: string[];
  /** 1-based replay numbers, as the report numbers them */
  replays: number[];
}

export interface OutputRows {
  rows: OutputRow[];
  /** paths beyond `max`, plus outputs the replays counted but did not list */
  more: number;
  /** replays that had a copy of the code (the others have no outputs field) */
  withCopy: number;
}

/** The rows for a run, sorted by path, at most `max`. */
export function outputRows(run: Pick<ReportRun, "replays">, max: number): OutputRows {
  const byPath = new Map<string, OutputRow>();
  let omitted = 0;
  let withCopy = 0;
  for (const r of run.replays) {
    if (r.outputs === undefined) continue;
    withCopy += 1;
    omitted = Math.max(omitted, r.outputs.omitted);
    for (const f of r.outputs.files) {
      const row = byPath.get(f.path) ?? { path: f.path, changes: [], sizes: [], sha256s: [], replays: [] };
      if (!row.changes.includes(f.change)) row.changes.push(f.change);
      row.sizes.push(f.size);
      if (f.sha256 !== undefined && !row.sha256s.includes(f.sha256)) row.sha256s.push(f.sha256);
      row.replays.push(r.index + 1);
      byPath.set(f.path, row);
    }
  }
  const all = [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const row of all) row.sizes.sort((a, b) => b - a);
  const cap = Math.max(0, max);
  return { rows: all.slice(0, cap), more: Math.max(0, all.length - cap) + omitted, withCopy };
}

/** What the row's content column says: one hash (shortened), "differs between replays", or nothing hashed. */
export function contentText(row: OutputRow): string {
  if (row.changes.length === 1 && row.changes[0] === "deleted") return "deleted";
  if (row.sha256s.length === 0) return "not hashed (large or not a regular file)";
  if (row.sha256s.length === 1) return `sha256 ${(row.sha256s[0] ?? "").slice(0, 12)}`;
  return `differs between replays (${row.sha256s.length} different sha256)`;
}

/** Replay numbers as a short list ("1, 2, 3" or "all 5"). */
export function replaysText(row: OutputRow, total: number): string {
  return row.replays.length === total && total > 1 ? `all ${total}` : row.replays.join(", ");
}
