import { formatBytes } from "../exec/work-tree-diff.js";
import { formatDeviation, formatValue } from "../report/format-number.js";
import type { ArmReport, CompareReport, OverheadMeasure } from "./schema.js";

// The words and number formats that the Markdown, the HTML and the terminal share,
// so the three say the same thing. PURE. Nothing here escapes: each renderer escapes
// for its own medium.

export const MEASURE_LABEL: Record<OverheadMeasure, string> = {
  wallSeconds: "wall time",
  cpuSeconds: "CPU time",
  peakRssBytes: "peak memory",
  writtenBytes: "bytes written",
};

export function measureValue(m: OverheadMeasure, v: number | null): string {
  if (v === null) return "—";
  if (m === "peakRssBytes" || m === "writtenBytes") return formatBytes(Math.round(v));
  return `${v.toFixed(2)} s`;
}

export function ratioText(r: { ratio: number | null; low: number | null; high: number | null } | undefined): string {
  if (r === undefined || r.ratio === null) return "—";
  const ci =
    r.low !== null && r.high !== null
      ? ` [${r.low.toFixed(2)}, ${r.high.toFixed(2)}]`
      : " (no interval: < 2 executions)";
  return `×${r.ratio.toFixed(2)}${ci}`;
}

export function verdictWord(a: ArmReport): string {
  if (a.refusal !== undefined) return "did not run";
  return a.verdict === null ? "—" : a.verdict.verdict.replaceAll("_", " ");
}

export function meanSd(s: { mean: number | null; sd: number | null; n: number }): string {
  if (s.mean === null) return "—";
  return s.sd === null || s.sd === 0 ? formatValue(s.mean) : `${formatValue(s.mean)} ± ${formatDeviation(s.sd)}`;
}

export function outcomeText(doc: CompareReport): string {
  const o = doc.outcome;
  if (o.exitCode === 0) return "arms agree, and each arm is reproducible";
  const parts = [
    o.agree ? "arms agree" : "arms not shown to agree",
    o.reproducible ? "each arm reproducible" : "not every arm reproducible",
  ];
  return parts.join("; ");
}

export function percent(score: number): string {
  return `${Math.round(score * 100)}%`;
}
