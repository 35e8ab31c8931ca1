import { escapeMarkdown, markdownCode } from "../report/escape.js";
import { formatDeviation, formatValue } from "../report/format-number.js";
import { type CompareReport, OVERHEAD_MEASURES } from "./schema.js";
import { MEASURE_LABEL, meanSd, measureValue, outcomeText, percent, ratioText, verdictWord } from "./text.js";

// The compare report as Markdown, for a pull request or a write-up. PURE. Every
// string that came from the workload (names, commands, notes, failures) is escaped.

// escapeMarkdown flattens line breaks and escapes | too, so a value cannot split a table cell.
const cell = (v: unknown) => escapeMarkdown(v);

export function renderCompareMarkdown(doc: CompareReport): string {
  const arms = doc.arms;
  const base = arms.find((a) => a.id === doc.baseline);
  const L: string[] = [];
  L.push(`# repro-audit compare ${cell(doc.workload.name ?? doc.workload.path)}: ${outcomeText(doc)}`);
  L.push("");
  L.push(
    `Compare ${markdownCode(doc.compareId)} · ${doc.replays} execution(s) per arm, interleaved · baseline ${cell(base?.label ?? doc.baseline)} · exit code ${doc.outcome.exitCode} · ${doc.createdAt}`,
  );
  L.push("");
  L.push(
    `Workload: ${markdownCode(doc.workload.path)}${doc.workload.runId ? ` (run ${markdownCode(doc.workload.runId)})` : ""}; params ${
      Object.entries(doc.workload.params)
        .map(([k, v]) => markdownCode(`${k}=${v}`))
        .join(", ") || "none"
    }.`,
  );
  for (const r of doc.outcome.reasons) L.push(`- ${cell(r)}`);
  L.push("");
  L.push("## Side by side");
  L.push("");
  L.push(`| | ${arms.map((a) => cell(a.label)).join(" | ")} |`);
  L.push(`|---|${arms.map(() => "---").join("|")}|`);
  L.push(`| reproducibility | ${arms.map((a) => cell(verdictWord(a))).join(" | ")} |`);
  for (const m of arms[0]?.metrics ?? []) {
    L.push(
      `| ${cell(m.name)} (mean ± sd) | ${arms.map((a) => cell(meanSd(a.metrics.find((x) => x.name === m.name)?.summary ?? { mean: null, sd: null, n: 0 }))).join(" | ")} |`,
    );
  }
  L.push(`| traceability | ${arms.map((a) => (a.refusal ? "—" : percent(a.traceability.score))).join(" | ")} |`);
  for (const m of OVERHEAD_MEASURES) {
    L.push(
      `| ${MEASURE_LABEL[m]} (median) | ${arms
        .map((a) =>
          a.refusal ? "—" : `${measureValue(m, a.usage[m].median)}${a.overhead ? ` ${ratioText(a.overhead[m])}` : ""}`,
        )
        .join(" | ")} |`,
    );
  }
  L.push("");
  L.push("## Did tracking change the results?");
  L.push("");
  if (doc.equivalence.length === 0) L.push("No arm besides the baseline ran.");
  else {
    L.push("| arm | metric | verdict | difference of means | margin | 90% interval | p (Welch) |");
    L.push("|---|---|---|---|---|---|---|");
    for (const r of doc.equivalence) {
      const arm = arms.find((a) => a.id === r.arm);
      L.push(
        `| ${cell(arm?.label ?? r.arm)} | ${cell(r.metric)} | ${r.verdict} | ${formatDeviation(r.difference)} | ${formatDeviation(r.margin)} | ${r.interval ? `[${formatDeviation(r.interval.low)}, ${formatDeviation(r.interval.high)}]` : "—"} | ${r.p === null ? "—" : r.p.toFixed(3)} |`,
      );
    }
  }
  L.push("");
  L.push(`Rule: ${cell(doc.methods.equivalence)}`);
  L.push("");
  L.push(`## Overhead against ${cell(base?.label ?? doc.baseline)}`);
  L.push("");
  L.push("| arm | measure | median | ratio [95% interval] |");
  L.push("|---|---|---|---|");
  for (const a of arms) {
    if (a.refusal) continue;
    for (const m of OVERHEAD_MEASURES)
      L.push(
        `| ${cell(a.label)} | ${MEASURE_LABEL[m]} | ${measureValue(m, a.usage[m].median)} | ${a.overhead ? ratioText(a.overhead[m]) : "baseline"} |`,
      );
  }
  L.push("");
  L.push(`Ratios: ${cell(doc.methods.ratio)}`);
  L.push("");
  for (const m of OVERHEAD_MEASURES) L.push(`- ${cell(doc.methods.measurement[m])}`);
  L.push("");
  L.push("## Traceability of what each arm recorded");
  L.push("");
  for (const a of arms) {
    L.push(
      `- **${cell(a.label)}**: ${a.refusal ? "did not run" : `${percent(a.traceability.score)} (${cell(a.traceability.note)})`}`,
    );
    for (const it of a.traceability.items) L.push(`  - ${it.status}: ${cell(it.label)}: ${cell(it.detail)}`);
  }
  L.push("");
  L.push(cell(doc.methods.traceability));
  L.push("");
  L.push("## Arms");
  for (const a of arms) {
    L.push("");
    L.push(`### ${cell(a.label)}: ${cell(verdictWord(a))}`);
    L.push("");
    L.push(cell(a.description));
    L.push("");
    if (a.refusal) {
      L.push(`Not run: ${cell(a.refusal)}`);
      continue;
    }
    L.push(`Command: ${markdownCode(a.command)}${a.imageId ? ` · image ${markdownCode(a.imageId)}` : ""}`);
    if (a.verdict) L.push(`\nVerdict: ${cell(a.verdict.reason)}`);
    L.push("");
    const names = a.metrics.map((m) => m.name);
    L.push(`| # | order | status | ${names.map(cell).join(" | ")} | wall | CPU | peak memory | written | trace |`);
    L.push(`|---|---|---|${names.map(() => "---").join("|")}|---|---|---|---|---|`);
    for (const e of a.executions) {
      L.push(
        `| ${e.index + 1} | ${e.position} | ${e.status}${e.failure ? `: ${cell(e.failure)}` : ""} | ${names.map((n) => formatValue(Object.hasOwn(e.metrics, n) ? e.metrics[n] : null)).join(" | ")} | ${measureValue("wallSeconds", e.wallSeconds)} | ${measureValue("cpuSeconds", e.cpuSeconds)} | ${measureValue("peakRssBytes", e.peakRssBytes)} | ${measureValue("writtenBytes", e.writtenBytes)} | ${e.traceScore === null ? "—" : percent(e.traceScore)} |`,
      );
    }
    const notes = [...new Set(a.executions.flatMap((e) => e.notes))];
    for (const n of notes) L.push(`- note: ${cell(n)}`);
  }
  L.push("");
  L.push("## Methods");
  L.push("");
  L.push(`- Tolerance: ${cell(doc.methods.tolerance)}`);
  L.push(`- Arm verdicts: ${cell(doc.methods.verdict)}`);
  if (doc.findings.length > 0) {
    L.push("");
    L.push("## Findings");
    L.push("");
    for (const f of doc.findings) L.push(`- ${cell(f)}`);
  }
  L.push("");
  L.push(
    `repro-audit ${cell(doc.harness.version)} · schema ${doc.schema} v${doc.version} · report.json is the source of truth`,
  );
  L.push("");
  return L.join("\n");
}
