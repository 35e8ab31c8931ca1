import type { Report } from "../report/schema.js";
import { REPORT_FORMATS, REPORT_FORMAT_NAMES, type ReportPaths } from "../report/formats.js";
import { resumeCommand } from "../report/verdict-labels.js";
import { Tags } from "../tracking/tags.js";
import type { ReportPublisher } from "./ports.js";

// Attaches the audit back where reviewers look: the report files as artifacts of
// every audited run (under repro-audit/<audit-id>/), the run's verdict and score as
// tags, and the same tags on every registered model version made from an audited run.

/** A registered model version and the audited run it was made from. */
export interface AuditedModelVersion {
  name: string;
  version: string;
  runId: string;
}

export const PUBLISHED_ARTIFACT_DIR = "repro-audit";


export interface PublishResult {
  /** "run <id>" or "model <name> v<version>" for each place that got the report */
  published: string[];
  /** what could not be published, and why; publishing never fails the audit */
  problems: string[];
}

export async function publishReport(
  client: ReportPublisher,
  doc: Report,
  paths: ReportPaths,
  modelVersions: readonly AuditedModelVersion[] = [],
): Promise<PublishResult> {
  const dir = `${PUBLISHED_ARTIFACT_DIR}/${doc.auditId}`;
  const published: string[] = [];
  const problems: string[] = [];
  for (const run of doc.runs) {
    if (run.error !== undefined) {
      // A run that could not be replayed at all says nothing about the run itself
      // (a missing --scenario, an engine down): its earlier verdict stays.
      problems.push(`run ${run.runId}: not attached, it could not be replayed (${run.error})`);
      continue;
    }
    if (run.score.verdict === "incomplete") {
      // Replays are missing: the verdict is not settled, so the earlier one stays.
      problems.push(`run ${run.runId}: not attached, its audit is incomplete (finish it with ${resumeCommand(doc.auditId)})`);
      continue;
    }
    try {
      for (const format of REPORT_FORMAT_NAMES) {
        await client.uploadArtifact({ runId: run.runId }, paths[format], dir);
      }
      const tags = runTags(doc, run.runId, dir) ?? {};
      for (const [k, v] of Object.entries(tags)) await client.setTag(run.runId, k, v);
      published.push(`run ${run.runId}`);
    } catch (err) {
      problems.push(`run ${run.runId}: ${(err as Error).message}`);
    }
  }
  const seen = new Set<string>();
  const replayed = new Set(doc.runs.filter((r) => r.error === undefined && r.score.verdict !== "incomplete").map((r) => r.runId));
  for (const mv of modelVersions) {
    if (!replayed.has(mv.runId)) continue;
    const key = `${mv.name}\u0000${mv.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    try {
      const tags = runTags(doc, mv.runId, dir);
      if (tags === undefined) throw new Error(`run ${mv.runId} is not in this audit`);
      for (const [k, v] of Object.entries(tags)) await client.setModelVersionTag(mv.name, mv.version, k, v);
      published.push(`model ${mv.name} v${mv.version}`);
    } catch (err) {
      problems.push(`model ${mv.name} v${mv.version}: ${(err as Error).message}`);
    }
  }
  return { published, problems };
}

/** The tags for one audited run; undefined when the run is not in the report. */
export function runTags(doc: Report, runId: string, dir: string): Record<string, string> | undefined {
  const run = doc.runs.find((r) => r.runId === runId);
  if (!run) return undefined;
  return {
    [Tags.audit]: doc.auditId,
    [Tags.verdict]: run.score.verdict,
    [Tags.score]: run.score.score.toFixed(3),
    [Tags.report]: `${dir}/${REPORT_FORMATS.html.file}`,
  };
}
