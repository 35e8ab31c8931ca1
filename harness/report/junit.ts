/**
 * JUnit XML rendering, for CI systems that show test results.
 *
 * Mapping, chosen so the CI view agrees with the exit code exactly: a run has a
 * <failure> or <error> if and only if its verdict fails the gate (`passesGate`);
 * a finding that does not fail the gate is a <system-out> note, never a failure.
 * - one <testsuite> per audited run, named after the run, its verdict a property;
 * - one <testcase> per metric, named `<run>.<metric>`:
 *     identical, equivalent -> passes;
 *     varies               -> passes, with a <system-out> note: the original lies
 *                             inside the replays' spread (consistent with run-to-run
 *                             variance), but a reviewer should know it is noisy;
 *     inconclusive         -> <failure type="inconclusive">: the replays cannot tell,
 *                             and "cannot tell" does not pass the gate;
 *     not_reproduced       -> <failure type="not_reproduced">;
 *     a verdict weaker than the policy's `accept` level (e.g. varies under
 *     accept=identical) -> <failure type="<verdict>">, as the run verdict counts it;
 *     failed               -> <failure type="failed"> (no value to judge);
 * - one <testcase> per artifact, named `<run>.artifact:<path>`: a hash mismatch is a
 *   <system-out> note (artifacts lower the score but never decide the run verdict:
 *   many serialisers embed timestamps);
 * - a run whose verdict fails the gate for a reason no case above shows (nothing
 *   to compare, the original better than every replay on every metric) gets a
 *   `<run>.verdict` case with <failure type="<verdict>"> and the run's reason;
 * - one <testcase> per replay, named `<run>.replay-<n>`: a replay that crashed,
 *   timed out, ran out of memory or was stopped by an infrastructure fault is an
 *   <error> (something broke, not a measured difference); a skipped replay is <skipped/>;
 * - an incomplete run (a replay skipped or stopped by the infrastructure) gets a
 *   `<run>.complete` case with <failure type="incomplete">, saying what is missing and
 *   the `--resume` command that finishes it: a partial audit never reads green;
 * - a run that could not be planned at all gets one `<run>.plan` case with an <error>.
 * `time` is seconds: a replay case carries its duration, a suite the sum of its replays.
 *
 * Every string goes through escapeXml; C0 control characters, which XML 1.0 cannot
 * carry even as references, are shown as `\xNN`.
 */
import { type AcceptLevel, DEFAULT_ACCEPT } from "../drift/accept-levels.js";
import type { MetricScore } from "../drift/schema.js";
import { incompleteText, isAccepted, passesGate } from "../drift/score.js";
import { escapeXml, escapeXmlText } from "./escape.js";
import { MISSING, formatDeviation, formatMeanStd, formatUlps, formatValue } from "./format-number.js";
import { rankText } from "./metric-rows.js";
import { runTitle } from "./run-title.js";
import type { Report, ReportRun } from "./schema.js";
import { resumeHint } from "./verdict-labels.js";
import { replayLabel, replayNumber } from "../drift/format.js";

interface Case {
  name: string;
  classname: string;
  timeS: number;
  failure?: { type: string; message: string; body: string };
  error?: { type: string; message: string; body: string };
  skipped?: string;
  systemOut?: string;
}

function seconds(ms: number): string {
  return Number.isFinite(ms) ? (ms / 1000).toFixed(3) : "0.000";
}

function metricDetails(m: MetricScore): string {
  const s = m.stats;
  const lines = [
    `original: ${formatValue(m.original)}`,
    `replays: ${m.replays.map((v) => formatValue(v)).join(", ") || MISSING}`,
    `mean ± std: ${s ? formatMeanStd(s.mean, s.std) : MISSING}`,
    `range: ${s && s.n > 0 ? `${formatValue(s.min)} .. ${formatValue(s.max)}` : MISSING}`,
    `max abs dev: ${formatDeviation(s?.maxAbsDev)}, max rel dev: ${formatDeviation(s?.maxRelDev)}, max ULPs: ${formatUlps(s?.maxUlps)}`,
    `tolerance: abs ${formatDeviation(m.tolerance.abs)}, rel ${formatDeviation(m.tolerance.rel)}, ulps ${formatUlps(m.tolerance.ulps)}`,
  ];
  if (s?.interval)
    lines.push(
      `interval (${s.interval.method}, ${s.interval.level}): ${formatValue(s.interval.low)} .. ${formatValue(s.interval.high)}`,
    );
  if (m.rank) lines.push(`rank: ${rankText(m.rank)}`);
  if (m.test)
    lines.push(
      `test: statistic ${formatDeviation(m.test.statistic)}, p ${formatDeviation(m.test.p)}, Holm-adjusted over ${m.test.family} ${formatDeviation(m.test.pAdjusted)} (level ${m.test.alpha})`,
    );
  for (const f of m.findings) lines.push(`finding: ${f}`);
  return lines.join("\n");
}

