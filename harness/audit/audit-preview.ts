import { join, resolve } from "node:path";
import { resolveSelection } from "../selection/resolve.js";
import { type Selection, SelectionError, describeSelection } from "../selection/selection.js";
import type { RecordedRun } from "../plan/recorded-run.js";
import type { AuditJobOptions } from "./audit-job.js";
import { readRunFromMlflow } from "./mlflow-ports.js";
import type { AuditPorts } from "./ports.js";
import type { ReplayPreviewOptions } from "./replay-pipeline.js";
import type { RunPreview } from "./replay-check.js";
import { newAuditId } from "./replay-runner.js";

// `audit --dry-run`, and the check the real audit makes before it writes anything:
// the selection resolved, then each run previewed through the audit's preview port
// (replay-pipeline.ts's previewReplay over a server): its plan, the image it would
// run in, what would be compared, or why it cannot be replayed. Nothing is built,
// run or written.

/** What the audit passes to the replay of one run, and to its preview: one mapping, so both see the same run. */
export function runStepOptions(
  opts: AuditJobOptions,
  run: { runId: string; original: RecordedRun; auditId: string; runDir: string },
): ReplayPreviewOptions {
  return {
    ...run,
    executor: opts.executor,
    ...(opts.engines !== undefined ? { engines: opts.engines } : {}),
    ...(opts.codePath !== undefined ? { codePath: opts.codePath } : {}),
    ...(opts.scenarioDir !== undefined ? { scenarioDir: opts.scenarioDir } : {}),
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.extraParams ? { extraParams: opts.extraParams } : {}),
    ...(opts.auditExperiment ? { auditExperiment: opts.auditExperiment } : {}),
    ...(opts.allowMounts ? { allowMounts: opts.allowMounts } : {}),
    ...(opts.allowEnv ? { allowEnv: opts.allowEnv } : {}),
    ...(opts.trackingDataDirs ? { trackingDataDirs: opts.trackingDataDirs } : {}),
    resultsDir: opts.resultsDir,
    trackingUri: opts.trackingUri,
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.onStage ? { onStage: opts.onStage } : {}),
  };
}

/** Each run's preview, one after another (a checkout each; git serialises them anyway). */
export async function previewRuns(
  opts: AuditJobOptions,
  ports: AuditPorts,
  runs: readonly RecordedRun[],
  auditId: string,
  what: { listArtifacts: boolean },
): Promise<RunPreview[]> {
  const auditDir = join(resolve(opts.resultsDir), auditId);
  const out: RunPreview[] = [];
  for (const run of runs) {
    out.push(
      await ports.preview({
        ...runStepOptions(opts, {
          runId: run.runId,
          original: run,
          auditId,
          runDir: join(auditDir, "runs", run.runId),
        }),
        listArtifacts: what.listArtifacts,
      }),
    );
  }
  return out;
}

export interface AuditPreview {
  /** the selection as a sentence ("experiment \"wine\"") */
  selection: string;
  runs: RunPreview[];
}

/** `audit --dry-run`: the selection and each run's preview; reads the tracking server and the engine, writes nothing. */
export async function previewAudit(opts: AuditJobOptions & { selection: Selection }): Promise<AuditPreview> {
  const ports = opts.ports;
  if (ports === undefined) throw new Error("internal error: previewAudit needs the audit's ports");
  opts.onStage?.(`selecting ${describeSelection(opts.selection)}`);
  const { runs } = await resolveSelection(ports.selection, opts.selection, { concurrency: opts.concurrency ?? 8 });
  if (runs.length === 0) throw new SelectionError(`${describeSelection(opts.selection)} matched no runs`);
  const auditId = opts.auditId ?? newAuditId("audit");
  const previews = await previewRuns(
    opts,
    ports,
    runs.map((r) => readRunFromMlflow(r).run),
    auditId,
    { listArtifacts: true },
  );
  return { selection: describeSelection(opts.selection), runs: previews };
}
