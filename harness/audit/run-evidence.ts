import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAX_MODEL_FILE_BYTES, modelFileKind } from "../drift/model-files.js";
import type { HistoryPoint } from "../drift/schema.js";
import { DIFF_ARTIFACT_PATH } from "../plan/recorded-run.js";
import { stripUrlCredentials } from "../fingerprint/redact.js";
import { MAX_CAPTURE_RECORD_BYTES } from "../fingerprint/capture-record.js";
import { CaptureArtifacts } from "../tracking/tags.js";
import { mapBounded } from "../bounded-map.js";
import { isWorkloadMetric, type RunEvidence } from "./assemble-run.js";
import type { OriginalSnapshot } from "./original-snapshot.js";
import type { ReadRun, RunReader } from "./ports.js";
import { PUBLISHED_ARTIFACT_DIR } from "./publish.js";
import { replayLabel } from "../drift/format.js";

// Reads from the server what scoring compares beyond final values: step histories
// and sha256 hashes of the artifact files (models). The original's are read once,
// as a snapshot before the first replay (and again after the last, to check it);
// the replays' after they finished. Bounded: files above a size limit and in
// total above a budget are left out and said so, so a run with a 10 GB checkpoint
// does not stall an audit.

export interface EvidenceLimits {
  /** files larger than this are not hashed */
  maxFileBytes: number;
  /** per execution, at most this many bytes are downloaded */
  maxTotalBytes: number;
  /** per execution, at most this many files */
  maxFiles: number;
}

export const DEFAULT_EVIDENCE_LIMITS: EvidenceLimits = {
  maxFileBytes: 64 * 1024 * 1024,
  maxTotalBytes: 256 * 1024 * 1024,
  maxFiles: 200,
};

/** The audit reports publishing attaches to a run (repro-audit/<audit-id>/...). */
function isPublishedArtifact(path: string): boolean {
  return path.startsWith(`${PUBLISHED_ARTIFACT_DIR}/`);
}

const CAPTURE_ARTIFACT_PATHS: ReadonlySet<string> = new Set([DIFF_ARTIFACT_PATH, ...Object.values(CaptureArtifacts)]);

/**
 * Paths the harness itself writes into runs (the capture plugin's records of where a
 * run ran, published reports): they say nothing about the workload, and are not scored.
 */
export function isHarnessArtifact(path: string): boolean {
  return CAPTURE_ARTIFACT_PATHS.has(path) || isPublishedArtifact(path);
}

/** Whether a file's text is kept in the snapshot: model files (compared by meaning) and the capture record. */
function keepsText(path: string, bytes: number): boolean {
  if (path === CaptureArtifacts.fingerprint) return bytes <= MAX_CAPTURE_RECORD_BYTES;
  return modelFileKind(path) !== undefined && bytes <= MAX_MODEL_FILE_BYTES;
}

export interface ReplayEvidenceInput {
  reader: RunReader;
  /** run id per replay index; undefined where the replay did not finish */
  replayRunIds: ReadonlyArray<string | undefined>;
  /** metrics whose histories are compared: those the original logged at more than one step */
  historyNames: readonly string[];
  limits?: EvidenceLimits;
  /** history requests in flight at once (default 8) */
  concurrency?: number;
}

export interface ReplayEvidence {
  evidence: Pick<RunEvidence, "replayHistories" | "replayArtifacts" | "replayArtifactTexts">;
  /** what was left out and why, for the run's findings */
  notes: string[];
}

/**
 * The original as it is now: latest metrics, params, tags, every history and the
 * sha256 of every artifact file within the budget. Taken before the first replay
 * (what the audit scores against) and again after the last (to see that nothing
 * wrote into it meanwhile). `read` is the run as the caller already read it (the
 * audit's selection); when absent it is read here.
 */