function runCases(run: ReportRun, accept: AcceptLevel, auditId: string): Case[] {
  const title = runTitle(run);
  const classname = `repro-audit.${title}`;
  const cases: Case[] = [];
  if (run.score.verdict === "incomplete") {
    const finished = run.replays.filter((r) => r.status === "ok").length;
    const notRun = run.replays.filter((r) => r.status === "skipped" || r.status === "infrastructure").length;
    cases.push({
      name: `${title}.complete`,
      classname,
      timeS: 0,
      failure: {
        type: "incomplete",
        message: `${incompleteText(finished, run.replays.length, notRun)}. Finish the audit with: ${resumeHint(auditId)}`,
        body: run.score.reason,
      },
    });
  }
  if (run.error !== undefined && run.metrics.length === 0) {
    cases.push({
      name: `${title}.plan`,
      classname,
      timeS: 0,
      error: { type: "not_replayed", message: run.error, body: run.score.reason },
    });
  }
  for (const m of run.metrics) {
    const c: Case = { name: `${title}.${m.name}`, classname, timeS: 0 };
    if (m.verdict === "not_reproduced" || m.verdict === "failed" || m.verdict === "inconclusive") {
      c.failure = { type: m.verdict, message: m.reason, body: metricDetails(m) };
    } else if (!isAccepted(m.verdict, accept)) {
      c.failure = {
        type: m.verdict,
        message: `${m.verdict}, but the policy accepts only ${accept === "identical" ? "identical" : "identical or equivalent"} metrics: ${m.reason}`,
        body: metricDetails(m),
      };
    } else if (m.verdict === "varies") {
      c.systemOut = `verdict: varies (passes: consistent with run-to-run variance)\n${m.reason}\n${metricDetails(m)}`;
    } else {
      c.systemOut = `verdict: ${m.verdict}\n${m.reason}`;
    }
    cases.push(c);
  }
  for (const a of run.artifacts) {
    const c: Case = { name: `${title}.artifact:${a.path}`, classname, timeS: 0 };
    if (!a.identical) {
      const body = [
        `original: ${a.originalSha256 ?? MISSING}`,
        ...a.replaySha256.map((h, i) => `${replayLabel(i)}: ${h ?? MISSING}`),
      ].join("\n");
      c.systemOut = `artifact ${a.path} differs between executions (does not decide the run verdict)\n${body}`;
    }
    cases.push(c);
  }
  for (const r of run.replays) {
    const c: Case = { name: `${title}.replay-${replayNumber(r.index)}`, classname, timeS: r.durationMs / 1000 };
    if (r.status === "skipped") {
      c.skipped = r.message ?? "skipped";
    } else if (r.status !== "ok") {
      c.error = {
        type: r.status,
        message: r.message ?? `${replayLabel(r.index)} ${r.status} (exit code ${r.exitCode ?? MISSING})`,
        body: r.stderrTail ?? "",
      };
    }
    cases.push(c);
  }
  const failing = cases.some((c) => c.failure !== undefined || c.error !== undefined);
  if (!passesGate(run.score.verdict) && !failing) {
    cases.push({
      name: `${title}.verdict`,
      classname,
      timeS: 0,
      failure: { type: run.score.verdict, message: run.score.reason, body: run.score.findings.join("\n") },
    });
  }
  return cases;
}

function renderCase(c: Case): string {
  const open = `    <testcase name="${escapeXml(c.name)}" classname="${escapeXml(c.classname)}" time="${seconds(c.timeS * 1000)}"`;
  const inner: string[] = [];
  if (c.failure)
    inner.push(
      `      <failure type="${escapeXml(c.failure.type)}" message="${escapeXml(c.failure.message)}">${escapeXmlText(c.failure.body)}</failure>`,
    );
  if (c.error)
    inner.push(
      `      <error type="${escapeXml(c.error.type)}" message="${escapeXml(c.error.message)}">${escapeXmlText(c.error.body)}</error>`,
    );
  if (c.skipped !== undefined) inner.push(`      <skipped message="${escapeXml(c.skipped)}"/>`);
  if (c.systemOut !== undefined) inner.push(`      <system-out>${escapeXmlText(c.systemOut)}</system-out>`);
  return inner.length === 0 ? `${open}/>` : `${open}>\n${inner.join("\n")}\n    </testcase>`;
}

interface Totals {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  timeMs: number;
}

function totals(cases: readonly Case[], timeMs: number): Totals {
  return {
    tests: cases.length,
    failures: cases.filter((c) => c.failure).length,
    errors: cases.filter((c) => c.error).length,
    skipped: cases.filter((c) => c.skipped !== undefined).length,
    timeMs,
  };
}

function countsAttrs(t: Totals): string {
  return `tests="${t.tests}" failures="${t.failures}" errors="${t.errors}" skipped="${t.skipped}" time="${seconds(t.timeMs)}"`;
}

export function renderJunit(doc: Report): string {
  const suites: string[] = [];
  const all: Totals = { tests: 0, failures: 0, errors: 0, skipped: 0, timeMs: 0 };
  for (const run of doc.runs) {
    const cases = runCases(run, doc.inputs.tolerance.accept ?? DEFAULT_ACCEPT, doc.auditId);
    const t = totals(
      cases,
      run.replays.reduce((sum, r) => sum + r.durationMs, 0),
    );
    all.tests += t.tests;
    all.failures += t.failures;
    all.errors += t.errors;
    all.skipped += t.skipped;
    all.timeMs += t.timeMs;
    const props = [
      ["run_id", run.runId],
      ["experiment_id", run.experimentId],
      ["verdict", run.score.verdict],
      ["score", run.score.score.toFixed(4)],
      ["traceability", run.traceability.score.toFixed(4)],
      ...(run.image.id !== undefined ? [["image_id", run.image.id]] : []),
    ]
      .map(([k, v]) => `      <property name="${escapeXml(k)}" value="${escapeXml(v)}"/>`)
      .join("\n");
    suites.push(
      `  <testsuite name="${escapeXml(runTitle(run))}" ${countsAttrs(t)} timestamp="${escapeXml(doc.createdAt)}">\n` +
        `    <properties>\n${props}\n    </properties>\n` +
        cases.map(renderCase).join("\n") +
        (cases.length > 0 ? "\n" : "") +
        `  </testsuite>`,
    );
  }
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="${escapeXml(`repro-audit ${doc.auditId}`)}" ${countsAttrs(all)}>\n` +
    suites.join("\n") +
    (suites.length > 0 ? "\n" : "") +
    `</testsuites>\n`
  );
}
