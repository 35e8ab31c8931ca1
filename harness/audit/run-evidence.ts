import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HistoryPoint } from "../drift/schema.js";
import { DIFF_ARTIFACT_PATH } from "../plan/recorded-run.js";
import type { MlflowClient } from "../tracking/client.js";
import { mapBounded } from "../trace/bounded-map.js";
import type { RunEvidence } from "./assemble-run.js";
import { PUBLISHED_ARTIFACT_DIR } from "./publish.js";

// Reads back what scoring compares beyond final values: step histories of the
// compared metrics, and sha256 hashes of the artifact files (models) of the
// original and of every finished replay. Bounded: files above a size limit and in
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

export const DEFAULT_EVIDENCE_LIMITS: EvidenceLimits = { maxFileBytes: 64 * 1024 * 1024, maxTotalBytes: 256 * 1024 * 1024, maxFiles: 200 };

/** Paths the harness itself writes into runs: they say nothing about the workload. */
function isHarnessArtifact(path: string): boolean {
  return path === DIFF_ARTIFACT_PATH || path.startsWith(`${PUBLISHED_ARTIFACT_DIR}/`);
}

export interface EvidenceInput {
  client: MlflowClient;
  originalRunId: string;
  /** run id per replay index; undefined where the replay did not finish */
  replayRunIds: ReadonlyArray<string | undefined>;
  metricNames: readonly string[];
  limits?: EvidenceLimits;
  /** history requests in flight at once (default 8) */
  concurrency?: number;
}

export interface EvidenceResult {
  evidence: RunEvidence;
  /** what was left out and why, for the run's findings */
  notes: string[];
}

export async function gatherEvidence(input: EvidenceInput): Promise<EvidenceResult> {
  const limits = input.limits ?? DEFAULT_EVIDENCE_LIMITS;
  const notes: string[] = [];

  // Histories: only metrics the original logged at more than one step. A run may
  // log hundreds of metrics: requests go out a few at a time.
  const concurrency = input.concurrency ?? 8;
  const originalHistories: Record<string, HistoryPoint[]> = {};
  const fetched = await mapBounded(input.metricNames, concurrency, async (name) => [name, await input.client.getMetricHistory(input.originalRunId, name)] as const);
  for (const [name, points] of fetched) {
    if (points.length > 1) originalHistories[name] = points.map((p) => ({ step: p.step, value: p.value }));
  }
  const historyNames = Object.keys(originalHistories);
  const replayHistories: Array<Record<string, HistoryPoint[]> | undefined> = [];
  for (const runId of input.replayRunIds) {
    if (runId === undefined || historyNames.length === 0) {
      replayHistories.push(undefined);
      continue;
    }
    const h: Record<string, HistoryPoint[]> = {};
    const got = await mapBounded(historyNames, concurrency, async (name) => [name, await input.client.getMetricHistory(runId, name)] as const);
    for (const [name, points] of got) if (points.length > 0) h[name] = points.map((p) => ({ step: p.step, value: p.value }));
    replayHistories.push(h);
  }

  const original = await hashRunArtifacts(input.client, input.originalRunId, limits, "the original", notes);
  const replayArtifacts: Array<Record<string, string> | undefined> = [];
  for (const [i, runId] of input.replayRunIds.entries()) {
    replayArtifacts.push(runId === undefined ? undefined : await hashRunArtifacts(input.client, runId, limits, `replay ${i + 1}`, notes));
  }
  const anyArtifacts = Object.keys(original).length > 0 || replayArtifacts.some((a) => a !== undefined && Object.keys(a).length > 0);
  return {
    evidence: {
      ...(historyNames.length > 0 ? { originalHistories, replayHistories } : {}),
      ...(anyArtifacts ? { originalArtifacts: original, replayArtifacts } : {}),
    },
    notes,
  };
}

async function hashRunArtifacts(client: MlflowClient, runId: string, limits: EvidenceLimits, who: string, notes: string[]): Promise<Record<string, string>> {
  const files = (await client.listArtifactsRecursive({ runId })).filter((f) => !f.is_dir && !isHarnessArtifact(f.path));
  const out: Record<string, string> = {};
  if (files.length === 0) return out;
  const dir = await mkdtemp(join(tmpdir(), "repro-audit-artifacts-"));
  try {
    let total = 0;
    let count = 0;
    for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
      const size = f.file_size ?? 0;
      if (size > limits.maxFileBytes) {
        notes.push(`artifact ${f.path} of ${who} not compared: ${size} bytes is over the ${limits.maxFileBytes}-byte limit`);
        continue;
      }
      if (total + size > limits.maxTotalBytes || count >= limits.maxFiles) {
        notes.push(`artifacts of ${who} from ${f.path} on not compared: over the download budget (${limits.maxFiles} files, ${limits.maxTotalBytes} bytes)`);
        break;
      }
      const local = join(dir, `f${count}`);
      await client.downloadArtifact({ runId }, f.path, local);
      // The listing's size may be missing or wrong: the budget counts what arrived.
      const actual = (await stat(local)).size;
      if (actual > limits.maxFileBytes) {
        notes.push(`artifact ${f.path} of ${who} not compared: ${actual} bytes is over the ${limits.maxFileBytes}-byte limit`);
      } else {
        out[f.path] = await sha256File(local);
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

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(path).on("error", reject).on("data", (c) => hash.update(c)).on("end", () => resolve(hash.digest("hex")));
  });
}
