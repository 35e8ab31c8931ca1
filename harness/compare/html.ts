import { REPORT_CSS } from "../report/html-style.js";
import { REPORT_CSP } from "../report/html.js";
import { html, type SafeHtml, trustedHtml } from "../report/html-template.js";
import { formatDeviation, formatValue } from "../report/format-number.js";
import { coord, paddedRange } from "../report/svg-plot.js";
import { type ArmReport, type CompareReport, OVERHEAD_MEASURES, type OverheadMeasure } from "./schema.js";
import { MEASURE_LABEL, meanSd, measureValue, outcomeText, percent, ratioText, verdictWord } from "./text.js";

// The compare report as ONE self-contained HTML file: inline SVG, no script, the
// audit report's CSP and stylesheet. PURE. Every value goes through the `html`
// template, which escapes it; coordinates only through `coord` (finite or it throws).

const COMPARE_CSS = `
table.side td, table.side th { vertical-align: top; }
svg .armdot { stroke: #ffffff; stroke-width: 1.5; }
svg .arm-0 { fill: #5b6475; } svg .arm-1 { fill: #1a56a8; } svg .arm-2 { fill: #1e8e3e; } svg .arm-3 { fill: #b06000; }
svg .bar { fill: #8fb3e8; } svg .bar.base { fill: #d5dae3; }
svg .whisker { stroke: #1d2433; stroke-width: 1.4; }
svg .one { stroke: #b3261e; stroke-dasharray: 4 3; stroke-width: 1.2; }
`;

const W = 520;
const H = 200;
const PAD = { left: 92, right: 16, top: 18, bottom: 40 };

function badge(word: string, cls: string): SafeHtml {
  return html`<span class="badge b-${cls}">${word}</span>`;
}

/** Per metric: each arm a column, each execution a dot (spread sideways by its number). */
function metricDots(doc: CompareReport, name: string): SafeHtml {
  const arms = doc.arms.filter((a) => a.refusal === undefined);
  const cols = arms.map((a) =>
    (a.metrics.find((m) => m.name === name)?.values ?? []).map((v) => (v === null ? Number.NaN : v)),
  );
  const finite = cols.flat().filter(Number.isFinite);
  if (finite.length === 0) return html`<p class="note">${name}: no finite value in any arm</p>`;
  const { lo, hi } = paddedRange(finite, 0.1);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const y = (v: number) => PAD.top + plotH - ((v - lo) / (hi - lo)) * plotH;
  const colW = plotW / Math.max(1, arms.length);
  const dots = arms.flatMap((a, i) =>
    (cols[i] ?? []).map((v, k, all) => {
      const x = PAD.left + colW * (i + 0.5) + (all.length > 1 ? (k / (all.length - 1) - 0.5) * colW * 0.5 : 0);
      if (!Number.isFinite(v))
        return html`<text class="note" x="${coord(x)}" y="${coord(PAD.top + plotH - 4)}" text-anchor="middle">✕</text>`;
      return html`<circle class="armdot arm-${String(i)}" cx="${coord(x)}" cy="${coord(y(v))}" r="5"><title>${a.label} execution ${String(k + 1)}: ${formatValue(v)}</title></circle>`;
    }),
  );
  const labels = arms.map(
    (a, i) =>
      html`<text class="axis" x="${coord(PAD.left + colW * (i + 0.5))}" y="${coord(H - 14)}" text-anchor="middle">${a.label}</text>`,
  );
  const ticks = [lo, (lo + hi) / 2, hi].map(
    (v) =>
      html`<line class="grid" x1="${coord(PAD.left)}" x2="${coord(W - PAD.right)}" y1="${coord(y(v))}" y2="${coord(y(v))}"/><text class="tick" x="${coord(PAD.left - 6)}" y="${coord(y(v))}" text-anchor="end" dominant-baseline="middle">${formatValue(Number(v.toPrecision(8)))}</text>`,
  );
  return html`<figure><svg class="plot" viewBox="0 0 ${String(W)} ${String(H)}" role="img" aria-label="${name} per arm"><rect class="frame" x="${coord(PAD.left)}" y="${coord(PAD.top)}" width="${coord(plotW)}" height="${coord(plotH)}"/>${ticks}${dots}${labels}</svg><figcaption><span class="name">${name}</span><span>each dot one execution</span></figcaption></figure>`;
}

