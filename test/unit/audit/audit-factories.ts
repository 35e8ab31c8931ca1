// Small builders for the audit assembly tests: a recorded run, a replay plan, journal
// replay records and whole RunFacts, each valid by its own schema, overridable per test.
import { readFileSync } from "node:fs";
import { z } from "zod";
import type { RunFacts } from "../../../harness/audit/assemble-run.js";
import {
  type EnvironmentRecord,
  EnvironmentRecordSchema,
  type JournalReplay,
  JournalReplaySchema,
} from "../../../harness/audit/journal.js";
import { DEFAULT_POLICY } from "../../../harness/drift/tolerance.js";
import {
  type ContainerFingerprint,
  ContainerFingerprintSchema,
  type HostFingerprint,
  HostFingerprintSchema,
} from "../../../harness/fingerprint/schema.js";
import { type ReplayPlan, ReplayPlanSchema } from "../../../harness/plan/plan.js";
import type { RecordedRun } from "../../../harness/plan/recorded-run.js";
import type { ReportInputs } from "../../../harness/report/schema.js";
import type { TraceItem } from "../../../harness/trace/item.js";

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../fixtures/fingerprint/${name}`, import.meta.url), "utf8"));

export const container: ContainerFingerprint = ContainerFingerprintSchema.parse(fixture("container-venv.json"));
export const host: HostFingerprint = HostFingerprintSchema.parse(fixture("host-skylake.json"));

export function recordedRun(over: Partial<RecordedRun> = {}): RecordedRun {
  return {
    runId: "run-a",
    experimentId: "7",
    runName: "wine-a",
    params: { alpha: "0.5" },
    tags: {},
    metrics: { rmse: 0.731, r2: 0.42 },
    ...over,
  };
}

export function plan(over: Record<string, unknown> = {}): ReplayPlan {
  return ReplayPlanSchema.parse({
    runId: "run-a",
    experimentId: "7",
    command: "python train.py --alpha 0.5",
    commandSource: "scenario",
    params: { alpha: "0.5" },
    environment: { source: "scenario", file: "requirements.txt", requirements: ["scikit-learn==1.5.2"] },
    code: { source: "scenario", path: "/srv/project/scenarios/basic", dirtyOriginal: "unknown", diffAvailable: false },
    capture: { mode: "mlflow" },
    limits: { timeoutSeconds: 60, memoryMb: 512, cpus: 1, pids: 64 },
    originalMetrics: { rmse: 0.731, r2: 0.42 },
    ...over,
  });
}

/**
 * A journal record for replay `index`; finished with the given metrics unless overridden.
 * Checked the way the journal writes it (encoded), so NaN metrics are allowed.
 */
export function replayRecord(index: number, over: Partial<JournalReplay> = {}): JournalReplay {
  const record: JournalReplay = {
    type: "replay",
    index,
    status: "finished",
    replayRunId: `replay-${index}`,
    exitCode: 0,
    oomKilled: false,
    timedOut: false,
    durationMs: 1000 + index,
    wallMs: 1500 + index,
    metrics: { rmse: 0.731, r2: 0.42 },
    stdoutTail: "",
    stderrTail: "",
    executor: "docker",
    isolated: true,
    pinned: true,
    imageId: "sha256:img-from-record",
    startedAt: `2025-03-01T10:0${index % 10}:00.000Z`,
    finishedAt: `2025-03-01T10:0${index % 10}:30.000Z`,
    missingMetrics: [],
    ...over,
  };
  return JournalReplaySchema.parse(z.encode(JournalReplaySchema, record));
}

export function environmentRecord(over: Partial<EnvironmentRecord> = {}): EnvironmentRecord {
  return EnvironmentRecordSchema.parse({
    type: "environment",
    executor: "docker",
    imageId: "sha256:img-from-probe",
    container,
    ...over,
  });
}

export const traceItems: TraceItem[] = [
  { id: "params", label: "Parameters", status: "present", detail: "1 param" },
  { id: "git_commit", label: "Git commit", status: "missing", detail: "no mlflow.source.git.commit tag" },
];

/** A run whose `n` replays all finished and logged exactly the original's metrics. */
export function facts(over: Partial<RunFacts> = {}, n = 3): RunFacts {
  return {
    run: recordedRun(),
    traceItems,
    replaysRequested: n,
    policy: DEFAULT_POLICY,
    plan: plan(),
    environment: environmentRecord(),
    replays: Array.from({ length: n }, (_, i) => replayRecord(i)),
    ...over,
  };
}

export function inputs(over: Partial<ReportInputs> = {}): ReportInputs {
  return {
    trackingUri: "http://127.0.0.1:5000",
    selection: { experiment: "wine" },
    replays: 3,
    parallel: 1,
    executor: "docker",
    tolerance: DEFAULT_POLICY,
    ...over,
  };
}

export const meta = (over: Partial<ReportInputs> = {}, auditId = "20250301-audit-test") => ({
  auditId,
  createdAt: new Date("2025-03-01T12:00:00.000Z"),
  harnessVersion: "0.0.0-test",
  nodeVersion: "v20.0.0",
  inputs: inputs(over),
});
