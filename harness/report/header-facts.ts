/**
 * What the top of every human-readable report says, as data: the title, the overall
 * verdict and score, and the facts about the audit's inputs. Markdown and HTML both
 * render from this, so the two never tell a reviewer different things; each keeps its
 * own markup and escaping. Pure: document in, facts out.
 */
import type { AuditScore } from "../drift/schema.js";
import { formatScore } from "./format-number.js";
import type { Report } from "./schema.js";
import { overallVerdict, resumeCommand, type OverallVerdict } from "./verdict-labels.js";

export const REPORT_TITLE = "Reproducibility audit";

/**
 * One piece of a fact's value: words the harness wrote (`text`), or a value taken from
 * the audit or a tracking server (`code`), which renderers show as code and escape.
 */
export type FactPart = { text: string } | { code: string };

export interface HeaderFact {
  label: string;
  value: readonly FactPart[];
}

export interface HeaderFacts {
  verdict: OverallVerdict;
  /** The audit score, formatted ("not scored" when no run is complete). */
  score: string;
  /** What the score covers when some runs are incomplete, e.g. " over 1 of 2 runs (1 incomplete run not scored)"; else "". */
  scoreNote: string;
  /** When the audit is incomplete: the command that finishes it. */
  resume?: string;
  runs: AuditScore["runs"];
  /** "3", or with --replays auto the range the runs got, e.g. "3–12" */
  replaysPerRun: string;
  /** --replays auto: the budget per run */
  maxReplays?: number;
  tracking: HeaderFact;
  selection: HeaderFact;
  replays: HeaderFact;
  harness: HeaderFact;
  audit: HeaderFact;
}

const text = (t: string): FactPart => ({ text: t });
const code = (c: string): FactPart => ({ code: c });

function selectionParts(selection: Report["inputs"]["selection"]): FactPart[] {
  const entries = Object.entries(selection);
  if (entries.length === 0) return [text("everything")];
  return entries.flatMap(([k, v], i) => [
    ...(i > 0 ? [text(", ")] : []),
    code(k),
    text(" = "),
    code(Array.isArray(v) ? v.join(", ") : String(v)),
  ]);
}

export function headerFacts(doc: Report): HeaderFacts {
  const i = doc.inputs;
  return {
    verdict: overallVerdict(doc.score),
    score: doc.score.score === null ? "not scored" : formatScore(doc.score.score),
    scoreNote: scoreNote(doc.score),
    ...(doc.score.runs.incomplete > 0 ? { resume: resumeCommand(doc.auditId) } : {}),
    runs: doc.score.runs,
    replaysPerRun: replaysPerRun(doc),
    ...(i.maxReplays !== undefined ? { maxReplays: i.maxReplays } : {}),
    tracking: { label: "Tracking server", value: [code(i.trackingUri)] },
    selection: { label: "Selection", value: selectionParts(i.selection) },
    replays: {
      label: "Replays",
      value: [
        text(
          `${replaysPerRun(doc)} per run${i.maxReplays !== undefined ? ` (auto, at most ${i.maxReplays})` : ""}, ${i.parallel} in parallel, executor `,
        ),
        code(i.executor),
        ...engineParts(i.engines),
      ],
    },
    harness: { label: "Harness", value: [code(doc.harness.version), text(" on Node "), code(doc.harness.node)] },
    audit: { label: "Audit", value: [code(doc.auditId), text(", created "), code(doc.createdAt)] },
  };
}

/** A fixed count as asked; an auto one as the runs got it, from the fewest to the most. */
function replaysPerRun(doc: Report): string {
  if (doc.inputs.maxReplays === undefined || doc.runs.length === 0) return String(doc.inputs.replays);
  const counts = doc.runs.map((r) => r.replays.length);
  const lo = Math.min(...counts);
  const hi = Math.max(...counts);
  return lo === hi ? String(lo) : `${lo}–${hi}`;
}

function scoreNote(score: AuditScore): string {
  const { total, incomplete } = score.runs;
  if (incomplete === 0) return "";
  if (score.score === null) return " (no run is complete)";
  return ` over ${total - incomplete} of ${total} runs (${incomplete} incomplete run${incomplete === 1 ? "" : "s"} not scored)`;
}

/** The input facts in the order a report lists them. */
export function inputFacts(facts: HeaderFacts): HeaderFact[] {
  return [facts.tracking, facts.selection, facts.replays, facts.harness, facts.audit];
}

/** ", engines `a` (2), `b` (1, down: ...)": where the audit was given several engines, each with its limit and whether it went down. */
function engineParts(engines: Report["inputs"]["engines"]): ReturnType<typeof text>[] {
  if (engines === undefined || engines.length <= 1) return [];
  return engines.flatMap((e, n) => [
    text(n === 0 ? ", engines " : ", "),
    code(e.name),
    text(` (${e.parallel}${e.down !== undefined ? `, down: ${e.down}` : ""})`),
  ]);
}
