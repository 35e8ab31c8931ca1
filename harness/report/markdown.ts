/**
 * Markdown rendering of a report, for a pull request or a model review (GitHub-
 * flavoured tables). Pure: document in, string out.
 *
 * Anything that came from a tracking server or a replayed process (run names,
 * params, metric names, reasons that quote them, stderr) goes through escape.ts:
 * identifiers as code spans outside tables, escaped text inside tables, output in
 * fences the content cannot close. The only raw HTML is the fixed
 * `<details>`/`<summary>` pair that folds each run and `<br>` between replay
 * values in a cell (GitHub renders both; the text
 * inside is escaped Markdown like everything else).
 *
 * It must fit a pull-request comment: GitHub refuses bodies over 65,536
 * characters. When the whole report is longer, it keeps the summary and as many
 * run sections as fit, worst runs first, and says how many were left to the HTML
 * and JSON reports.
 */
import type { MetricScore } from "../drift/schema.js";
import { escapeMarkdown, markdownCode, markdownFence } from "./escape.js";
import { artifactResultText, semanticNote } from "./artifact-text.js";
import { noDifferencesText, reportFacts } from "./environment-facts.js";
import { environmentCountsText, FACT_STATE_TEXT } from "./fact-comparison.js";
import { changeAfterText, changeBeforeText } from "./fingerprint-change.js";
import {
  MISSING,
  formatDeviation,
  formatDurationMs,
  formatMeanStd,
  formatPercent,
  formatScore,
  formatUlps,
  formatValue,
} from "./format-number.js";
import { auditReason, runsWorstFirst } from "./audit-reason.js";
import { meanChange, rankText, replayValues } from "./metric-rows.js";
import { REPORT_TITLE, headerFacts, inputFacts, type FactPart, type HeaderFacts } from "./header-facts.js";
import { runTitle } from "./run-title.js";
import { formatBytes } from "../exec/work-tree-diff.js";
import { contentText, outputRows, replaysText } from "./replay-outputs.js";
import { firstCellDiffs, notebookSummaryText } from "./notebook-findings.js";
import type { Report, ReportRun } from "./schema.js";
import {
  METRIC_VERDICT_ICON,
  METRIC_VERDICT_LABEL,
  RESUME_NOTE,
  RUN_VERDICT_ICON,
  RUN_VERDICT_LABEL,
} from "./verdict-labels.js";
import { replayLabel } from "../drift/format.js";
import {
  isVersionDifference,
  reportVersions,
  VERSION_STATE_TEXT,
  versionCountsText,
  type VersionComparison,
} from "./version-comparison.js";

/** Long environment diffs are cut in Markdown (the HTML and JSON keep them whole). */
const MAX_CHANGE_ROWS = 30;
/** Recorded versions listed in Markdown: every difference, then the same ones up to this many rows. */
const MAX_VERSION_ROWS = 40;
const MAX_UNIFIED_LINES = 120;
const MAX_CELL_CHARS = 80;
/** GitHub's limit on a comment body, less room for a bot's own framing. */
export const MARKDOWN_BUDGET = 65_536 - 1_536;

const TRACE_ICON = { present: "✅", partial: "🟡", missing: "❌", not_applicable: "➖" } as const;

function cell(text: string): string {
  const cut = text.length > MAX_CELL_CHARS ? `${text.slice(0, MAX_CELL_CHARS - 1)}…` : text;
  return escapeMarkdown(cut);
}

