/**
 * The HTML rendering: ONE self-contained file. No scripts at all, no external
 * fonts, images or stylesheets, and a CSP that forbids fetching anything even if
 * some markup slipped through. Every interpolation goes through the `html`
 * template (html-template.ts), which escapes by default.
 */
import type { MetricScore } from "../drift/schema.js";
import { artifactResultText, semanticNote } from "./artifact-text.js";
import { noDifferencesText, reportFacts } from "./environment-facts.js";
import { environmentCountsText, FACT_STATE_TEXT, type FactState } from "./fact-comparison.js";
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
import { REPORT_TITLE, headerFacts, type FactPart, type HeaderFacts } from "./header-facts.js";
import { REPORT_CSS } from "./html-style.js";
import { html, trustedHtml, type SafeHtml } from "./html-template.js";
import { runTitle } from "./run-title.js";
import { formatBytes } from "../exec/work-tree-diff.js";
import { contentText, outputRows, replaysText } from "./replay-outputs.js";
import { firstCellDiffs, notebookSummaryText } from "./notebook-findings.js";
import type { Report, ReportReplay, ReportRun } from "./schema.js";
import { historyPlot, metricPlot } from "./svg-plot.js";
import { auditReason } from "./audit-reason.js";
import { meanChange, rankText, replayValues } from "./metric-rows.js";
import { METRIC_VERDICT_LABEL, RESUME_NOTE, RUN_VERDICT_LABEL } from "./verdict-labels.js";
import { replayLabel } from "../drift/format.js";
import {
  isVersionDifference,
  reportVersions,
  VERSION_STATE_TEXT,
  versionCountsText,
  type VersionComparisonItem,
} from "./version-comparison.js";

/** Forbids every fetch, every script, every frame; only inline CSS and data: images. */
export const REPORT_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

function badge(kind: string, text: string, big = false): SafeHtml {
  // `kind` is one of our enum values; it is still escaped like everything else.
  return html`<span class="badge${big ? " big" : ""} b-${kind}">${text}</span>`;
}

function num(text: string): SafeHtml {
  return html`<td class="num">${text}</td>`;
}

function yesNo(flag: boolean | null, yes = "yes", no = "no"): SafeHtml {
  if (flag === null) return html`<span class="sub">unknown</span>`;
  return flag ? html`<span class="flag-yes">${yes}</span>` : html`<span class="flag-no">${no}</span>`;
}

function paragraphs(text: string): SafeHtml[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== "")
    .map((p) => html`<p>${p}</p>`);
}

function factValue(parts: readonly FactPart[]): SafeHtml[] {
  return parts.map((p) => ("code" in p ? html`<code>${p.code}</code>` : html`${p.text}`));
}

