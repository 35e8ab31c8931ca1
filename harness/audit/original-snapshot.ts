import { z } from "zod";
import { HistoryPointSchema, JsonFloat } from "../drift/schema.js";
import type { HistoryPoint } from "../drift/schema.js";
import type { RecordedRun } from "../plan/recorded-run.js";
import { CaptureArtifacts, isPublishedMetric, PUBLISHED_TAGS } from "../tracking/tags.js";
import type { RunEvidence } from "./assemble-run.js";

// The original run as it was before the first replay: what the audit scores
// against, and what it checks again after the last replay. A replay (or anyone)
// that writes into the original while it is audited must not get to pick the
// values its replays are compared with. Pure: reading it from the server and
// keeping it on disk are elsewhere (run-evidence.ts, original-snapshot-file.ts).

export const OriginalSnapshotSchema = z.object({
  takenAt: z.iso.datetime({ offset: true }),
  run: z.object({
    runId: z.string(),
    experimentId: z.string(),
    runName: z.string().optional(),
    /** the MLflow status at snapshot time, kept so a resumed audit still shows how the original ended */
    status: z.string().optional(),
    params: z.record(z.string(), z.string()),
    tags: z.record(z.string(), z.string()),
    /** latest value per metric key */
    metrics: z.record(z.string(), JsonFloat),
  }),
  /** "active" or "deleted" (absent when the server does not say) */
  lifecycleStage: z.string().optional(),
  /** every point of every metric (system metrics left out), in the server's order */
  histories: z.record(z.string(), z.array(HistoryPointSchema)),
  /**
   * every artifact file but the harness's published reports; sha256 where it was
   * hashed; the text of a model's MLmodel and environment files, which are compared
   * by meaning (bounded: see drift/model-files.ts), and of the capture plugin's
   * fingerprint record (bounded: fingerprint/capture-record.ts)
   */
  artifacts: z.record(
    z.string(),
    z.object({ size: z.number().nullable(), sha256: z.string().optional(), text: z.string().optional() }),
  ),
  /**
   * the MLmodel and environment files of the MLflow 3 logged models the run produced,
   * keyed models:/<model id>/<path>: what the original's environment is read from
   * (not scored: a replay's logged models are not imported)
   */
  loggedModelTexts: z.record(z.string(), z.string()).optional(),
  /** what was left out of the snapshot and why (files over the hashing budget) */
  notes: z.array(z.string()),
});
export type OriginalSnapshot = z.output<typeof OriginalSnapshotSchema>;

/** Tags the harness itself writes into an audited run (publishing): their changes are the audit's own. */
const HARNESS_TAGS: ReadonlySet<string> = new Set(PUBLISHED_TAGS);

export function snapshotRun(s: OriginalSnapshot): RecordedRun {
  const { runName, status, ...rest } = s.run;
  return {
    ...rest,
    ...(runName !== undefined ? { runName } : {}),
    ...(status !== undefined ? { status } : {}),
    params: { ...s.run.params },
    tags: { ...s.run.tags },
    metrics: { ...s.run.metrics },
  };
}

/**
 * The original's share of the scoring evidence, from the snapshot: histories of
 * the compared metrics that have more than one step, and the hashes of its files
 * minus `ignoredArtifact` ones (paths that say nothing about the workload).
 */
export function originalEvidence(
  s: OriginalSnapshot,
  metricNames: readonly string[],
  ignoredArtifact: (path: string) => boolean,
): Pick<
  RunEvidence,
  | "originalHistories"
  | "originalArtifacts"
  | "originalArtifactTexts"
  | "originalLoggedModelTexts"
  | "originalCaptureRecord"
> {
  const histories: Record<string, HistoryPoint[]> = {};
  for (const name of metricNames) {
    const points = Object.hasOwn(s.histories, name) ? (s.histories[name] as HistoryPoint[]) : [];
    if (points.length > 1) histories[name] = points.map((p) => ({ step: p.step, value: p.value }));
  }
  const artifacts: Record<string, string> = {};
  const texts: Record<string, string> = {};
  for (const [path, f] of Object.entries(s.artifacts)) {
    if (f.sha256 === undefined || ignoredArtifact(path)) continue;
    artifacts[path] = f.sha256;
    if (f.text !== undefined) texts[path] = f.text;
  }
  // Not scored (the harness's own file), but what the original's environment is read from.
  const captureRecord = Object.hasOwn(s.artifacts, CaptureArtifacts.fingerprint)
    ? s.artifacts[CaptureArtifacts.fingerprint]?.text
    : undefined;
  return {
    ...(captureRecord !== undefined ? { originalCaptureRecord: captureRecord } : {}),
    ...(Object.keys(histories).length > 0 ? { originalHistories: histories } : {}),
    ...(Object.keys(artifacts).length > 0 ? { originalArtifacts: artifacts } : {}),
    ...(Object.keys(texts).length > 0 ? { originalArtifactTexts: texts } : {}),
    ...(s.loggedModelTexts !== undefined && Object.keys(s.loggedModelTexts).length > 0
      ? { originalLoggedModelTexts: { ...s.loggedModelTexts } }
      : {}),
  };
}

