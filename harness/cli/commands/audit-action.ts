// What `repro-audit audit` does, loaded when it runs (its options: audit.ts).
import { readFileSync } from "node:fs";
import Table from "cli-table3";
import { displayPath } from "../../audit/assemble-run.js";
import { firstLook } from "../../drift/replay-counts.js";
import type { AuditCliOptions } from "./audit.js";
import { type AuditJobResult, auditJob } from "../../audit/audit-job.js";
import { previewAudit } from "../../audit/audit-preview.js";
import { mlflowAuditPorts } from "../../audit/mlflow-ports.js";
import type { TolerancePolicy } from "../../drift/schema.js";
import { DEFAULT_POLICY, ToleranceSpecError, parseTolerancePolicy } from "../../drift/tolerance.js";
import { passesGate } from "../../drift/score.js";
import { summaryPaths } from "../../report/formats.js";
import { RUN_VERDICT_TERMINAL, resumeHint } from "../../report/verdict-labels.js";
import { MlflowClient } from "../../tracking/client.js";
import { ExitCode } from "../exit-codes.js";
import { BadInputError } from "../../errors.js";
import { reportFailure, resolveTrackingForCli } from "../failure.js";
import { catchInterrupts } from "../interrupt.js";
import { preflight } from "../preflight.js";
import { type Progress, createProgress, showReplayEvent } from "../progress.js";
import { replayInputs } from "../replay-inputs.js";
import { type Selection, hasSelection, parseSelection } from "../../selection/selection.js";
import { previewExitCode, previewJson, renderPreview } from "../preview-text.js";
import { terminalJson, terminalLine } from "../terminal-text.js";
import { truncate } from "../truncate.js";

export async function auditAction(opts: AuditCliOptions): Promise<number> {
  let progress: Progress | undefined;
  const interrupt = catchInterrupts((again) =>
    (progress ?? createProgress()).stage(
      again
        ? "still stopping: removing the running containers and writing the partial report"
        : "interrupted: stopping (finished replays are journaled; the report shows what finished)",
    ),
  );
  let result: AuditJobResult;
  try {
    // On --resume the selection may be left out: the audit's manifest holds it.
    const selection = opts.resume !== undefined && !hasSelection(opts) ? undefined : parseSelection(opts, process.env);
    let policy: TolerancePolicy;
    try {
      policy = { ...parseTolerancePolicy(opts.tolerance, DEFAULT_POLICY), accept: opts.accept };
    } catch (err) {
      if (err instanceof ToleranceSpecError) throw new BadInputError(`--tolerance: ${err.message}`);
      throw err;
    }
    if (opts.resume !== undefined && opts.auditId !== undefined && opts.resume !== opts.auditId) {
      throw new BadInputError("give either --resume ID or --audit-id ID, not both with different ids");
    }
    const inputs = replayInputs(opts);
    if (opts.dryRun) {
      if (opts.resume !== undefined)
        throw new BadInputError(
          "--dry-run previews a new audit; leave out --resume (a resume's runs are in its folder)",
        );
      if (selection === undefined) throw new Error("internal error: a dry run without a selection");
      return await dryRun(
        opts,
        selection,
        inputs,
        policy,
        (m) => (progress ?? createProgress()).stage(m),
        () => {
          progress?.stop();
          progress = undefined;
        },
      );
    }
    await preflight(inputs);
    const tracking = await resolveTrackingForCli(opts);
    const client = MlflowClient.fromEnv({ ...process.env, MLFLOW_TRACKING_URI: tracking.uri });
    const stage = (m: string) => (progress ?? createProgress()).stage(m);
    result = await auditJob({
      ...(selection ? { selection } : {}),
      trackingUri: tracking.uri,
      client,
      ...inputs,
      ...(opts.dataDir !== undefined ? { trackingDataDirs: [opts.dataDir] } : {}),
      policy,
      ...(opts.resume !== undefined
        ? { auditId: opts.resume, resume: true }
        : opts.auditId !== undefined
          ? { auditId: opts.auditId }
          : {}),
      publish: opts.publish,
      signal: interrupt.signal,
      onStage: stage,
      // One display for the audit: runs share one replay pool, so their replays interleave.
      onRun: (position, total, runId) => stage(`run ${position}/${total}: ${runId}`),
      onBuildProgress: (e) => stage(`image: ${e.message}`),
      onEvent: (e, runId) => {
        progress ??= createProgress();
        showReplayEvent(progress, e, runId.slice(0, 8));
      },
    });
  } catch (err) {
    return reportFailure("audit", err);
  } finally {
    progress?.stop();
    interrupt.dispose();
  }

  // report.json as written: the document is not encoded and validated a second time.
  if (opts.json) process.stdout.write(terminalJson(readFileSync(result.paths.json, "utf8")));
  else console.log(renderAuditSummary(result));
  for (const p of result.publish?.problems ?? [])
    console.error(`repro-audit audit: could not attach the report: ${terminalLine(p)}`);
  return auditExitCode(result);
}