function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align?: readonly ("l" | "r")[],
): string {
  const sep = header.map((_, i) => (align?.[i] === "r" ? "---:" : "---"));
  return [header, sep, ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");
}

function summaryLine(h: HeaderFacts, doc: Report): string {
  const runs = h.runs;
  return (
    `## ${RUN_VERDICT_ICON[h.verdict]} ${RUN_VERDICT_LABEL[h.verdict].charAt(0).toUpperCase()}${RUN_VERDICT_LABEL[h.verdict].slice(1)}\n\n` +
    `${escapeMarkdown(auditReason(doc))}\n\n` +
    `Audit score **${h.score}**${h.scoreNote} · ` +
    `${runs.reproduced} of ${runs.total} run${runs.total === 1 ? "" : "s"} reproduced` +
    (runs.consistent_with_variance > 0
      ? `, ${runs.consistent_with_variance} ${RUN_VERDICT_LABEL.consistent_with_variance}`
      : "") +
    (runs.inconclusive > 0 ? `, ${runs.inconclusive} ${RUN_VERDICT_LABEL.inconclusive}` : "") +
    (runs.not_reproduced > 0 ? `, ${runs.not_reproduced} not reproduced` : "") +
    (runs.failed > 0 ? `, ${runs.failed} failed` : "") +
    (runs.incomplete > 0 ? `, ${runs.incomplete} ${RUN_VERDICT_LABEL.incomplete}` : "") +
    ` · ${h.replaysPerRun} replay${h.replaysPerRun === "1" ? "" : "s"} per run` +
    (h.maxReplays !== undefined ? ` (auto, at most ${h.maxReplays})` : "") +
    (h.resume !== undefined
      ? `\n\n> ${RUN_VERDICT_ICON.incomplete} This audit is ${RUN_VERDICT_LABEL.incomplete}: some replays did not run or were stopped by an infrastructure fault, ` +
        `so its verdicts are not settled. Finish it with ${markdownCode(h.resume)} (${RESUME_NOTE}).`
      : "")
  );
}

function runsOverview(doc: Report): string {
  const rows = doc.runs.map((run) => {
    const c = run.score.counts;
    const ok = run.replays.filter((r) => r.status === "ok").length;
    return [
      cell(runTitle(run)),
      cell(run.runId),
      `${RUN_VERDICT_ICON[run.score.verdict]} ${RUN_VERDICT_LABEL[run.score.verdict]}`,
      formatScore(run.score.score),
      `${c.identical} / ${c.equivalent} / ${c.varies} / ${c.inconclusive} / ${c.not_reproduced} / ${c.failed}`,
      `${ok} / ${run.replays.length}`,
      formatPercent(run.traceability.score),
    ];
  });
  return table(
    [
      "Run",
      "Run ID",
      "Verdict",
      "Score",
      "Metrics (ident. / equiv. / varies / inconcl. / not repr. / failed)",
      "Replays ok",
      "Traceability",
    ],
    rows,
    ["l", "l", "l", "r", "r", "r", "r"],
  );
}

function factValue(parts: readonly FactPart[]): string {
  return parts.map((p) => ("code" in p ? markdownCode(p.code) : p.text)).join("");
}

function inputsSection(h: HeaderFacts): string {
  return ["## Inputs", "", ...inputFacts(h).map((f) => `- ${f.label}: ${factValue(f.value)}`)].join("\n");
}

function policySection(doc: Report): string {
  const t = doc.inputs.tolerance;
  const overrides = Object.entries(t.perMetric).map(([name, o]) => [
    cell(name),
    o.abs === undefined ? "default" : formatDeviation(o.abs),
    o.rel === undefined ? "default" : formatDeviation(o.rel),
    o.ulps === undefined ? "default" : formatUlps(o.ulps),
  ]);
  const lines = [
    "## Tolerance policy",
    "",
    table(
      ["Metric", "abs", "rel", "ULPs"],
      [
        ["(default)", formatDeviation(t.default.abs), formatDeviation(t.default.rel), formatUlps(t.default.ulps)],
        ...overrides,
      ],
      ["l", "r", "r", "r"],
    ),
    "",
    ...doc.policyText
      .split(/\n\s*\n/)
      .map((p) => escapeMarkdown(p.trim()))
      .filter((p) => p !== "")
      .flatMap((p) => [p, ""]),
    `**Score formula.** ${escapeMarkdown(doc.score.formula)}`,
  ];
  return lines.join("\n");
}

function metricRow(m: MetricScore): string[] {
  return [
    cell(m.name),
    `${METRIC_VERDICT_ICON[m.verdict]} ${METRIC_VERDICT_LABEL[m.verdict]}`,
    formatValue(m.original),
    // Every replay's value and its signed change, one per line: no column grows with the replay count.
    replayValues(m)
      .map((r) => r.text)
      .join("<br>") || MISSING,
    meanChange(m),
    m.stats ? formatMeanStd(m.stats.mean, m.stats.std) : MISSING,
    m.rank ? escapeMarkdown(rankText(m.rank)) : MISSING,
  ];
}

function metricsSection(run: ReportRun): string[] {
  if (run.metrics.length === 0) return ["### Metrics", "", "_No metrics were compared._"];
  const out = [
    "### Metrics",
    "",
    table(
      [
        "Metric",
        "Verdict",
        "Original",
        "Replays (change vs original)",
        "Mean change",
        "Replays mean ± std",
        "Rank of the original",
      ],
      run.metrics.map(metricRow),
      ["l", "l", "r", "r", "r", "r", "l"],
    ),
    "",
    "**Why**",
    "",
    ...run.metrics.map(
      (m) => `- ${markdownCode(m.name)} (${METRIC_VERDICT_LABEL[m.verdict]}): ${escapeMarkdown(m.reason)}`,
    ),
  ];
  const findings = run.metrics.flatMap((m) => m.findings.map((f) => `- ${markdownCode(m.name)}: ${escapeMarkdown(f)}`));
  const histories = run.metrics.flatMap((m) =>
    m.history
      ? [
          `- ${markdownCode(m.name)}: ${m.history.stepsCompared} steps compared, ` +
            (m.history.maxAbsDev === 0
              ? "no deviation at any step"
              : `max abs. dev. ${formatDeviation(m.history.maxAbsDev)}` +
                (m.history.atStep !== null ? ` at step ${m.history.atStep}` : "") +
                (m.history.atReplay !== null ? ` (${replayLabel(m.history.atReplay)})` : "")) +
            (m.history.lengthMismatch ? `; step counts differ (original ${m.history.lengthMismatch.original})` : ""),
        ]
      : [],
  );
  if (findings.length > 0) out.push("", "**Findings**", "", ...findings);
  if (histories.length > 0) out.push("", "**Step histories**", "", ...histories);
  return out;
}

function artifactsSection(run: ReportRun): string[] {
  if (run.artifacts.length === 0) return [];
  const rows = run.artifacts.map((a) => {
    const same = a.replaySha256.filter((h) => h !== null && h === a.originalSha256).length;
    return [
      cell(a.path),
      a.originalSha256 ? escapeMarkdown(a.originalSha256.slice(0, 12)) : MISSING,
      `${same} / ${a.replaySha256.length}`,
      `${a.identical ? "✅" : "❌"} ${escapeMarkdown(artifactResultText(a))}`,
    ];
  });
  const notes = run.artifacts.flatMap((a) =>
    a.semantic === undefined ? [] : [`- ${markdownCode(a.path)}: ${escapeMarkdown(semanticNote(a.semantic))}`],
  );
  return [
    "",
    "### Artifacts",
    "",
    table(["Artifact", "Original sha256", "Replays matching", "Result"], rows, ["l", "l", "r", "l"]),
    ...(notes.length > 0 ? ["", ...notes] : []),
  ];
}

function planSection(run: ReportRun): string[] {
  const out = ["### Plan and image", ""];
  if (run.plan) {
    const p = run.plan;
    out.push(
      `- Source: ${markdownCode(p.source)}${p.entryPoint !== undefined ? `, entry point ${markdownCode(p.entryPoint)}` : ""}`,
      `- Code: ${markdownCode(p.codeSource)}; original tree dirty: ${p.dirtyOriginal === null ? "unknown" : p.dirtyOriginal ? "yes" : "no"}; recorded diff applied: ${p.diffApplied ? "yes" : "no"}`,
    );
    const params = Object.entries(p.params);
    if (params.length > 0)
      out.push(`- Params: ${params.map(([k, v]) => `${markdownCode(k)} = ${markdownCode(v)}`).join(", ")}`);
  } else {
    out.push("- No replay plan could be made.");
  }
  const img = run.image;
  out.push(
    `- Image: ${img.id !== undefined ? markdownCode(img.id) : "none"}${img.tag !== undefined ? ` (${markdownCode(img.tag)})` : ""}${img.builtFrom !== undefined ? `, built from ${escapeMarkdown(img.builtFrom)}` : ""}`,
  );
  for (const m of img.mismatches) {
    out.push(`- ⚠️ ${markdownCode(m.what)}: requested ${markdownCode(m.requested)}, ran with ${markdownCode(m.actual)}`);
  }
  if (run.plan) out.push("", "Command:", "", markdownFence(run.plan.command, "sh"));
  return out;
}

function traceSection(run: ReportRun): string[] {
  const rows = run.traceability.items.map((item) => [
    cell(item.label),
    `${TRACE_ICON[item.status]} ${item.status.replace("_", " ")}`,
    cell(item.detail),
  ]);
  return [
    "",
    `### Traceability (${formatPercent(run.traceability.score)})`,
    "",
    table(["Item", "Status", "Detail"], rows),
  ];
}

function environmentSection(run: ReportRun): string[] {
  const { facts, counts } = reportFacts(run);
  const changes = run.fingerprintDiff.changes;
  const out = ["", `### Environment (${environmentCountsText(changes.length, counts)})`, ""];
  if (facts.length > 0) {
    out.push(
      table(
        ["Fact", "Original", "Replays", "Comparison"],
        facts.map((f) => [
          f.fact,
          cell(f.original ?? MISSING),
          cell(f.replays ?? MISSING),
          f.state === "differs" ? "⚠️ differs" : FACT_STATE_TEXT[f.state],
        ]),
      ),
      "",
    );
  }
  out.push(...versionsTable(reportVersions(run)));
  if (changes.length === 0) {
    out.push(noDifferencesText(counts));
    return out;
  }
  const by = (k: string): number => changes.filter((c) => c.kind === k).length;
  out.push(
    `${changes.length} difference${changes.length === 1 ? "" : "s"}: ${by("changed")} changed, ${by("added")} added, ${by("removed")} removed.`,
    "",
  );
  out.push(
    table(
      ["Path", "Change", "Original", "Replay"],
      changes
        .slice(0, MAX_CHANGE_ROWS)
        .map((c) => [
          cell(c.path),
          c.category !== undefined ? `${c.kind} (${cell(c.category)})` : c.kind,
          cell(changeBeforeText(c)),
          cell(changeAfterText(c)),
        ]),
    ),
  );
  if (changes.length > MAX_CHANGE_ROWS)
    out.push("", `_…and ${changes.length - MAX_CHANGE_ROWS} more (see report.html or report.json)._`);
  if (run.fingerprintDiff.unified.trim() !== "") {
    const lines = run.fingerprintDiff.unified.split("\n");
    const shown = lines.slice(0, MAX_UNIFIED_LINES).join("\n");
    out.push("", markdownFence(shown, "diff"));
    if (lines.length > MAX_UNIFIED_LINES) out.push("", `_Diff cut at ${MAX_UNIFIED_LINES} of ${lines.length} lines._`);
  }
  return out;
}

/** The Python and library versions the original's logged model recorded, each against the replays. */
function versionsTable(versions: VersionComparison | undefined): string[] {
  if (versions === undefined) return [];
  const out = [`**Versions the original recorded** (${versionCountsText(versions)})`, ""];
  if (versions.items.length > 0) {
    const differing = versions.items.filter(isVersionDifference);
    const rest = versions.items.filter((i) => !isVersionDifference(i));
    const shown = [...differing, ...rest.slice(0, Math.max(0, MAX_VERSION_ROWS - differing.length))];
    out.push(
      table(
        ["Name", "Original", "Recorded in", "Replays", "Comparison"],
        shown.map((i) => [
          cell(i.name),
          cell(i.original),
          cell(i.source),
          cell(i.replays ?? MISSING),
          isVersionDifference(i) ? `⚠️ ${VERSION_STATE_TEXT[i.state]}` : VERSION_STATE_TEXT[i.state],
        ]),
      ),
      "",
    );
    if (shown.length < versions.items.length)
      out.push(`_…and ${versions.items.length - shown.length} more the same (see report.html or report.json)._`, "");
  }
  for (const n of versions.notes) out.push(`- ${escapeMarkdown(n)}`);
  if (versions.notes.length > 0) out.push("");
  return out;
}

function replaysSection(run: ReportRun): string[] {
  const bad = run.replays.filter((r) => r.status !== "ok");
  if (bad.length === 0) return [];
  const out = ["", "### Failed replays"];
  for (const r of bad) {
    out.push(
      "",
      `**Replay ${r.index + 1}: ${r.status}** (exit code ${r.exitCode ?? MISSING}, ${formatDurationMs(r.durationMs)})` +
        (r.message !== undefined ? ` ${escapeMarkdown(r.message)}` : ""),
    );
    if (r.stderrTail !== undefined && r.stderrTail.trim() !== "") out.push("", markdownFence(r.stderrTail, "text"));
  }
  return out;
}

/** Files listed per run in Markdown (report.html and report.json have more). */
const MARKDOWN_OUTPUT_ROWS = 10;

/** The files the replays wrote in their own copies of the code, briefly. */
function outputsSection(run: ReportRun): string[] {
  const { rows, more, withCopy } = outputRows(run, MARKDOWN_OUTPUT_ROWS);
  if (withCopy === 0 || (rows.length === 0 && more === 0)) return [];
  const out = [
    "",
    "### Files the replays wrote",
    "",
    "In each replay's own copy of the code (removed after the replay; the files are listed, not kept or scored).",
    "",
    table(
      ["File", "Change", "Size", "Content", "Replays"],
      rows.map((r) => [
        // The end of a long path names the file: cut at the front.
        escapeMarkdown(r.path.length > MAX_CELL_CHARS ? `…${r.path.slice(-(MAX_CELL_CHARS - 1))}` : r.path),
        cell(r.changes.join(", ")),
        cell(formatBytes(r.sizes[0] ?? 0)),
        cell(contentText(r)),
        cell(replaysText(r, withCopy)),
      ]),
      ["l", "l", "r", "l", "l"],
    ),
  ];
  if (more > 0) out.push("", `_…and ${more} more (see report.html or report.json)._`);
  return out;
}

/** Replays whose first differing notebook cell is shown in Markdown (the HTML shows more). */
const MARKDOWN_NOTEBOOK_DIFFS = 2;

/** A notebook run: what was compared, and where the first replays diverged, as unified diffs. */
function notebookSection(run: ReportRun): string[] {
  const nb = run.notebook;
  if (nb === undefined) return [];
  const out = ["", "### Notebook cells", "", escapeMarkdown(notebookSummaryText(nb))];
  for (const d of firstCellDiffs(nb, MARKDOWN_NOTEBOOK_DIFFS)) {
    out.push(
      "",
      `Replay ${d.replay} first differs at cell ${d.cell.index}${d.cell.id !== undefined ? ` (id ${markdownCode(d.cell.id)})` : ""}` +
        `${d.more > 0 ? ` (${d.more} more cells differ)` : ""}:`,
      "",
      markdownFence(`${d.cell.diff}${d.cell.truncated ? "\n… (cut)" : ""}`, "diff"),
    );
  }
  return out;
}

function runSection(run: ReportRun): string {
  const verdict = run.score.verdict;
  const lines = [
    `### ${RUN_VERDICT_ICON[verdict]} ${RUN_VERDICT_LABEL[verdict]}: run ${markdownCode(runTitle(run))}`,
    "",
    escapeMarkdown(run.score.reason),
    "",
    `Run ID ${markdownCode(run.runId)} in experiment ${markdownCode(run.experimentId)}${run.originalStatus !== undefined ? ` · original ${markdownCode(run.originalStatus)} (its MLflow status)` : ""} · score ${formatScore(run.score.score)}`,
  ];
  if (run.error !== undefined) lines.push("", `> ⛔ ${escapeMarkdown(run.error)}`);
  if (run.score.findings.length > 0) lines.push("", ...run.score.findings.map((f) => `- ${escapeMarkdown(f)}`));
  lines.push("", ...metricsSection(run));
  lines.push(...notebookSection(run));
  // The details a reviewer opens on demand: folded, so 50 runs still read as a list.
  const more = [
    ...artifactsSection(run),
    "",
    ...planSection(run),
    ...traceSection(run),
    ...environmentSection(run),
    ...outputsSection(run),
    ...replaysSection(run),
  ];
  lines.push(
    "",
    "<details>",
    "<summary>Artifacts, plan, traceability, environment and replays</summary>",
    "",
    ...more,
    "",
    "</details>",
  );
  return lines.join("\n");
}

export function renderMarkdown(doc: Report, budget: number = MARKDOWN_BUDGET): string {
  const h = headerFacts(doc);
  const head = [
    `# ${REPORT_TITLE} ${markdownCode(doc.auditId)}`,
    summaryLine(h, doc),
    doc.runs.length > 0 ? runsOverview(doc) : "_No runs were selected._",
  ];
  const tail = [
    inputsSection(h),
    policySection(doc),
    `---\n\n_Generated by repro-audit ${escapeMarkdown(doc.harness.version)} (report schema ${doc.schema} v${doc.version}). The JSON document report.json is the source of truth._`,
  ];
  const fold = (run: ReportRun): string =>
    [
      `<details${run.score.verdict === "reproduced" ? ">" : " open>"}`,
      `<summary>${RUN_VERDICT_ICON[run.score.verdict]} ${escapeMarkdown(RUN_VERDICT_LABEL[run.score.verdict])}: ${escapeMarkdown(runTitle(run))}</summary>`,
      "",
      runSection(run),
      "",
      "</details>",
    ].join("\n");
  const whole = `${[...head, ...doc.runs.map(fold), ...tail].join("\n\n")}\n`;
  if (whole.length <= budget) return whole;
  // Too long for a comment: the summary, then the worst runs while they fit.
  const note = (left: number) =>
    `_${left} more run${left === 1 ? "" : "s"} (the best-scoring ones) are left out to fit a pull-request comment; report.html and report.json have every run._`;
  const kept: string[] = [];
  let size = [...head, ...tail].join("\n\n").length + note(doc.runs.length).length + 16;
  for (const run of runsWorstFirst(doc.runs)) {
    const section = fold(run);
    if (size + section.length + 2 > budget) break;
    kept.push(section);
    size += section.length + 2;
  }
  const left = doc.runs.length - kept.length;
  return `${[...head, ...kept, ...(left > 0 ? [note(left)] : []), ...tail].join("\n\n")}\n`;
}
