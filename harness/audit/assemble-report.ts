import { type AcceptLevel, DEFAULT_ACCEPT } from "../drift/accept-levels.js";
import { scoreAudit } from "../drift/score.js";
import { describePolicy } from "../drift/tolerance.js";
import { VERDICT_RULES_TEXT } from "../drift/verdict.js";
import { stripUrlCredentials, stripUrlCredentialsDeep } from "../fingerprint/redact.js";
import { REPORT_SCHEMA_ID, REPORT_VERSION, type Report, type ReportInputs, type ReportRun } from "../report/schema.js";

// The audit's report document from its runs: audit score and the policy in words.
// Pure: the caller passes the clock and the versions. It is validated once, by the
// writer (report/write.ts), before anything is rendered or written.

export interface ReportMeta {
  auditId: string;
  createdAt: Date;
  harnessVersion: string;
  nodeVersion: string;
  inputs: ReportInputs;
}

export function policyText(inputs: Pick<ReportInputs, "tolerance" | "replays">): string {
  return [
    `Tolerance policy (as --tolerance accepts it): ${describePolicy(inputs.tolerance)}.`,
    VERDICT_RULES_TEXT,
    acceptText(inputs.tolerance.accept ?? DEFAULT_ACCEPT, inputs.replays),
  ].join("\n\n");
}

function acceptText(accept: AcceptLevel, replays: number): string {
  const needs =
    accept === "identical"
      ? "every metric is identical (bitwise) in every replay"
      : accept === "equivalent"
        ? "every metric is identical or equivalent"
        : "no metric is not reproduced, failed or inconclusive (a run whose metrics vary within run-to-run variance passes as consistent with run-to-run variance, never as reproduced)";
  return `Each run was replayed ${replays} time(s); accept level ${accept}: a run passes the gate when ${needs}.`;
}

export function assembleReport(meta: ReportMeta, runs: readonly ReportRun[]): Report {
  const score = scoreAudit(
    runs.map((r) => ({ runId: r.runId, metrics: r.metrics, artifacts: r.artifacts, ...r.score })),
  );
  const inputs: ReportInputs = { ...meta.inputs, trackingUri: stripUrlCredentials(meta.inputs.trackingUri) };
  const doc: Report = {
    schema: REPORT_SCHEMA_ID,
    version: REPORT_VERSION,
    auditId: meta.auditId,
    createdAt: meta.createdAt.toISOString(),
    harness: { version: meta.harnessVersion, node: meta.nodeVersion },
    inputs,
    // Runs hold server text in many fields (checklist details, tags, messages):
    // URL credentials are stripped from all of them, so every rendering is clean.
    runs: runs.map(stripRun),
    score,
    policyText: policyText(inputs),
  };
  // Validated once, where it is written (report/serialize.ts): a bug surfaces there, before any file is.
  return doc;
}

/**
 * URL credentials stripped from every string and key of a run. Its plotted
 * histories are numbers only (the writer's validation refuses anything else), so
 * only their metric names are stripped and the series are kept as they are rather
 * than copied point by point: an audit's histories are most of its report.
 */
function stripRun(run: ReportRun): ReportRun {
  const { histories, ...rest } = run;
  const stripped = stripUrlCredentialsDeep(rest);
  if (histories === undefined) return stripped;
  return {
    ...stripped,
    histories: Object.fromEntries(Object.entries(histories).map(([name, h]) => [stripUrlCredentials(name), h])),
  };
}
