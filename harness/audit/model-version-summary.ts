import type { ReportRun } from "../report/schema.js";
import { RUN_VERDICT_ICON, RUN_VERDICT_LABEL } from "../report/verdict-labels.js";
import { isWebLink } from "./report-link.js";

// The audit's short summary in a registered model version's description, where a
// reviewer deciding on the model reads. Pure. The description is the author's: the
// summary goes after their text, between markers, and a re-audit replaces only
// that block. Everything from the tracking server (the run's name) is neutralised
// so it can neither format the summary nor fake or close the markers.

export const SUMMARY_BEGIN = "<!-- repro-audit:begin -->";
export const SUMMARY_END = "<!-- repro-audit:end -->";

export interface SummaryInput {
  auditId: string;
  run: Pick<ReportRun, "runId" | "runName" | "replays" | "score">;
  /** the report's link (reportLink): a URL, or an artifact path */
  reportLink: string;
}

/** The summary block, markers included. */
export function summaryBlock(input: SummaryInput): string {
  const { run } = input;
  const verdict = run.score.verdict;
  const replays = run.replays.length;
  const report = isWebLink(input.reportLink)
    ? `[report](${linkDestination(input.reportLink)})`
    : `report: ${codeSpan(input.reportLink)}`;
  const name = run.runName.trim() === "" ? "" : ` ${markdownText(run.runName)}`;
  return [
    SUMMARY_BEGIN,
    `**Reproducibility audit: ${RUN_VERDICT_ICON[verdict]} ${RUN_VERDICT_LABEL[verdict]}** (score ${run.score.score.toFixed(3)}, ${replays} replay${replays === 1 ? "" : "s"})`,
    "",
    `Run${name} (${codeSpan(run.runId)}), audit ${codeSpan(input.auditId)}: ${report}`,
    SUMMARY_END,
  ].join("\n");
}

/**
 * `description` with `block` after the author's text: every earlier complete
 * harness block is taken out (only those: an unpaired marker is the author's text
 * and stays), the rest kept as written, the new block appended.
 */
export function withSummary(description: string | undefined, block: string): string {
  const authored = removeBlocks(description ?? "").trimEnd();
  return authored === "" ? block : `${authored}\n\n${block}`;
}

function removeBlocks(text: string): string {
  let out = text;
  for (;;) {
    const begin = out.indexOf(SUMMARY_BEGIN);
    if (begin < 0) return out;
    const end = out.indexOf(SUMMARY_END, begin + SUMMARY_BEGIN.length);
    if (end < 0) return out;
    const before = out.slice(0, begin).trimEnd();
    const after = out.slice(end + SUMMARY_END.length).replace(/^\s*\n/, "");
    out = before === "" ? after : after === "" ? before : `${before}\n\n${after}`;
  }
}

/**
 * Text that renders as itself: Markdown punctuation backslash-escaped, HTML's
 * `< > &` as entities (so no tag, comment or marker can be opened), line breaks
 * and other control characters as spaces (so no heading, list or block starts).
 */
export function markdownText(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_{}[\]()#+\-.!|~]/g, (c) => `\\${c}`);
}

/**
 * An id or path as an inline code span. Ids and artifact paths are plain
 * characters; anything else (a backtick closing the span, a `<` starting a marker,
 * which a code span would show but the block search would still see) becomes `?`.
 */
function codeSpan(text: string): string {
  return `\`${text.replace(/[^\w.\-/:@+=]/g, "?")}\``;
}

/** A link destination Markdown reads to its end: no space, parenthesis or angle bracket left raw. */
function linkDestination(url: string): string {
  return url.replace(/[\s()<>\\]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}