export async function takeOriginalSnapshot(
  reader: RunReader,
  runId: string,
  opts: { read?: ReadRun; limits?: EvidenceLimits; concurrency?: number; now?: () => Date } = {},
): Promise<OriginalSnapshot> {
  if (opts.read !== undefined && opts.read.run.runId !== runId)
    throw new Error(`internal error: a snapshot of run ${runId} got run ${opts.read.run.runId}`);
  const read = opts.read ?? (await reader.getRun(runId));
  const { run: recorded, lifecycleStage } = read;
  // The snapshot is kept on disk (original.json): credentials in URL-valued tags
  // (mlflow.source.git.repoURL) must not be, and no step reads them. Params stay as
  // logged: the replay command is bound from them.
  const run = {
    ...recorded,
    tags: Object.fromEntries(Object.entries(recorded.tags).map(([k, v]) => [k, stripUrlCredentials(v)])),
  };
  const names = Object.keys(run.metrics).filter(isWorkloadMetric).sort();
  const fetched = await mapBounded(
    names,
    opts.concurrency ?? 8,
    async (name) => [name, await reader.metricHistory(runId, name)] as const,
  );
  const histories: Record<string, HistoryPoint[]> = Object.fromEntries(fetched);
  const notes: string[] = [];
  // Published reports are the harness's own writes; everything else the run holds is checked.
  const artifacts = await hashRunArtifacts(
    reader,
    runId,
    opts.limits ?? DEFAULT_EVIDENCE_LIMITS,
    "the original",
    notes,
    isPublishedArtifact,
  );
  const loggedModelTexts = await readLoggedModelTexts(reader, read, notes);
  return {
    takenAt: (opts.now ?? (() => new Date()))().toISOString(),
    run,
    ...(lifecycleStage !== undefined ? { lifecycleStage } : {}),
    histories,
    artifacts,
    ...(Object.keys(loggedModelTexts).length > 0 ? { loggedModelTexts } : {}),
    notes,
  };
}

/** Logged models of one run whose files are read; a run logging more is said so. */
const MAX_LOGGED_MODELS = 20;

/**
 * The MLmodel and environment files at the root of each MLflow 3 logged model the run
 * produced (what MLflow recorded of the original's Python and libraries), keyed
 * models:/<id>/<path>. Other files (the model's weights) are neither listed further
 * nor downloaded.
 */
