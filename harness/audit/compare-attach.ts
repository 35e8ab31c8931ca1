import type { ArmId } from "../compare/arms.js";
import { type CompareReport, OVERHEAD_MEASURES } from "../compare/schema.js";
import type { MetricInput } from "../tracking/batching.js";
import type { MlflowClient } from "../tracking/client.js";
import { Tags } from "../tracking/tags.js";
import { PUBLISHED_ARTIFACT_DIR } from "./publish.js";
import { reportLink } from "./report-link.js";

// `compare --attach-experiment NAME`: the study kept where the team looks, beside its
// runs: one run in NAME (created when missing) holding the report files as artifacts
// under repro-audit/<compare-id>/, tagged with the study and its outcome, and each
// arm's traceability and median overhead ratios as metrics (searchable, chartable
// across studies). The compare's own result never depends on it: a failure is a problem
// reported beside the report, which is already written.

export type CompareAttachClient = Pick<
  MlflowClient,
  "getOrCreateExperiment" | "createRun" | "uploadArtifact" | "logBatch" | "updateRun"
>;

export interface CompareAttachment {
  experimentId: string;
  runId: string;
  /** where the report files lie among the run's artifacts */
  artifactDir: string;
}

export async function attachCompare(
  client: CompareAttachClient,
  report: CompareReport,
  files: { json: string; markdown: string; html: string },
  experimentName: string,
  trackingUri: string,
): Promise<CompareAttachment> {
  const experiment = await client.getOrCreateExperiment(experimentName);
  const artifactDir = `${PUBLISHED_ARTIFACT_DIR}/${report.compareId}`;
  const run = await client.createRun({
    experimentId: experiment.experiment_id,
    runName: `compare ${report.compareId}`,
    startTime: Date.parse(report.createdAt),
  });
  const runId = run.info.run_id;
  try {
    for (const file of [files.json, files.markdown, files.html])
      await client.uploadArtifact({ runId }, file, artifactDir);
    const link = reportLink(
      trackingUri,
      { experimentId: experiment.experiment_id, runId },
      `${artifactDir}/report.html`,
    );
    await client.logBatch(runId, {
      tags: Object.entries(compareRunTags(report, link)).map(([key, value]) => ({ key, value })),
      metrics: compareRunMetrics(report),
    });
    await client.updateRun(runId, { status: "FINISHED", endTime: Date.now() });
  } catch (err) {
    // The run stays, marked failed, so a half-attached study is not taken for a whole one.
    await client.updateRun(runId, { status: "FAILED", endTime: Date.now() }).catch(() => undefined);
    throw err;
  }
  return { experimentId: experiment.experiment_id, runId, artifactDir };
}

/** PURE: the tags of the run that holds a compare report. */
export function compareRunTags(report: CompareReport, link: string): Record<string, string> {
  return {
    [Tags.compare]: report.compareId,
    [Tags.compareOutcome]: compareOutcomeWord(report),
    [Tags.report]: link,
  };
}

function compareOutcomeWord(report: CompareReport): string {
  if (report.outcome.exitCode === 2) return "could-not-check";
  return report.outcome.exitCode === 0 ? "agree" : "problem";
}

/** PURE: each arm's traceability and median overhead ratios against the baseline, one point each. */
export function compareRunMetrics(report: CompareReport): Required<MetricInput>[] {
  const timestamp = Date.parse(report.createdAt);
  const out: Required<MetricInput>[] = [];
  const point = (key: string, value: number) => out.push({ key, value, timestamp, step: 0 });
  for (const arm of report.arms) {
    if (arm.refusal !== undefined) continue;
    const name = armMetricName(arm.id);
    point(`traceability.${name}`, arm.traceability.score);
    for (const m of OVERHEAD_MEASURES) {
      const ratio = arm.overhead?.[m]?.ratio;
      if (typeof ratio === "number" && Number.isFinite(ratio)) point(`overhead.${name}.${m}`, ratio);
    }
  }
  return out;
}

/** An arm's id as MLflow allows in a metric name ("mlflow+capture" -> "mlflow_capture"). */
function armMetricName(id: ArmId): string {
  return id.replace(/[^A-Za-z0-9_]/g, "_");
}