/**
 * What differs between two snapshots of the same run, one line per change, in a
 * stable order; empty when nothing did. The harness's own publishing tags and
 * score metric are ignored. Floats compare with Object.is: NaN equals NaN, -0 differs from 0.
 */
export function snapshotChanges(before: OriginalSnapshot, after: OriginalSnapshot): string[] {
  const out: string[] = [];
  if ((before.lifecycleStage ?? "active") !== (after.lifecycleStage ?? "active")) {
    out.push(`run lifecycle stage ${before.lifecycleStage ?? "active"} -> ${after.lifecycleStage ?? "active"}`);
  }
  // the score another audit publishes meanwhile (a resumed one's snapshot is older) is not the workload's change
  const metrics = (m: Record<string, number>) =>
    Object.fromEntries(Object.entries(m).filter(([k]) => !isPublishedMetric(k)));
  out.push(...recordChanges("metric", metrics(before.run.metrics), metrics(after.run.metrics), Object.is, showFloat));
  for (const name of unionKeys(before.histories, after.histories)) {
    const change = historyChange(before.histories[name], after.histories[name]);
    if (change !== undefined) out.push(`history of ${name}: ${change}`);
  }
  out.push(...recordChanges("param", before.run.params, after.run.params, (a, b) => a === b, JSON.stringify));
  const tags = (t: Record<string, string>) =>
    Object.fromEntries(Object.entries(t).filter(([k]) => !HARNESS_TAGS.has(k)));
  out.push(...recordChanges("tag", tags(before.run.tags), tags(after.run.tags), (a, b) => a === b, JSON.stringify));
  for (const path of unionKeys(before.artifacts, after.artifacts)) {
    const a = before.artifacts[path];
    const b = after.artifacts[path];
    if (a === undefined) out.push(`artifact ${path} added`);
    else if (b === undefined) out.push(`artifact ${path} removed`);
    else if (a.size !== b.size || a.sha256 !== b.sha256)
      out.push(`artifact ${path} changed${a.size !== b.size ? ` (${a.size ?? "?"} -> ${b.size ?? "?"} bytes)` : ""}`);
  }
  return out;
}

function recordChanges<T>(
  what: string,
  a: Record<string, T>,
  b: Record<string, T>,
  same: (x: T, y: T) => boolean,
  show: (v: T) => string,
): string[] {
  const out: string[] = [];
  for (const k of unionKeys(a, b)) {
    const had = Object.hasOwn(a, k);
    const has = Object.hasOwn(b, k);
    if (!had) out.push(`${what} ${k} added (${show(b[k] as T)})`);
    else if (!has) out.push(`${what} ${k} removed`);
    else if (!same(a[k] as T, b[k] as T)) out.push(`${what} ${k} changed: ${show(a[k] as T)} -> ${show(b[k] as T)}`);
  }
  return out;
}

function historyChange(a: readonly HistoryPoint[] = [], b: readonly HistoryPoint[] = []): string | undefined {
  // MLflow returns a history in no promised order: compare as multisets of points.
  const key = (p: HistoryPoint) => `${p.step}\u0000${showFloat(p.value)}`;
  const count = new Map<string, number>();
  for (const p of a) count.set(key(p), (count.get(key(p)) ?? 0) + 1);
  let added = 0;
  for (const p of b) {
    const n = count.get(key(p)) ?? 0;
    if (n > 0) count.set(key(p), n - 1);
    else added += 1;
  }
  const removed = [...count.values()].reduce((s, n) => s + n, 0);
  if (added === 0 && removed === 0) return undefined;
  return [added > 0 ? `${added} point(s) added` : "", removed > 0 ? `${removed} point(s) removed` : ""]
    .filter(Boolean)
    .join(", ");
}

function showFloat(v: number): string {
  return Object.is(v, -0) ? "-0" : String(v);
}

function unionKeys(a: object, b: object): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}