function header(doc: Report, h: HeaderFacts): SafeHtml {
  const r = h.runs;
  // The verdict leads, in its word and colour, then its reason; the score is secondary.
  // No emoji here: the page may only use system fonts, which often lack them.
  return html`<header class="top v-${h.verdict}">
  <div class="verdict-lead">
    <div class="verdict-word">${RUN_VERDICT_LABEL[h.verdict]}</div>
    <p class="verdict-reason">${auditReason(doc)}</p>
  </div>
  <div class="top-meta">
    <h1>${REPORT_TITLE}</h1>
    <div class="meta">Audit <code>${doc.auditId}</code> · ${doc.createdAt} · repro-audit ${doc.harness.version} on Node ${doc.harness.node}</div>
    <div class="meta">${h.tracking.label} ${factValue(h.tracking.value)}</div>
    <div class="meta">audit score <strong>${h.score}</strong>${h.scoreNote}</div>
  </div>
</header>
${
  h.resume !== undefined
    ? html`<div class="notice">This audit is ${RUN_VERDICT_LABEL.incomplete}: some replays did not run or were stopped by an infrastructure fault, so its verdicts are not settled. Finish it with <code>${h.resume}</code> (${RESUME_NOTE}).</div>`
    : ""
}
<div class="cards">
  <div class="card"><div class="n">${String(r.total)}</div><div class="l">runs audited</div></div>
  <div class="card"><div class="n" style="color:var(--ok)">${String(r.reproduced)}</div><div class="l">reproduced</div></div>
  ${r.consistent_with_variance > 0 ? html`<div class="card"><div class="n" style="color:var(--warn)">${String(r.consistent_with_variance)}</div><div class="l">${RUN_VERDICT_LABEL.consistent_with_variance}</div></div>` : ""}
  ${r.inconclusive > 0 ? html`<div class="card"><div class="n" style="color:var(--unk)">${String(r.inconclusive)}</div><div class="l">${RUN_VERDICT_LABEL.inconclusive}</div></div>` : ""}
  <div class="card"><div class="n" style="color:var(--bad)">${String(r.not_reproduced)}</div><div class="l">not reproduced</div></div>
  <div class="card"><div class="n" style="color:var(--fail)">${String(r.failed)}</div><div class="l">failed</div></div>
  ${r.incomplete > 0 ? html`<div class="card"><div class="n" style="color:var(--warn)">${String(r.incomplete)}</div><div class="l">${RUN_VERDICT_LABEL.incomplete}</div></div>` : ""}
  <div class="card"><div class="n">${h.replaysPerRun}</div><div class="l">replays per run${h.maxReplays !== undefined ? ` (auto, ≤ ${String(h.maxReplays)})` : ""}</div></div>
  <div class="card"><div class="n">${doc.inputs.executor}</div><div class="l">executor · ${String(doc.inputs.parallel)} parallel${engineCount(doc.inputs.engines)}</div></div>
</div>`;
}

/**
 * Runs shown in report.html itself; a larger audit's report.html is the summary
 * (header, one table row per run, inputs and policy) and each run's details are on
 * its own page, run-reports/<NNNN>/report.html, so no page grows with the audit.
 */
export const INLINE_RUNS = 20;

/**
 * Each run's own report folder under results/<audit-id>/, by its position in the
 * report (never a server-given name), apart from the audit's runs/<run-id>/ (journals, plans).
 */
export function runPartDir(position: number): string {
  return `run-reports/${String(position).padStart(4, "0")}`;
}

const inline = (doc: Report): boolean => doc.runs.length <= INLINE_RUNS;

