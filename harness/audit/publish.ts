import type { Report, ReportRun } from "../report/schema.js";
import { PUBLISHED_SUMMARY, RUN_PART_FILES, type ReportPaths } from "../report/formats.js";
import { resumeCommand } from "../report/verdict-labels.js";
import type { MetricInput } from "../tracking/batching.js";
import { Metrics, Tags } from "../tracking/tags.js";
import { summaryBlock, withSummary } from "./model-version-summary.js";
import type { ReportPublisher } from "./ports.js";
import { reportLink } from "./report-link.js";

// Attaches the audit back where reviewers look: as artifacts of every audited run
// (under repro-audit/<audit-id>/) that run's own part of the report (report.html, its
// page; report.json, its entry with the audit's head) and the audit's summary
// (report.md, bounded), never the whole document, so what an audit uploads grows
// with its runs, not with their square; the run's verdict, score and a
// link to the report as tags, and the score as a metric point (charts, search and
// one point per audit as history); on every registered model version made from an
// audited run the same tags and a short summary appended to its description.

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
  for (const [position, run] of doc.runs.entries()) {
    if (run.error !== undefined) {
      // A run that could not be replayed at all says nothing about the run itself
      // (a missing --scenario, an engine down): its earlier verdict stays.
      problems.push(`run ${run.runId}: not attached, it could not be replayed (${run.error})`);
      continue;
    }
    if (run.score.verdict === "incomplete") {
      // Replays are missing: the verdict is not settled, so the earlier one stays.
      problems.push(
        `run ${run.runId}: not attached, its audit is incomplete (finish it with ${resumeCommand(doc.auditId)})`,
      );
      continue;
    }
    try {
      const part = paths.runs[position];
      if (part === undefined)
        throw new Error(`its part of the report was not written (no run-reports/ entry ${position})`);
      for (const file of [part.html, part.json, paths[PUBLISHED_SUMMARY]]) {
        await client.uploadArtifact({ runId: run.runId }, file, dir);
      }
      const tags = runTags(doc, run.runId, dir) ?? {};
      // One request for the tags and the score point, so they are written side by side;
      // MLflow may keep part of a batch that fails, which is reported as a problem all the same.
      await client.logBatch(run.runId, {
        tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
        metrics: [scorePoint(doc, run)],
      });
      published.push(`run ${run.runId}`);
    } catch (err) {
      problems.push(`run ${run.runId}: ${(err as Error).message}`);
    }
  }
  const seen = new Set<string>();
  const replayed = new Set(
    doc.runs.filter((r) => r.error === undefined && r.score.verdict !== "incomplete").map((r) => r.runId),
  );
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
      continue;
    }
    try {
      await describeModelVersion(client, doc, mv, dir);
    } catch (err) {
      problems.push(`model ${mv.name} v${mv.version}: description not updated: ${(err as Error).message}`);
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
    [Tags.report]: htmlReportLink(doc, run, dir),
  };
}

/**
 * The score as a point at step 0, timestamped with the audit's time: a re-audit
 * adds a later point (the history of audits), and MLflow's latest value, the one
 * charted and searched, is the newest audit's.
 */
export function scorePoint(doc: Report, run: ReportRun): Required<MetricInput> {
  return { key: Metrics.score, value: run.score.score, timestamp: Date.parse(doc.createdAt), step: 0 };
}

function htmlReportLink(doc: Report, run: ReportRun, dir: string): string {
  return reportLink(doc.inputs.trackingUri, run, `${dir}/${RUN_PART_FILES.html}`);
}

/** Appends (or on a re-audit replaces) the harness's block in the version's description. */
async function describeModelVersion(
  client: ReportPublisher,
  doc: Report,
  mv: AuditedModelVersion,
  dir: string,
): Promise<void> {
  const run = doc.runs.find((r) => r.runId === mv.runId);
  if (run === undefined) throw new Error(`run ${mv.runId} is not in this audit`);
  const block = summaryBlock({ auditId: doc.auditId, run, reportLink: htmlReportLink(doc, run, dir) });
  const current = await client.modelVersionDescription(mv.name, mv.version);
  const next = withSummary(current, block);
  if (next !== current) await client.setModelVersionDescription(mv.name, mv.version, next);
}