/** `audit --dry-run`: the selection and each run's preview (audit/audit-preview.ts), printed; nothing is built, run or written. */
async function dryRun(
  opts: AuditCliOptions,
  selection: Selection,
  inputs: ReturnType<typeof replayInputs>,
  policy: TolerancePolicy,
  stage: (message: string) => void,
  stopProgress: () => void,
): Promise<number> {
  await preflight(inputs, { dryRun: true });
  const tracking = await resolveTrackingForCli(opts);
  const client = MlflowClient.fromEnv({ ...process.env, MLFLOW_TRACKING_URI: tracking.uri });
  const preview = await previewAudit({
    selection,
    trackingUri: tracking.uri,
    ports: mlflowAuditPorts(client),
    ...inputs,
    ...(opts.dataDir !== undefined ? { trackingDataDirs: [opts.dataDir] } : {}),
    ...(opts.auditId !== undefined ? { auditId: opts.auditId } : {}),
    policy,
    publish: false,
    onStage: stage,
  });
  stopProgress();
  const ctx = {
    command: "audit" as const,
    selection: preview.selection,
    replays:
      inputs.replays === "auto"
        ? `auto (${firstLook(inputs.maxReplays)} first, at most ${inputs.maxReplays})`
        : String(inputs.replays),
    executor: inputs.executor,
  };
  console.log(opts.json ? previewJson(ctx, preview.runs) : renderPreview(ctx, preview.runs));
  return previewExitCode(preview.runs);
}

/**
 * 0 every run reproduced or consistent with run-to-run variance (under --accept
 * equivalent/identical the latter is already not reproduced); 2 interrupted,
 * incomplete, or a run that could not be replayed; 1 otherwise, inconclusive
 * included: "the replays cannot tell" does not pass a gate.
 */
export function auditExitCode(result: Pick<AuditJobResult, "aborted" | "infrastructureErrors" | "report">): number {
  if (result.aborted || result.infrastructureErrors.length > 0) return ExitCode.usageOrInfra;
  // A replay the infrastructure stopped leaves the run unsettled: that is not the workload's failure.
  if (result.report.runs.some((r) => r.score.verdict === "incomplete")) return ExitCode.usageOrInfra;
  return result.report.runs.every((r) => passesGate(r.score.verdict)) ? ExitCode.ok : ExitCode.notReproduced;
}

/** "5/5", and with an auto count " (auto)": the count the stopping rule chose, not one asked for. */
function replaysCell(r: AuditJobResult["report"]["runs"][number], ok: number): string {
  return `${ok}/${r.replays.length}${r.replayCount ? " (auto)" : ""}`;
}

/** The terminal summary: one row per run, then where the report is. */
export function renderAuditSummary(result: AuditJobResult): string {
  const { report, paths } = result;
  const table = new Table({
    head: [
      "run",
      "name",
      "verdict",
      "score",
      "identical",
      "equiv.",
      "varies",
      "inconcl.",
      "not repr.",
      "failed",
      "replays ok",
    ],
    style: { head: [], border: [] },
  });
  for (const r of report.runs) {
    const c = r.score.counts;
    const ok = r.replays.filter((x) => x.status === "ok").length;
    table.push([
      terminalLine(r.runId.slice(0, 8)),
      truncate(terminalLine(r.runName), 24),
      RUN_VERDICT_TERMINAL[r.score.verdict],
      r.score.score.toFixed(3),
      c.identical,
      c.equivalent,
      c.varies,
      c.inconclusive,
      c.not_reproduced,
      c.failed,
      replaysCell(r, ok),
    ]);
  }
  const rel = (p: string) => terminalLine(displayPath(p, process.cwd()));
  const t = report.score.runs;
  const lines = [
    `audit ${report.auditId}: ${t.total} run(s), ${t.reproduced} reproduced, ` +
      (t.consistent_with_variance > 0 ? `${t.consistent_with_variance} consistent with run-to-run variance, ` : "") +
      (t.inconclusive > 0 ? `${t.inconclusive} INCONCLUSIVE, ` : "") +
      `${t.not_reproduced} not reproduced, ${t.failed} failed` +
      (t.incomplete > 0 ? `, ${t.incomplete} INCOMPLETE` : "") +
      `; audit score ${report.score.score === null ? "none (no run is complete)" : report.score.score.toFixed(3)}` +
      (t.incomplete > 0 && report.score.score !== null ? ` over the ${t.total - t.incomplete} complete run(s)` : ""),
    table.toString(),
  ];
  for (const r of report.runs) {
    lines.push(`${terminalLine(r.runId.slice(0, 8))}: ${terminalLine(r.score.reason)}`);
    if (r.replayCount)
      lines.push(
        `  replays: ${r.replayCount.replays} of at most ${r.replayCount.maxReplays} (auto): ${terminalLine(r.replayCount.why)}`,
      );
    for (const f of r.score.findings.slice(0, 5)) lines.push(`  - ${terminalLine(f)}`);
  }
  lines.push(`report: ${summaryPaths(paths).map(rel).join(" | ")}`);
  if (result.publish && result.publish.published.length > 0)
    lines.push(`attached to: ${terminalLine(result.publish.published.join(", "))}`);
  if (result.aborted) lines.push(`interrupted: continue with: ${resumeHint(report.auditId)}`);
  else if (t.incomplete > 0) lines.push(`incomplete: finish it with: ${resumeHint(report.auditId)}`);
  for (const e of result.infrastructureErrors) lines.push(`could not replay ${terminalLine(e)}`);
  return lines.join("\n");
}
