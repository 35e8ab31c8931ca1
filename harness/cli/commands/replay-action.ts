// What `repro-audit replay` does, loaded when it runs (its options: replay.ts).
import Table from "cli-table3";
import { type ReplayJobResult, previewReplay, replayJob } from "../../audit/replay-pipeline.js";
import { BadInputError } from "../../errors.js";
import { previewExitCode, previewJson, renderPreview } from "../preview-text.js";
import { replayLabel } from "../../drift/format.js";
import { redactPlan } from "../../plan/redact-plan.js";
import { ExitCode } from "../exit-codes.js";
import { terminalJson, terminalLine, terminalText } from "../terminal-text.js";
import { reportFailure, resolveTrackingForCli } from "../failure.js";
import { catchInterrupts } from "../interrupt.js";
import { preflight } from "../preflight.js";
import { createProgress, showReplayEvent } from "../progress.js";
import { replayInputs } from "../replay-inputs.js";

import type { ReplayCommandOptions } from "./replay.js";

export async function replayCommand(opts: ReplayCommandOptions): Promise<number> {
  const progress = createProgress();
  const interrupt = catchInterrupts((again) =>
    progress.stage(
      again
        ? "still stopping: removing the running containers"
        : "interrupted: stopping replays (the journal keeps finished ones; resume with --resume)",
    ),
  );
  let result: ReplayJobResult;
  try {
    const { replays, maxReplays: _unused, ...inputs } = replayInputs(opts);
    // replay does not score its replays, so its --replays takes no "auto" (the parser refuses it).
    if (replays === "auto") throw new Error("internal error: replay got --replays auto");
    // Nor --parallel auto: one run's replays, as many at once as asked.
    if (inputs.parallel === "auto") throw new Error("internal error: replay got --parallel auto");
    const parallel = inputs.parallel;
    if (opts.dryRun) {
      if (opts.resume !== undefined)
        throw new BadInputError("--dry-run previews a new replay; leave out --resume (its plan is in its journal)");
      await preflight(inputs, { dryRun: true });
      const tracking = await resolveTrackingForCli(opts);
      const { parallel: _p, ...previewInputs } = inputs;
      const preview = await previewReplay({
        runId: opts.run,
        ...previewInputs,
        trackingUri: tracking.uri,
        onStage: (m) => progress.stage(m),
      });
      progress.stop();
      const ctx = { command: "replay" as const, replays: String(replays), executor: inputs.executor };
      console.log(opts.json ? previewJson(ctx, [preview]) : renderPreview(ctx, [preview]));
      return previewExitCode([preview]);
    }
    await preflight(inputs);
    const tracking = await resolveTrackingForCli(opts);
    result = await replayJob({
      runId: opts.run,
      replays,
      ...inputs,
      parallel,
      ...(opts.resume !== undefined ? { resumeAuditId: opts.resume } : {}),
      trackingUri: tracking.uri,
      signal: interrupt.signal,
      onStage: (m) => progress.stage(m),
      onBuildProgress: (e) => progress.stage(`image: ${e.message}`),
      onEvent: (e) => showReplayEvent(progress, e),
    });
  } catch (err) {
    return reportFailure("replay", err);
  } finally {
    progress.stop();
    interrupt.dispose();
  }

  const { summary } = result;
  const plan = redactPlan(result.plan);
  if (opts.json) {
    console.log(
      terminalJson(
        JSON.stringify(
          {
            auditId: summary.auditId,
            auditDir: result.auditDir,
            plan,
            image: result.image,
            replays: summary.records,
            environment: summary.environment,
          },
          null,
          2,
        ),
      ),
    );
  } else {
    console.log(renderSummary(result));
  }
  if (summary.aborted) {
    console.error(
      `interrupted: ${summary.records.length} replay(s) journaled; resume with: repro-audit replay --run ${plan.runId} --resume ${summary.auditId} ...`,
    );
    return ExitCode.usageOrInfra;
  }
  return ExitCode.ok;
}

function fmt(v: number | undefined): string {
  if (v === undefined) return "—";
  // Shortest round-trip text: equal strings mean bitwise-equal values.
  return String(v);
}

/** Per metric: the original and each replay's value; then failures with their stderr tail. */
export function renderSummary(result: ReplayJobResult): string {
  const { summary } = result;
  const plan = redactPlan(result.plan);
  const records = summary.records;
  const names = new Set<string>(
    plan.capture.mode === "mlflow" && plan.capture.names ? plan.capture.names : Object.keys(plan.originalMetrics),
  );
  for (const r of records) for (const k of Object.keys(r.metrics)) names.add(k);
  const table = new Table({ head: ["metric", "original", ...records.map((r) => replayLabel(r.index))] });
  for (const name of [...names].sort()) {
    table.push([
      terminalLine(name),
      fmt(plan.originalMetrics[name]),
      ...records.map((r) => (r.status === "failed" && !(name in r.metrics) ? "failed" : fmt(r.metrics[name]))),
    ]);
  }
  const lines = [
    `run ${terminalLine(plan.runId)}: ${plan.commandSource} command: ${terminalLine(plan.command)}`,
    `audit ${summary.auditId} (${result.auditDir})`,
    result.image
      ? `image ${result.image.imageId} (${result.image.built ? `built in ${result.image.seconds.toFixed(1)}s` : "reused"})`
      : "executor: local (not isolated, not pinned)",
    ...(result.image?.mismatches ?? []).map((m) => `mismatch: ${m.what}: requested ${m.requested}, have ${m.actual}`),
    ...plan.notes.map((n) => `note: ${terminalLine(n)}`),
    table.toString(),
  ];
  for (const r of records.filter((r) => r.status === "failed")) {
    lines.push(`${replayLabel(r.index)} failed (${r.failure?.kind}): ${terminalLine(r.failure?.message ?? "")}`);
    const tail = r.stderrTail.trim().split("\n").slice(-8).join("\n  ");
    if (tail) lines.push(`  ${terminalText(tail)}`);
  }
  return lines.join("\n");
}
