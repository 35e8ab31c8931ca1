// What `repro-audit scan` does, loaded when it runs (its options: scan.ts).
import { writeFileSync } from "node:fs";
import Table from "cli-table3";
import { BadInputError } from "../../errors.js";
import type { ScanDocument } from "../../scan/document.js";
import { HAZARD_KINDS, HAZARD_LABELS } from "../../scan/kinds.js";
import { featuresOf, locationText, percent, renderScanMarkdown } from "../../scan/markdown.js";
import { scanProjects } from "../../scan/scan-job.js";
import { ExitCode } from "../exit-codes.js";
import { reportFailure } from "../failure.js";
import { terminalJson, terminalLine } from "../terminal-text.js";
import { truncate } from "../truncate.js";

import { LISTED, type ScanOptions } from "./scan.js";

/** Progress goes to stderr only for trees with more files than this. */
const PROGRESS_FROM = 200;

const SHORT: Record<(typeof HAZARD_KINDS)[number], string> = {
  "unseeded-rng": "rng",
  "gpu-nondeterminism": "gpu",
  "runtime-download": "download",
  "unpinned-requirement": "unpinned",
};

export async function scanAction(dirs: string[], opts: ScanOptions): Promise<number> {
  try {
    let shown = 0;
    const doc = await scanProjects(dirs, {
      eachSubfolder: opts.projects === true,
      onProgress: (done, total) => {
        if (total <= PROGRESS_FROM) return;
        const step = Math.floor((done / total) * 10);
        if (step > shown || done === total) {
          shown = step;
          process.stderr.write(`scan: parsed ${done}/${total} files\n`);
        }
      },
    });
    if (opts.markdown !== undefined) {
      try {
        writeFileSync(opts.markdown, renderScanMarkdown(doc));
      } catch (err) {
        throw new BadInputError(
          `cannot write --markdown ${opts.markdown}: ${(err as NodeJS.ErrnoException).code ?? String(err)} (choose a writable path)`,
        );
      }
    }
    if (opts.json) console.log(terminalJson(JSON.stringify(doc, null, 2)));
    else console.log(renderScanTable(doc, opts.details === true));
    return doc.projects.some((p) => p.hazards.length > 0) ? ExitCode.hazardsFound : ExitCode.ok;
  } catch (err) {
    return reportFailure("scan", err);
  }
}

/** The terminal rendering: one row per project, then findings, skipped files and shares. */
export function renderScanTable(doc: ScanDocument, details: boolean): string {
  const table = new Table({
    head: ["project", "files", "tracking calls", ...HAZARD_KINDS.map((k) => SHORT[k]), "skipped"],
    style: { head: [], border: [] },
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
    colWidths: [null, null, 44, null, null, null, null, null],
    wordWrap: true,
  });
  for (const p of doc.projects)
    table.push([
      truncate(terminalLine(p.path), 40),
      `${p.files.python} py, ${p.files.notebooks} nb`,
      featuresOf(p).join(", ") || "none",
      ...HAZARD_KINDS.map((k) => String(p.hazards.filter((h) => h.kind === k).length)),
      String(p.skipped.length),
    ]);
  const out = [table.toString()];
  out.push(`hazards: ${HAZARD_KINDS.map((k) => `${SHORT[k]}=${HAZARD_LABELS[k]}`).join(", ")}`);
  for (const p of doc.projects) {
    if (p.hazards.length === 0 && p.skipped.length === 0) continue;
    out.push("", `${terminalLine(p.path)} (files listed by ${p.listing}):`);
    const listed = details ? p.hazards : p.hazards.slice(0, LISTED);
    for (const h of listed) out.push(`  ${terminalLine(locationText(h))}  ${SHORT[h.kind]}: ${terminalLine(h.why)}`);
    if (listed.length < p.hazards.length) out.push(`  ... and ${p.hazards.length - listed.length} more (--details)`);
    for (const s of p.skipped) out.push(`  skipped ${terminalLine(s.file)}: ${terminalLine(s.reason)}`);
  }
  const a = doc.aggregate;
  if (a.projects > 1) {
    out.push(
      "",
      `Over ${a.projects} projects: tracking calls in ${percent(a.withTracking.share)}, hazards in ${percent(a.withHazards.share)}`,
    );
    out.push(
      `  ${a.features
        .filter((f) => f.projects > 0)
        .map((f) => `${f.feature} ${percent(f.share)}`)
        .join(", ")}`,
    );
    out.push(`  ${a.hazards.map((h) => `${SHORT[h.kind]} ${percent(h.share)}`).join(", ")}`);
  }
  return out.join("\n");
}
