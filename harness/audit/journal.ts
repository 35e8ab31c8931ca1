import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, truncateSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";
import { JsonFloat } from "../drift/schema.js";
import { ExecutorKindSchema } from "../exec/executor-kind-schema.js";
import { ExecUsageSchema } from "../exec/usage.js";
import { WorkTreeRecordSchema } from "../exec/work-tree-diff.js";
import { ContainerFingerprintSchema } from "../fingerprint/schema.js";
import { BadInputError } from "../errors.js";

// The audit's journal: one JSON object per line, appended and fsync'd as each
// replay finishes, so an interrupted audit resumes without redoing work. A crash
// mid-write can leave a torn last line; it is dropped on load (that replay simply
// did not finish) and cut off before the next append so the file stays valid.

export const ReplayFailureSchema = z.object({
  kind: z.enum(["exit", "timeout", "oom", "signal", "capture", "infrastructure"]),
  message: z.string(),
});

export const JournalReplaySchema = z.object({
  type: z.literal("replay"),
  index: z.number().int().nonnegative(),
  status: z.enum(["finished", "failed"]),
  failure: ReplayFailureSchema.optional(),
  replayRunId: z.string().optional(),
  exitCode: z.number().int().nullable(),
  signal: z.string().optional(),
  oomKilled: z.boolean(),
  timedOut: z.boolean(),
  /** the workload's own run time, as the executor measured it */
  durationMs: z.number().nonnegative(),
  /** everything the harness spent on this replay: run creation, execution, capture, journaling */
  wallMs: z.number().nonnegative(),
  /** NaN/±Infinity (a diverged run) are kept: JSON lines carry them as "NaN"/"Infinity" tokens */
  metrics: z.record(z.string(), JsonFloat),
  /** metrics the capture rule named that this replay did not produce */
  missingMetrics: z.array(z.string()).default([]),
  /** what the harness noticed importing the replay's sandbox store (registrations, extra runs, refused tags) */
  notes: z.array(z.string()).optional(),
  /** the replay's own copy of the code: what it wrote there (absent in journals from before the copies) */
  workTree: WorkTreeRecordSchema.optional(),
  /** what the execution cost, when the runner measured it (`measureUsage`: compare); see exec/usage.ts */
  usage: ExecUsageSchema.optional(),
  stdoutTail: z.string(),
  stderrTail: z.string(),
  executor: ExecutorKindSchema,
  isolated: z.boolean(),
  pinned: z.boolean(),
  imageId: z.string().optional(),
  /** the engine that ran it (its URL without credentials), where the replays were given engines (--engine); absent before there were several */
  engine: z.string().optional(),
  startedAt: z.string(),
  finishedAt: z.string(),
});
export type JournalReplay = z.infer<typeof JournalReplaySchema>;

export const HeaderRecordSchema = z.object({
  type: z.literal("header"),
  auditId: z.string(),
  runId: z.string(),
  replays: z.number().int().positive(),
  createdAt: z.string(),
  /** the plan, kept for the report and to check that a resume replays the same thing */
  plan: z.unknown(),
  planDigest: z.string(),
});
export type HeaderRecord = z.infer<typeof HeaderRecordSchema>;

export const EnvironmentRecordSchema = z.object({
  type: z.literal("environment"),
  imageId: z.string().optional(),
  executor: ExecutorKindSchema,
  container: ContainerFingerprintSchema.optional(),
  probeError: z.string().optional(),
  mismatches: z.array(z.object({ what: z.string(), requested: z.string(), actual: z.string() })).default([]),
  imageBuildSeconds: z.number().optional(),
  imageBuilt: z.boolean().optional(),
});
export type EnvironmentRecord = z.infer<typeof EnvironmentRecordSchema>;

export const JournalRecordSchema = z.discriminatedUnion("type", [
  HeaderRecordSchema,
  EnvironmentRecordSchema,
  JournalReplaySchema,
]);
export type JournalRecord = z.infer<typeof JournalRecordSchema>;

export interface JournalState {
  header?: HeaderRecord;
  environment?: EnvironmentRecord;
  /** the last record per replay index */
  replays: Map<number, JournalReplay>;
  /** a torn or unreadable line was dropped (only the last line may be torn) */
  droppedTail: boolean;
}

export class JournalError extends BadInputError {
  override name = "JournalError";
}

/** Parse journal text (pure): records in order; a bad last line is a torn write, a bad earlier line is corruption. */
export function parseJournal(text: string, label = "journal"): JournalState {
  const state: JournalState = { replays: new Map(), droppedTail: false };
  const lines = text.split("\n");
  const complete = text.endsWith("\n") ? lines.slice(0, -1) : lines;
  for (let i = 0; i < complete.length; i++) {
    const line = complete[i] as string;
    const isLast = i === complete.length - 1;
    if (line.trim() === "") continue;
    let record: JournalRecord;
    try {
      record = JournalRecordSchema.parse(JSON.parse(line));
    } catch (err) {
      if (isLast) {
        state.droppedTail = true;
        continue;
      }
      throw new JournalError(
        `${label}: line ${i + 1} is not a journal record (${(err as Error).message.split("\n")[0]}); the file is damaged`,
      );
    }
    if (isLast && !text.endsWith("\n")) {
      // Parsed, but the newline never made it: treat as torn, the write did not complete.
      state.droppedTail = true;
      continue;
    }
    if (record.type === "header") state.header = record;
    else if (record.type === "environment") state.environment = record;
    else state.replays.set(record.index, record);
  }
  return state;
}

/**
 * Indexes 0..n-1 a resume must (re)do: those without a journaled result, and those
 * the engine or the server failed (an infrastructure failure says nothing of the workload).
 */
export function pendingIndexes(state: JournalState, n: number): number[] {
  return Array.from({ length: n }, (_, i) => i).filter((i) => {
    const r = state.replays.get(i);
    return r === undefined || r.failure?.kind === "infrastructure";
  });
}

export class Journal {
  private constructor(
    readonly path: string,
    private state: JournalState,
  ) {}

  /** Opens (or creates) the journal, dropping a torn last line so appends start clean. */
  static open(path: string): Journal {
    mkdirSync(dirname(path), { recursive: true });
    if (!existsSync(path)) return new Journal(path, { replays: new Map(), droppedTail: false });
    const text = readFileSync(path, "utf8");
    const state = parseJournal(text, path);
    if (state.droppedTail) {
      const keep = text.endsWith("\n")
        ? text.slice(0, text.lastIndexOf("\n", text.length - 2) + 1)
        : text.slice(0, text.lastIndexOf("\n") + 1);
      truncateSync(path, Buffer.byteLength(keep));
    }
    return new Journal(path, state);
  }

  get snapshot(): JournalState {
    return this.state;
  }

  /** One record, one line, on disk (fsync'd) before this returns. */
  append(record: JournalRecord): void {
    // Encoding validates and turns NaN/±Infinity into tokens JSON can hold (JSON.stringify would write null).
    const encoded = z.encode(JournalRecordSchema, record);
    const parsed = JournalRecordSchema.parse(encoded);
    const fd = openSync(this.path, "a");
    try {
      writeSync(fd, `${JSON.stringify(encoded)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (parsed.type === "header") this.state.header = parsed;
    else if (parsed.type === "environment") this.state.environment = parsed;
    else this.state.replays.set(parsed.index, parsed);
  }
}
