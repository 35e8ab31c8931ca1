import { isAbsolute } from "node:path";
import { z } from "zod";
import { ExecutorKindSchema } from "./executor-kind-schema.js";
import type { ExecutorKind } from "./executors.js";
import { ReproAuditError, zodIssueLines } from "../errors.js";

/** Default bytes of stdout and of stderr kept per execution. */
export const DEFAULT_OUTPUT_LIMIT = 64 * 1024;

const absolute = z.string().refine((p) => isAbsolute(p), { message: "must be an absolute path" });

export const MountSpec = z.object({
  host: absolute,
  container: absolute,
  readOnly: z.boolean(),
});
export type MountSpec = z.infer<typeof MountSpec>;

export const ExecLimits = z.object({
  memoryBytes: z.number().int().positive(),
  /** CPU quota in units of 1e-9 CPUs (1 CPU = 1_000_000_000), as the engine takes it. */
  nanoCpus: z.number().int().positive(),
  pids: z.number().int().positive(),
  timeoutMs: z.number().int().positive(),
});
export type ExecLimits = z.infer<typeof ExecLimits>;

/** What to run, where and under which limits; the same value drives every executor. */
export const ExecSpec = z.object({
  /** Image ID (sha256:...) or a name the engine resolves; required by the docker executor. */
  image: z.string().min(1).optional(),
  command: z.union([z.array(z.string()).min(1), z.object({ shell: z.string().min(1) })]),
  /** Working directory inside the container (the local executor maps it through mounts). */
  workdir: absolute,
  mounts: z.array(MountSpec),
  env: z.record(z.string(), z.string()),
  network: z.enum(["none", "host"]),
  limits: ExecLimits,
  /** "uid:gid"; the docker executor defaults to 65534:65534 (nobody). */
  user: z
    .string()
    .regex(/^\d+(:\d+)?$|^[a-z_][a-z0-9_-]*$/)
    .optional(),
  outputLimitBytes: z.number().int().nonnegative().optional(),
  /** Labels for what runs (audit, run, replay), so leftovers can be found and reaped by them. */
  labels: z.record(z.string(), z.string()).optional(),
  /** Size of the writable tmpfs on /tmp (docker); counts against the memory limit. */
  tmpfsBytes: z.number().int().positive().optional(),
});
export type ExecSpec = z.infer<typeof ExecSpec>;

export const ExecResult = z.object({
  /** null when the process did not exit on its own (killed by timeout, abort or signal). */
  exitCode: z.number().int().nullable(),
  signal: z.string().optional(),
  oomKilled: z.boolean(),
  timedOut: z.boolean(),
  durationMs: z.number().nonnegative(),
  stdoutTail: z.string(),
  stderrTail: z.string(),
  stdoutTruncated: z.boolean(),
  stderrTruncated: z.boolean(),
  /** Ran with network, filesystem and capability isolation (docker); false for local. */
  isolated: z.boolean(),
  /** Ran in an image identified by ID, recorded in imageId; false for local. */
  pinned: z.boolean(),
  imageId: z.string().optional(),
  executor: ExecutorKindSchema,
  /** something outside the harness ended it (the engine shutting down, a `docker stop`): what and how, when so (docker) */
  stoppedBy: z.string().optional(),
});
export type ExecResult = z.infer<typeof ExecResult>;

export type OutputStream = "stdout" | "stderr";

export interface RunOptions {
  /** Aborting stops and removes what runs, then rejects with ExecAbortedError. */
  signal?: AbortSignal;
  onOutput?: (stream: OutputStream, chunk: Buffer) => void;
}

export interface Executor {
  readonly kind: ExecutorKind;
  run(spec: ExecSpec, opts?: RunOptions): Promise<ExecResult>;
}

/**
 * A run that was interrupted (Ctrl-C) has no result to record: callers must not journal it as
 * finished. Whatever ran has been stopped and removed when this is thrown.
 */
export class ExecAbortedError extends ReproAuditError {
  override name = "AbortError";
  readonly kind = "interrupted";
  constructor(readonly durationMs: number) {
    super(`execution aborted after ${Math.round(durationMs)} ms; its container/process was stopped`);
  }
}

/** Validates a spec at the boundary, turning zod's issues into one message that says what to fix. */
export function parseExecSpec(spec: unknown): ExecSpec {
  const r = ExecSpec.safeParse(spec);
  if (r.success) return r.data;
  const lines = zodIssueLines(r.error.issues, { prefix: "  ", root: "(spec)" });
  throw new Error(`Invalid execution spec:\n${lines.join("\n")}`);
}