function overview(doc: Report): SafeHtml {
  if (doc.runs.length === 0) return html`<h2>Runs</h2><p>No runs were selected.</p>`;
  const href = (i: number) => (inline(doc) ? `#run-${String(i)}` : `${runPartDir(i)}/report.html`);
  const rows = doc.runs.map((run, i) => {
    const c = run.score.counts;
    const ok = run.replays.filter((r) => r.status === "ok").length;
    return html`<tr>
  <td><a href="${href(i)}">${runTitle(run)}</a><div class="sub mono">${run.runId}</div></td>
  <td>${badge(run.score.verdict, RUN_VERDICT_LABEL[run.score.verdict])}</td>
  ${num(formatScore(run.score.score))}
  <td>${c.identical > 0 ? badge("identical", `${c.identical} identical`) : ""} ${c.equivalent > 0 ? badge("equivalent", `${c.equivalent} equivalent`) : ""} ${c.varies > 0 ? badge("varies", `${c.varies} varies`) : ""} ${c.inconclusive > 0 ? badge("inconclusive", `${c.inconclusive} inconclusive`) : ""} ${c.not_reproduced > 0 ? badge("not_reproduced", `${c.not_reproduced} not reproduced`) : ""} ${c.failed > 0 ? badge("failed", `${c.failed} failed`) : ""}</td>
  ${num(`${ok} / ${run.replays.length}`)}
  ${num(formatPercent(run.traceability.score))}
</tr>`;
  });
  const pages = inline(doc)
    ? ""
    : html`<p class="sub">${String(doc.runs.length)} runs: each run's metrics, plots, environment and replays are on its own page (the run's link; <code>run-reports/NNNN/report.html</code> beside this file).</p>`;
  return html`<h2>Runs</h2>${pages}
<table><thead><tr><th>Run</th><th>Verdict</th><th class="num">Score</th><th>Metrics</th><th class="num">Replays ok</th><th class="num">Traceability</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

function inputsAndPolicy(doc: Report, h: HeaderFacts): SafeHtml {
  const t = doc.inputs.tolerance;
  const overrides = Object.entries(t.perMetric).map(
    ([name, o]) =>
      html`<tr><td><code>${name}</code></td>${num(o.abs === undefined ? "default" : formatDeviation(o.abs))}${num(o.rel === undefined ? "default" : formatDeviation(o.rel))}${num(o.ulps === undefined ? "default" : formatUlps(o.ulps))}</tr>`,
  );
  return html`<h2>Inputs and tolerance policy</h2>
<table><tbody>
  <tr><th>${h.selection.label}</th><td>${factValue(h.selection.value)}</td></tr>
  <tr><th>${h.replays.label}</th><td>${factValue(h.replays.value)}</td></tr>
</tbody></table>
<h3>Tolerance</h3>
<table><thead><tr><th>Metric</th><th class="num">abs</th><th class="num">rel</th><th class="num">ULPs</th></tr></thead>
<tbody><tr><td><em>default</em></td>${num(formatDeviation(t.default.abs))}${num(formatDeviation(t.default.rel))}${num(formatUlps(t.default.ulps))}</tr>${overrides}</tbody></table>
<div class="policy">${paragraphs(doc.policyText)}<p><strong>Score formula.</strong> ${doc.score.formula}</p></div>`;
}

function metricsTable(run: ReportRun): SafeHtml {
  if (run.metrics.length === 0) return html`<p class="sub">No metrics were compared.</p>`;
  // The reason gets a full-width row of its own under its metric: a Reason column
  // beside the numbers was squeezed and clipped at common widths (1400, 1920 px).
  const rows = run.metrics.map((m) => {
    const s = m.stats;
    const values = replayValues(m).map(
      (r) =>
        html`<div><span class="sub">${r.label}</span> ${r.value}${r.change === MISSING ? "" : html` <span class="chg">(${r.change})</span>`}</div>`,
    );
    return html`<tr class="metric">
  <td class="name"><code>${m.name}</code></td>
  <td>${badge(m.verdict, METRIC_VERDICT_LABEL[m.verdict])}</td>
  ${num(formatValue(m.original))}
  <td class="num replays">${values.length > 0 ? values : MISSING}</td>
  ${num(meanChange(m))}
  ${num(s ? formatMeanStd(s.mean, s.std) : MISSING)}
  <td class="rank">${m.rank ? rankText(m.rank) : MISSING}</td>
</tr>
<tr class="why"><td colspan="7"><span class="reason">${m.reason}</span>${m.findings.length > 0 ? html`<ul class="findings">${m.findings.map((f) => html`<li>${f}</li>`)}</ul>` : ""}</td></tr>`;
  });
  return html`<table class="metrics"><thead><tr><th>Metric</th><th>Verdict</th><th class="num">Original</th><th class="num">Replays (change vs original)</th><th class="num">Mean change</th><th class="num">Mean ± std</th><th>Rank of the original</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

function metricFigure(m: MetricScore): SafeHtml {
  return html`<figure>${metricPlot(m)}<figcaption><span class="name">${m.name}</span>${badge(m.verdict, METRIC_VERDICT_LABEL[m.verdict])}</figcaption></figure>`;
}

function plots(run: ReportRun): SafeHtml {
  if (run.metrics.length === 0) return html``;
  const legend = html`<div class="legend"><span><span class="sw line" style="background:#1d2433"></span>original</span><span><span class="sw" style="background:#34a853;opacity:.35;border-radius:2px"></span>tolerance band</span><span><span class="sw" style="background:#1e8e3e"></span>replay within tolerance</span><span><span class="sw" style="background:#d93025"></span>replay outside tolerance</span><span><span class="sw" style="background:#1a56a8;opacity:.5;border-radius:2px"></span>replay interval</span></div>`;
  const histories = Object.entries(run.histories ?? {});
  const historyBlock =
    histories.length > 0
      ? html`<h3>Step histories</h3><div class="legend"><span><span class="sw line" style="background:#1d2433"></span>original</span><span><span class="sw line" style="background:#1a73e8"></span>replays (one colour each)</span></div>
<div class="plots">${histories.map(([name, h]) => {
          const cmp = run.metrics.find((m) => m.name === name)?.history;
          const note = !cmp
            ? ""
            : cmp.maxAbsDev === 0
              ? `no deviation at any of ${cmp.stepsCompared} steps`
              : `max abs. dev. ${formatDeviation(cmp.maxAbsDev)}${cmp.atStep !== null ? ` at step ${formatValue(cmp.atStep)}` : ""}`;
          return html`<figure>${historyPlot(name, h)}<figcaption><span class="name">${name}</span><span>${note}</span></figcaption></figure>`;
        })}</div>`
      : "";
  return html`<h3>Per-metric plots</h3>${legend}<div class="plots">${run.metrics.map(metricFigure)}</div>${historyBlock}`;
}

function artifacts(run: ReportRun): SafeHtml {
  if (run.artifacts.length === 0) return html``;
  const rows = run.artifacts.map((a) => {
    const hashes = a.replaySha256.map(
      (h, i) =>
        html`<div class="mono sub">${replayLabel(i)}: ${h === null ? MISSING : h.slice(0, 16)}${h !== null && h === a.originalSha256 ? " ✓" : ""}</div>`,
    );
    const note = a.semantic !== undefined ? html`<div class="sub">${semanticNote(a.semantic)}</div>` : "";
    return html`<tr><td><code>${a.path}</code></td><td class="mono">${a.originalSha256 !== undefined ? a.originalSha256.slice(0, 16) : MISSING}</td><td>${hashes}</td><td>${badge(a.identical ? "identical" : "not_reproduced", artifactResultText(a))}${note}</td></tr>`;
  });
  return html`<h3>Artifacts</h3><table><thead><tr><th>Artifact</th><th>Original sha256</th><th>Replays</th><th>Result</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function planAndImage(run: ReportRun): SafeHtml {
  const p = run.plan;
  const img = run.image;
  const planRows = p
    ? html`<tr><th>Source</th><td><code>${p.source}</code>${p.entryPoint !== undefined ? html`, entry point <code>${p.entryPoint}</code>` : ""}</td></tr>
<tr><th>Code</th><td><code>${p.codeSource}</code></td></tr>
<tr><th>Original tree dirty</th><td>${yesNo(p.dirtyOriginal === null ? null : !p.dirtyOriginal, "no", "yes")}</td></tr>
<tr><th>Recorded diff applied</th><td>${p.diffApplied ? "yes" : "no"}</td></tr>
<tr><th>Params</th><td>${Object.keys(p.params).length === 0 ? html`<span class="sub">none</span>` : Object.entries(p.params).map(([k, v]) => html`<div><code>${k}</code> = <code>${v}</code></div>`)}</td></tr>`
    : html`<tr><th>Plan</th><td>No replay plan could be made.</td></tr>`;
  const mismatches =
    img.mismatches.length > 0
      ? html`<div class="warnbox"><strong>Environment differs from what was requested</strong><ul class="findings">${img.mismatches.map(
          (m) =>
            html`<li><code>${m.what}</code>: requested <code>${m.requested}</code>, ran with <code>${m.actual}</code></li>`,
        )}</ul></div>`
      : "";
  return html`<h3>Plan and image</h3>
<table><tbody>${planRows}
<tr><th>Image</th><td>${img.id !== undefined ? html`<code>${img.id}</code>` : html`<span class="sub">none</span>`}${img.tag !== undefined ? html` <span class="sub">(${img.tag})</span>` : ""}${img.builtFrom !== undefined ? html`<div class="sub">built from ${img.builtFrom}</div>` : ""}</td></tr>
</tbody></table>
${mismatches}
${p ? html`<pre>${p.command}</pre>` : ""}`;
}

function traceability(run: ReportRun): SafeHtml {
  const items = run.traceability.items.map(
    (item) =>
      html`<li>${badge(item.status, item.status.replace("_", " "))}<span class="label">${item.label}</span><span class="detail">${item.detail}</span></li>`,
  );
  return html`<h3>Traceability checklist <span class="sub">(${formatPercent(run.traceability.score)})</span></h3><ul class="checklist">${items}</ul>`;
}

function unifiedDiff(text: string): SafeHtml {
  const lines = text.split("\n").map((line) => {
    const cls = line.startsWith("@@")
      ? "hunk"
      : line.startsWith("+") && !line.startsWith("+++")
        ? "add"
        : line.startsWith("-") && !line.startsWith("---")
          ? "del"
          : "";
    return cls === "" ? html`${line}\n` : html`<span class="${cls}">${line}</span>\n`;
  });
  return html`<pre class="diff">${lines}</pre>`;
}

/** Replays whose first differing notebook cell is shown. */
const HTML_NOTEBOOK_DIFFS = 5;

/** A notebook run: what was compared, and for each diverged replay its first differing cell as a unified diff. */
function notebookCells(run: ReportRun): SafeHtml | "" {
  const nb = run.notebook;
  if (nb === undefined) return "";
  const diffs = firstCellDiffs(nb, HTML_NOTEBOOK_DIFFS).map(
    (d) =>
      html`<h4>Replay ${String(d.replay)}: first differs at cell ${String(d.cell.index)}${d.cell.id !== undefined ? html` <span class="sub">(id <code>${d.cell.id}</code>)</span>` : ""}${d.more > 0 ? html` <span class="sub">(${String(d.more)} more cells differ)</span>` : ""}</h4>${unifiedDiff(`${d.cell.diff}${d.cell.truncated ? "\n… (cut)" : ""}`)}`,
  );
  return html`<h3>Notebook cells</h3><p class="sub">${notebookSummaryText(nb)}</p>${diffs}`;
}

function factStateBadge(state: FactState): SafeHtml {
  if (state === "same") return badge("identical", FACT_STATE_TEXT.same);
  if (state === "differs") return badge("varies", FACT_STATE_TEXT.differs);
  // Grey, not red: nothing was found to differ, nothing could be compared.
  return badge("neutral", FACT_STATE_TEXT[state]);
}

function environment(run: ReportRun): SafeHtml {
  const { facts, counts } = reportFacts(run);
  const factTable =
    facts.length > 0
      ? html`<table><thead><tr><th>Fact</th><th>Original (as recorded)</th><th>Replays</th><th>Comparison</th></tr></thead><tbody>${facts.map(
          (f) =>
            html`<tr class="${f.state === "differs" ? "differs" : ""}"><td>${f.fact}</td><td class="mono">${f.original ?? MISSING}</td><td class="mono">${f.replays ?? MISSING}</td><td>${factStateBadge(f.state)}</td></tr>`,
        )}</tbody></table>`
      : "";
  const recorded = Object.entries(run.fingerprints.original?.recorded ?? {});
  const recordedBlock =
    recorded.length > 0
      ? html`<details><summary>What the original run recorded (${String(recorded.length)} ${recorded.length === 1 ? "entry" : "entries"})</summary><table><tbody>${recorded.map(([k, v]) => html`<tr><td><code>${k}</code></td><td class="mono">${v}</td></tr>`)}</tbody></table></details>`
      : "";
  const changes = run.fingerprintDiff.changes;
  const changeTable =
    changes.length > 0
      ? html`<table><thead><tr><th>Path</th><th>Change</th><th>Original</th><th>Replay</th></tr></thead><tbody>${changes.map(
          (c) =>
            html`<tr><td><code>${c.path}</code>${c.category !== undefined ? html` <span class="sub">${c.category}</span>` : ""}</td><td>${badge(c.kind === "changed" ? "varies" : c.kind === "added" ? "neutral" : "missing", c.kind)}</td><td class="mono">${changeBeforeText(c)}</td><td class="mono">${changeAfterText(c)}</td></tr>`,
        )}</tbody></table>`
      : html`<p class="sub">${noDifferencesText(counts)}</p>`;
  const diff =
    run.fingerprintDiff.unified.trim() !== ""
      ? html`<details open><summary>Unified diff</summary>${unifiedDiff(run.fingerprintDiff.unified)}</details>`
      : "";
  return html`<h3>Environment</h3>${factTable}${versionsBlock(run)}${recordedBlock}<h3>Environment diff <span class="sub">(${environmentCountsText(changes.length, counts)})</span></h3>${changeTable}${diff}`;
}

function versionBadge(item: VersionComparisonItem): SafeHtml {
  const text = VERSION_STATE_TEXT[item.state];
  if (item.state === "same") return badge("identical", text);
  if (item.state === "not_recorded_replays") return badge("neutral", text);
  return badge("varies", text);
}

/** The Python and library versions the original's logged model recorded, each against the replays; open when one differs. */
function versionsBlock(run: ReportRun): SafeHtml | string {
  const versions = reportVersions(run);
  if (versions === undefined) return "";
  const open = versions.items.some(isVersionDifference) ? trustedHtml(" open") : "";
  const rows = versions.items.map(
    (i) =>
      html`<tr class="${isVersionDifference(i) ? "differs" : ""}"><td><code>${i.name}</code></td><td class="mono">${i.original}</td><td class="sub">${i.source}</td><td class="mono">${i.replays ?? MISSING}</td><td>${versionBadge(i)}</td></tr>`,
  );
  const notes = versions.notes.length > 0 ? html`<ul>${versions.notes.map((n) => html`<li>${n}</li>`)}</ul>` : "";
  return html`<details${open}><summary>Versions the original recorded (${versionCountsText(versions)})</summary><table><thead><tr><th>Name</th><th>Original</th><th>Recorded in</th><th>Replays</th><th>Comparison</th></tr></thead><tbody>${rows}</tbody></table>${notes}</details>`;
}

function replayRow(r: ReportReplay): SafeHtml {
  const tail =
    r.stderrTail !== undefined && r.stderrTail.trim() !== ""
      ? html`<details${r.status !== "ok" ? trustedHtml(" open") : ""}><summary>stderr (tail)</summary><pre>${r.stderrTail}</pre></details>`
      : "";
  return html`<tr>
  ${num(String(r.index + 1))}
  <td>${badge(r.status, r.status)}${r.message !== undefined ? html`<div class="sub">${r.message}</div>` : ""}${tail}</td>
  ${num(r.exitCode === null ? MISSING : String(r.exitCode))}
  ${num(formatDurationMs(r.durationMs))}
  <td>${yesNo(r.isolated)}</td>
  <td>${yesNo(r.pinned)}</td>
  <td class="mono nowrap">${r.runId ?? MISSING}</td>
  <td class="mono nowrap">${r.imageId !== undefined ? r.imageId.slice(0, 19) : MISSING}</td>
</tr>`;
}

/** Files listed per run in HTML (report.json has each replay's own list). */
const HTML_OUTPUT_ROWS = 50;

/** The files the replays wrote in their own copies of the code, folded. */
function outputs(run: ReportRun): SafeHtml | "" {
  const { rows, more, withCopy } = outputRows(run, HTML_OUTPUT_ROWS);
  if (withCopy === 0 || (rows.length === 0 && more === 0)) return "";
  const body = rows.map(
    (r) =>
      html`<tr><td><code>${r.path}</code></td><td>${r.changes.join(", ")}</td>${num(formatBytes(r.sizes[0] ?? 0))}<td class="mono">${contentText(r)}</td><td>${replaysText(r, withCopy)}</td></tr>`,
  );
  const tail = more > 0 ? html`<p class="sub">…and ${String(more)} more (see report.json).</p>` : "";
  return html`<details><summary>Files the replays wrote (${String(rows.length + more)})</summary><p class="sub">In each replay's own copy of the code, removed after the replay: listed here, not kept or scored.</p><table><thead><tr><th>File</th><th>Change</th><th class="num">Size</th><th>Content</th><th>Replays</th></tr></thead><tbody>${body}</tbody></table>${tail}</details>`;
}

function replays(run: ReportRun): SafeHtml {
  if (run.replays.length === 0) return html`<h3>Replays</h3><p class="sub">No replays ran.</p>`;
  return html`<h3>Replays</h3><table><thead><tr><th class="num">#</th><th>Status</th><th class="num">Exit</th><th class="num">Duration</th><th>Isolated</th><th>Pinned</th><th>Replay run</th><th>Image</th></tr></thead><tbody>${run.replays.map(replayRow)}</tbody></table>${outputs(run)}`;
}

function runSection(run: ReportRun, i: number): SafeHtml {
  return html`<section class="run" id="run-${String(i)}">
<h2>${badge(run.score.verdict, RUN_VERDICT_LABEL[run.score.verdict], true)} ${runTitle(run)}</h2>
<p class="run-reason">${run.score.reason}</p>
<div class="sub">Run <code>${run.runId}</code> · experiment <code>${run.experimentId}</code>${run.originalStatus !== undefined ? html` · original <code>${run.originalStatus}</code> (its MLflow status)` : ""} · score ${formatScore(run.score.score)}</div>
${run.error !== undefined ? html`<div class="notice">${run.error}</div>` : ""}
${run.score.findings.length > 0 ? html`<ul class="findings">${run.score.findings.map((f) => html`<li>${f}</li>`)}</ul>` : ""}
<h3>Metrics</h3>
${metricsTable(run)}
${plots(run)}
${notebookCells(run)}
${artifacts(run)}
${planAndImage(run)}
${traceability(run)}
${environment(run)}
${replays(run)}
</section>`;
}

function page(title: string, body: SafeHtml | SafeHtml[], doc: Report): string {
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${trustedHtml(REPORT_CSS)}</style>
</head>
<body>
${body}
<footer>repro-audit ${doc.harness.version} · report schema ${doc.schema} v${String(doc.version)} · report.json is the source of truth · this file makes no network requests and runs no scripts</footer>
</body>
</html>
`.toString();
}

/** report.html: the whole audit when it has at most INLINE_RUNS runs, else its summary with a link to each run's page. */
export function renderHtml(doc: Report): string {
  const h = headerFacts(doc);
  return page(
    `${REPORT_TITLE} ${doc.auditId}: ${RUN_VERDICT_LABEL[h.verdict]}`,
    [header(doc, h), overview(doc), inputsAndPolicy(doc, h), ...(inline(doc) ? doc.runs.map(runSection) : [])],
    doc,
  );
}

/** What every run's page shares, rendered once: the pages together cost what the runs do, not runs × runs. */
export interface RunPageContext {
  doc: Report;
  top: SafeHtml;
  policy: SafeHtml;
}

export function runPageContext(doc: Report): RunPageContext {
  const h = headerFacts(doc);
  return { doc, top: header(doc, h), policy: inputsAndPolicy(doc, h) };
}

/**
 * Run `position`'s own page (run-reports/<NNNN>/report.html, what publishing attaches to
 * that run): the audit's header, then the run's section, then the policy.
 */
export function renderRunPage(ctx: RunPageContext, position: number): string {
  const { doc } = ctx;
  const run = doc.runs[position];
  if (run === undefined) throw new RangeError(`the report has no run at position ${position}`);
  return page(
    `${REPORT_TITLE} ${doc.auditId}: ${runTitle(run)}: ${RUN_VERDICT_LABEL[run.score.verdict]}`,
    [
      ctx.top,
      html`<p class="sub">Run ${String(position + 1)} of ${String(doc.runs.length)} in audit <code>${doc.auditId}</code>. The whole audit: <a href="../../report.html">report.html</a> in its results folder; attached to a run, the audit's summary is <code>report.md</code> beside this page.</p>`,
      runSection(run, position),
      ctx.policy,
    ],
    doc,
  );
}

/** " · 2 engines (1 down)" on the executor card, when the audit was given engines. */
function engineCount(engines: Report["inputs"]["engines"]): string {
  if (engines === undefined || engines.length <= 1) return "";
  const down = engines.filter((e) => e.down !== undefined).length;
  return ` · ${engines.length} engines${down > 0 ? ` (${down} down)` : ""}`;
}
