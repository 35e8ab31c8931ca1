import { escapeMarkdown } from "../report/escape.js";
import type { ScanDocument, ScanHazard, ScanProject } from "./document.js";
import { HAZARD_KINDS, HAZARD_LABELS, TRACKING_FEATURES } from "./kinds.js";

// The scan document as Markdown (`repro-audit scan --markdown FILE`). PURE. Every
// path and message came from the scanned code: escaped (report/escape.ts).

/** Findings listed per project before "... and N more" (the JSON keeps them all). */
const LISTED = 50;

export const percent = (share: number): string => `${(share * 100).toFixed(0)}%`;

export function locationText(h: Pick<ScanHazard, "file" | "line" | "cell">): string {
  return h.cell === undefined ? `${h.file}:${h.line}` : `${h.file}[cell ${h.cell}]:${h.line}`;
}

/** The tracking features a project uses, in the vocabulary's order. */
export function featuresOf(p: ScanProject): string[] {
  return TRACKING_FEATURES.filter((f) => p.features.some((u) => u.feature === f));
}

export function renderScanMarkdown(doc: ScanDocument): string {
  const md: string[] = [];
  const a = doc.aggregate;
  md.push("# repro-audit scan", "");
  md.push(
    `${a.projects} project${a.projects === 1 ? "" : "s"}; ${a.withTracking.projects} use MLflow tracking calls (${percent(a.withTracking.share)}), ` +
      `${a.withHazards.projects} show reproducibility hazards (${percent(a.withHazards.share)}).`,
    "",
  );
  md.push(
    "| project | .py | .ipynb | tracking calls | " +
      HAZARD_KINDS.map((k) => HAZARD_LABELS[k]).join(" | ") +
      " | skipped |",
  );
  md.push(`|---|---:|---:|---|${HAZARD_KINDS.map(() => "---:").join("|")}|---:|`);
  for (const p of doc.projects)
    md.push(
      `| ${escapeMarkdown(p.path)} | ${p.files.python} | ${p.files.notebooks} | ${featuresOf(p).join(", ") || "none"} | ` +
        HAZARD_KINDS.map((k) => p.hazards.filter((h) => h.kind === k).length).join(" | ") +
        ` | ${p.skipped.length} |`,
    );
  md.push("", "## Share of projects", "", "| feature or hazard | projects | share |", "|---|---:|---:|");
  for (const f of a.features) md.push(`| ${f.feature} | ${f.projects} | ${percent(f.share)} |`);
  for (const h of a.hazards) md.push(`| ${HAZARD_LABELS[h.kind]} | ${h.projects} | ${percent(h.share)} |`);
  for (const p of doc.projects) {
    if (p.hazards.length === 0 && p.skipped.length === 0) continue;
    md.push("", `## ${escapeMarkdown(p.path)}`, "");
    for (const h of p.hazards.slice(0, LISTED))
      md.push(`- ${escapeMarkdown(locationText(h))}: ${HAZARD_LABELS[h.kind]}: ${escapeMarkdown(h.why)}`);
    if (p.hazards.length > LISTED) md.push(`- ... and ${p.hazards.length - LISTED} more (see --json)`);
    for (const s of p.skipped) md.push(`- skipped ${escapeMarkdown(s.file)}: ${escapeMarkdown(s.reason)}`);
  }
  md.push("", `Files: ${escapeMarkdown(doc.rules.listing)}`, "", `Seeding: ${escapeMarkdown(doc.rules.seeding)}`, "");
  return md.join("\n");
}