/** Per measure: each arm's median ratio to the baseline as a bar, its 95% interval as a whisker, 1 as a dashed line. */
function overheadBars(doc: CompareReport, m: OverheadMeasure): SafeHtml {
  const arms = doc.arms.filter((a) => a.refusal === undefined);
  const ratio = (a: ArmReport) => (a.overhead ? a.overhead[m] : { ratio: 1, low: null, high: null });
  const vals = arms
    .flatMap((a) => [ratio(a).ratio, ratio(a).high])
    .filter((v): v is number => v !== null && Number.isFinite(v));
  const hi = Math.max(1.2, ...vals) * 1.1;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const y = (v: number) => PAD.top + plotH - (v / hi) * plotH;
  const colW = plotW / Math.max(1, arms.length);
  const bars = arms.map((a, i) => {
    const r = ratio(a);
    const cx = PAD.left + colW * (i + 0.5);
    if (r.ratio === null || !Number.isFinite(r.ratio))
      return html`<text class="note" x="${coord(cx)}" y="${coord(PAD.top + plotH - 4)}" text-anchor="middle">no value</text>`;
    const top = y(r.ratio);
    const bar = html`<rect class="bar${a.overhead ? "" : " base"}" x="${coord(cx - colW * 0.25)}" y="${coord(top)}" width="${coord(colW * 0.5)}" height="${coord(PAD.top + plotH - top)}"><title>${a.label}: ${ratioText(a.overhead?.[m])}</title></rect>`;
    const whisker =
      r.low !== null && r.high !== null && Number.isFinite(r.low) && Number.isFinite(r.high)
        ? html`<line class="whisker" x1="${coord(cx)}" x2="${coord(cx)}" y1="${coord(y(r.low))}" y2="${coord(y(r.high))}"/>`
        : "";
    const label = html`<text class="tick" x="${coord(cx)}" y="${coord(top - 5)}" text-anchor="middle">×${r.ratio.toFixed(2)}</text>`;
    return html`${bar}${whisker}${label}<text class="axis" x="${coord(cx)}" y="${coord(H - 14)}" text-anchor="middle">${a.label}</text>`;
  });
  const one = html`<line class="one" x1="${coord(PAD.left)}" x2="${coord(W - PAD.right)}" y1="${coord(y(1))}" y2="${coord(y(1))}"/>`;
  return html`<figure><svg class="plot" viewBox="0 0 ${String(W)} ${String(H)}" role="img" aria-label="${MEASURE_LABEL[m]} ratio per arm"><rect class="frame" x="${coord(PAD.left)}" y="${coord(PAD.top)}" width="${coord(plotW)}" height="${coord(plotH)}"/>${one}${bars}</svg><figcaption><span class="name">${MEASURE_LABEL[m]}</span><span>median ratio to the baseline, 95% interval</span></figcaption></figure>`;
}

function sideBySide(doc: CompareReport): SafeHtml {
  const arms = doc.arms;
  const metricRows = (arms[0]?.metrics ?? []).map(
    (m) =>
      html`<tr><td>${m.name} <span class="note">mean ± sd</span></td>${arms.map((a) => html`<td class="num">${meanSd(a.metrics.find((x) => x.name === m.name)?.summary ?? { mean: null, sd: null, n: 0 })}</td>`)}</tr>`,
  );
  const usageRows = OVERHEAD_MEASURES.map(
    (m) =>
      html`<tr><td>${MEASURE_LABEL[m]} <span class="note">median</span></td>${arms.map((a) => html`<td class="num">${a.refusal ? "—" : measureValue(m, a.usage[m].median)}${a.overhead ? html`<br>${ratioText(a.overhead[m])}` : ""}</td>`)}</tr>`,
  );
  return html`<table class="side"><thead><tr><th></th>${arms.map((a) => html`<th>${a.label}</th>`)}</tr></thead><tbody>
<tr><td>reproducibility</td>${arms.map((a) => html`<td>${badge(verdictWord(a), a.refusal ? "neutral" : (a.verdict?.verdict ?? "neutral"))}</td>`)}</tr>
${metricRows}
<tr><td>traceability</td>${arms.map((a) => html`<td class="num">${a.refusal ? "—" : percent(a.traceability.score)}</td>`)}</tr>
${usageRows}
</tbody></table>`;
}

function equivalenceTable(doc: CompareReport): SafeHtml {
  if (doc.equivalence.length === 0) return html`<p>No arm besides the baseline ran.</p>`;
  const label = (id: string) => doc.arms.find((a) => a.id === id)?.label ?? id;
  const cls = (v: string) =>
    v === "identical" || v === "equivalent" ? v : v === "different" ? "not_reproduced" : "inconclusive";
  return html`<table><thead><tr><th>arm</th><th>metric</th><th>verdict</th><th class="num">difference of means</th><th class="num">margin</th><th class="num">90% interval</th><th class="num">p (Welch)</th></tr></thead><tbody>${doc.equivalence.map(
    (r) =>
      html`<tr><td>${label(r.arm)}</td><td>${r.metric}</td><td>${badge(r.verdict, cls(r.verdict))}</td><td class="num">${formatDeviation(r.difference)}</td><td class="num">${formatDeviation(r.margin)}</td><td class="num">${r.interval ? `[${formatDeviation(r.interval.low)}, ${formatDeviation(r.interval.high)}]` : "—"}</td><td class="num">${r.p === null ? "—" : r.p.toFixed(3)}</td></tr>`,
  )}</tbody></table><p class="note">${doc.methods.equivalence}</p>`;
}

