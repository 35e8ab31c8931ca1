import { type AcceptLevel, DEFAULT_ACCEPT } from "../drift/accept-levels.js";
import { scoreAudit } from "../drift/score.js";
import { describePolicy } from "../drift/tolerance.js";
import { VERDICT_RULES_TEXT } from "../drift/verdict.js";
import { stripUrlCredentials, stripUrlCredentialsDeep } from "../fingerprint/redact.js";
import {
  REPORT_SCHEMA_ID,
  REPORT_VERSION,
  type Report,
  type ReportInputs,
  type ReportRun,
  ReportSchema,
} from "../report/schema.js";

// The audit's report document from its runs: audit score, the policy in words, and
// a zod check so a bug surfaces here, not in a renderer. Pure: the caller passes
// the clock and the versions.

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
    runs: stripUrlCredentialsDeep([...runs]),
    score,
    policyText: policyText(inputs),
  };
  // Encoding validates too, and unlike .parse it accepts the decoded floats (NaN, ±Infinity).
  const checked = ReportSchema.safeEncode(doc);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new Error(
      `internal error: the audit report does not match its schema at ${issue?.path.join(".") ?? "?"}: ${issue?.message ?? ""}`,
    );
  }
  return doc;
}