async function readLoggedModelTexts(
  reader: RunReader,
  read: ReadRun,
  notes: string[],
): Promise<Record<string, string>> {
  const models = await reader.loggedModels(read);
  const out: Record<string, string> = {};
  if (models.length === 0) return out;
  if (models.length > MAX_LOGGED_MODELS)
    notes.push(`the original logged ${models.length} models; the files of the first ${MAX_LOGGED_MODELS} were read`);
  const dir = await mkdtemp(join(tmpdir(), "repro-audit-models-"));
  try {
    for (const model of models.slice(0, MAX_LOGGED_MODELS)) {
      const files = (await reader.listLoggedModelFiles(model.modelId)).filter(
        (f) => !f.path.includes("/") && modelFileKind(f.path) !== undefined,
      );
      for (const f of files) {
        const key = `models:/${model.modelId}/${f.path}`;
        if ((f.size ?? 0) > MAX_MODEL_FILE_BYTES) {
          notes.push(`logged model file ${key} not read: ${f.size} bytes is over ${MAX_MODEL_FILE_BYTES}`);
          continue;
        }
        const local = join(dir, "f");
        await reader.downloadLoggedModelFile(model.modelId, f.path, local);
        const text = (await stat(local)).size <= MAX_MODEL_FILE_BYTES ? await utf8Text(local) : undefined;
        // Kept in original.json: an index URL's token in requirements.txt must not be.
        if (text !== undefined) out[key] = stripUrlCredentials(text);
        else notes.push(`logged model file ${key} not read: not UTF-8 text within ${MAX_MODEL_FILE_BYTES} bytes`);
        await rm(local, { force: true });
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return out;
}

/** Histories and artifact hashes of the finished replays, to score against the original's snapshot. */
export async function gatherReplayEvidence(input: ReplayEvidenceInput): Promise<ReplayEvidence> {
  const limits = input.limits ?? DEFAULT_EVIDENCE_LIMITS;
  const notes: string[] = [];
  // A run may log hundreds of metrics: requests go out a few at a time.
  const concurrency = input.concurrency ?? 8;
  const historyNames = input.historyNames;
  const replayHistories: Array<Record<string, HistoryPoint[]> | undefined> = [];
  for (const runId of input.replayRunIds) {
    if (runId === undefined || historyNames.length === 0) {
      replayHistories.push(undefined);
      continue;
    }
    const h: Record<string, HistoryPoint[]> = {};
    const got = await mapBounded(
      historyNames,
      concurrency,
      async (name) => [name, await input.reader.metricHistory(runId, name)] as const,
    );
    for (const [name, points] of got) if (points.length > 0) h[name] = points;
    replayHistories.push(h);
  }

  const replayArtifacts: Array<Record<string, string> | undefined> = [];
  const replayArtifactTexts: Array<Record<string, string> | undefined> = [];
  for (const [i, runId] of input.replayRunIds.entries()) {
    if (runId === undefined) {
      replayArtifacts.push(undefined);
      replayArtifactTexts.push(undefined);
      continue;
    }
    const files = await hashRunArtifacts(input.reader, runId, limits, replayLabel(i), notes, isHarnessArtifact);
    replayArtifacts.push(hashesOf(files));
    replayArtifactTexts.push(textsOf(files));
  }
  return {
    evidence: {
      ...(historyNames.length > 0 ? { replayHistories } : {}),
      ...(replayArtifacts.some((a) => a !== undefined && Object.keys(a).length > 0) ? { replayArtifacts } : {}),
      ...(replayArtifactTexts.some((a) => a !== undefined && Object.keys(a).length > 0) ? { replayArtifactTexts } : {}),
    },
    notes,
  };
}

/** Size and (within the limits) sha256 of every file of the run that `skip` does not exclude. */
async function hashRunArtifacts(
  reader: RunReader,
  runId: string,
  limits: EvidenceLimits,
  who: string,
  notes: string[],
  skip: (path: string) => boolean,
): Promise<Record<string, ArtifactDigest>> {
  const files = (await reader.listArtifactFiles(runId)).filter((f) => !skip(f.path));
  const out: Record<string, ArtifactDigest> = {};
  if (files.length === 0) return out;
  const dir = await mkdtemp(join(tmpdir(), "repro-audit-artifacts-"));
  try {
    let total = 0;
    let count = 0;
    let overBudget = false;
    for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
      const size = f.size;
      out[f.path] = { size };
      if (overBudget) continue;
      if ((size ?? 0) > limits.maxFileBytes) {
        notes.push(
          `artifact ${f.path} of ${who} not compared: ${size} bytes is over the ${limits.maxFileBytes}-byte limit`,
        );
        continue;
      }
      if (total + (size ?? 0) > limits.maxTotalBytes || count >= limits.maxFiles) {
        notes.push(
          `artifacts of ${who} from ${f.path} on not compared: over the download budget (${limits.maxFiles} files, ${limits.maxTotalBytes} bytes)`,
        );
        overBudget = true;
        continue;
      }
      const local = join(dir, `f${count}`);
      await reader.downloadArtifact(runId, f.path, local);
      // The listing's size may be missing or wrong: the budget counts what arrived.
      const actual = (await stat(local)).size;
      if (actual > limits.maxFileBytes) {
        notes.push(
          `artifact ${f.path} of ${who} not compared: ${actual} bytes is over the ${limits.maxFileBytes}-byte limit`,
        );
      } else {
        // Kept in original.json: an index URL's token in requirements.txt must not be (both sides lose it alike).
        const raw = keepsText(f.path, actual) ? await utf8Text(local) : undefined;
        const text = raw === undefined ? undefined : stripUrlCredentials(raw);
        out[f.path] = { size, sha256: await sha256File(local), ...(text !== undefined ? { text } : {}) };
      }
      await rm(local, { force: true });
      total += actual;
      count += 1;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return out;
}

type ArtifactDigest = OriginalSnapshot["artifacts"][string];

function hashesOf(files: Record<string, ArtifactDigest>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, f] of Object.entries(files)) if (f.sha256 !== undefined) out[path] = f.sha256;
  return out;
}

/** The file's text, for the model files compared by meaning; undefined when it is not UTF-8 (then compared by hash alone). */
async function utf8Text(path: string): Promise<string | undefined> {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(await readFile(path));
  } catch {
    return undefined;
  }
}

function textsOf(files: Record<string, ArtifactDigest>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, f] of Object.entries(files)) if (f.text !== undefined) out[path] = f.text;
  return out;
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(path)
      .on("error", reject)
      .on("data", (c) => hash.update(c))
      .on("end", () => resolve(hash.digest("hex")));
  });
}