function armSection(a: ArmReport): SafeHtml {
  if (a.refusal !== undefined)
    return html`<section class="run"><h2>${a.label} ${badge("did not run", "neutral")}</h2><p>${a.description}</p><p>${a.refusal}</p></section>`;
  const names = a.metrics.map((m) => m.name);
  const rows = a.executions.map(
    (e) =>
      html`<tr><td class="num">${String(e.index + 1)}</td><td class="num">${String(e.position)}</td><td>${badge(e.status, e.status === "finished" ? "ok" : "failed")}${e.failure ? html` ${e.failure}` : ""}</td>${names.map((n) => html`<td class="num">${formatValue(Object.hasOwn(e.metrics, n) ? e.metrics[n] : null)}</td>`)}<td class="num">${measureValue("wallSeconds", e.wallSeconds)}</td><td class="num">${measureValue("cpuSeconds", e.cpuSeconds)}</td><td class="num">${measureValue("peakRssBytes", e.peakRssBytes)}</td><td class="num">${measureValue("writtenBytes", e.writtenBytes)}</td><td class="num">${e.traceScore === null ? "—" : percent(e.traceScore)}</td></tr>`,
  );
  const notes = [...new Set(a.executions.flatMap((e) => e.notes))];
  const items = a.traceability.items.map(
    (it) => html`<li>${badge(it.status, it.status)} ${it.label}: <span class="note">${it.detail}</span></li>`,
  );
  return html`<section class="run"><h2>${a.label} ${badge(verdictWord(a), a.verdict?.verdict ?? "neutral")}</h2>
<p>${a.description}</p>
<p>Command <code>${a.command}</code>${a.imageId ? html` · image <code>${a.imageId}</code>` : ""}</p>
${a.verdict ? html`<p>${a.verdict.reason}</p>` : ""}
<table><thead><tr><th class="num">#</th><th class="num">order</th><th>status</th>${names.map((n) => html`<th class="num">${n}</th>`)}<th class="num">wall</th><th class="num">CPU</th><th class="num">peak memory</th><th class="num">written</th><th class="num">trace</th></tr></thead><tbody>${rows}</tbody></table>
${notes.length > 0 ? html`<ul>${notes.map((n) => html`<li class="note">${n}</li>`)}</ul>` : ""}
<h3>Traceability: ${percent(a.traceability.score)}</h3><p class="note">${a.traceability.note}</p>${items.length > 0 ? html`<ul>${items}</ul>` : ""}
</section>`;
}

export function renderCompareHtml(doc: CompareReport): string {
  const base = doc.arms.find((a) => a.id === doc.baseline);
  const names = doc.arms.find((a) => a.refusal === undefined)?.metrics.map((m) => m.name) ?? [];
  const verdictClass = doc.outcome.exitCode === 0 ? "reproduced" : "not_reproduced";
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>repro-audit compare ${doc.workload.name ?? doc.workload.path}: ${outcomeText(doc)}</title>
<style>${trustedHtml(REPORT_CSS)}${trustedHtml(COMPARE_CSS)}</style>
</head>
<body>
<header class="top v-${verdictClass}"><div class="verdict-lead"><div class="verdict-word">${outcomeText(doc)}</div>
<p class="meta">compare ${doc.compareId} · ${doc.workload.name ?? doc.workload.path} · ${String(doc.replays)} execution(s) per arm, interleaved · baseline ${base?.label ?? doc.baseline} · exit code ${String(doc.outcome.exitCode)} · ${doc.createdAt}</p>
${doc.outcome.reasons.length > 0 ? html`<ul>${doc.outcome.reasons.map((r) => html`<li>${r}</li>`)}</ul>` : ""}
<p class="meta">params ${Object.entries(doc.workload.params).map(([k, v]) => html`<code>${k}=${v}</code> `)}</p></div></header>
<h2>Side by side</h2>
${sideBySide(doc)}
<h2>Metrics per arm</h2>
<div class="plots">${names.map((n) => metricDots(doc, n))}</div>
<h2>Did tracking change the results?</h2>
${equivalenceTable(doc)}
<h2>Overhead against ${base?.label ?? doc.baseline}</h2>
<div class="plots">${OVERHEAD_MEASURES.map((m) => overheadBars(doc, m))}</div>
<p class="note">${doc.methods.ratio}</p>
<ul>${OVERHEAD_MEASURES.map((m) => html`<li class="note">${doc.methods.measurement[m]}</li>`)}</ul>
${doc.arms.map(armSection)}
<h2>Methods</h2>
<p class="note">Tolerance: ${doc.methods.tolerance}</p>
<p class="note">Arm verdicts: ${doc.methods.verdict}</p>
<p class="note">Traceability: ${doc.methods.traceability}</p>
${doc.findings.length > 0 ? html`<h2>Findings</h2><ul>${doc.findings.map((f) => html`<li>${f}</li>`)}</ul>` : ""}
<footer>repro-audit ${doc.harness.version} · schema ${doc.schema} v${String(doc.version)} · report.json is the source of truth · this file makes no network requests and runs no scripts</footer>
</body>
</html>
`.toString();
}
