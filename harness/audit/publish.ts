import type { ModelVersion } from "../tracking/schemas.js";
import type { MlflowClient } from "../tracking/client.js";
import type { Report } from "../report/schema.js";
import { REPORT_FILES, type ReportPaths } from "../report/write.js";

// Attaches the audit back where reviewers look: the report files as artifacts of
// every audited run (under repro-audit/<audit-id>/), the run's verdict and score as
// tags, and the same tags on the model version the selection named.

export const PUBLISHED_ARTIFACT_DIR = "repro-audit";

export const AuditTags = {
  id: "repro.audit.id",
  verdict: "repro.audit.verdict",
  score: "repro.audit.score",
  report: "repro.audit.report",
} as const;

export interface PublishResult {
  /** "run <id>" or "model <name> v<version>" for each place that got the report */
  published: string[];
  /** what could not be published, and why; publishing never fails the audit */
  problems: string[];
}

export async function publishReport(
  client: Pick<MlflowClient, "uploadArtifact" | "setTag" | "setModelVersionTag">,
  doc: Report,
  paths: ReportPaths,
  modelVersion?: Pick<ModelVersion, "name" | "version" | "run_id">,
): Promise<PublishResult> {
  const dir = `${PUBLISHED_ARTIFACT_DIR}/${doc.auditId}`;
  const published: string[] = [];
  const problems: string[] = [];
  for (const run of doc.runs) {
    try {
      for (const key of Object.keys(REPORT_FILES) as (keyof typeof REPORT_FILES)[]) {
        await client.uploadArtifact({ runId: run.runId }, paths[key], dir);
      }
      const tags = runTags(doc, run.runId, dir) ?? {};
      for (const [k, v] of Object.entries(tags)) await client.setTag(run.runId, k, v);
      published.push(`run ${run.runId}`);
    } catch (err) {
      problems.push(`run ${run.runId}: ${(err as Error).message}`);
    }
  }
  if (modelVersion) {
    const runId = modelVersion.run_id;
    const tags = runId ? runTags(doc, runId, dir) : undefined;
    try {
      if (tags === undefined) throw new Error("the model version names no run that was audited");
      for (const [k, v] of Object.entries(tags)) await client.setModelVersionTag(modelVersion.name, modelVersion.version, k, v);
      published.push(`model ${modelVersion.name} v${modelVersion.version}`);
    } catch (err) {
      problems.push(`model ${modelVersion.name} v${modelVersion.version}: ${(err as Error).message}`);
    }
  }
  return { published, problems };
}

/** The tags for one audited run; undefined when the run is not in the report. */
export function runTags(doc: Report, runId: string, dir: string): Record<string, string> | undefined {
  const run = doc.runs.find((r) => r.runId === runId);
  if (!run) return undefined;
  return {
    [AuditTags.id]: doc.auditId,
    [AuditTags.verdict]: run.score.verdict,
    [AuditTags.score]: run.score.score.toFixed(3),
    [AuditTags.report]: `${dir}/${REPORT_FILES.html}`,
  };
}
