/**
 * A large audit's scoring input from a seeded PRNG, one run at a time (the whole
 * audit as objects would be ~22M history points): what bench/drift-scoring.ts
 * scores and bench/report-scale.ts writes a report of. The same sequence on every
 * machine for the same shape.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RunFacts } from "../harness/audit/assemble-run.js";
import type { EnvironmentRecord, JournalReplay } from "../harness/audit/journal.js";
import type { ScoreRunInput } from "../harness/drift/score.js";
import type { ExecutionRecord, HistoryPoint, ReplayRecord } from "../harness/drift/schema.js";
import { DEFAULT_POLICY } from "../harness/drift/tolerance.js";
import { ContainerFingerprintSchema, HostFingerprintSchema } from "../harness/fingerprint/schema.js";
import { ReplayPlanSchema } from "../harness/plan/plan.js";
import { projectRoot } from "../harness/project-root.js";
import { seededRandom } from "../harness/drift/seeded-random.js";

export interface AuditShape {
  runs: number;
  replays: number;
  metrics: number;
  /** steps per history; below 2 no histories are logged */
  steps: number;
}

/**
 * Metric k of a run behaves like one of four kinds, so every verdict path runs:
 * bit-identical, rounding noise (equivalent), seed noise (varies / not
 * reproduced), and a NaN now and then.
 */
export function syntheticScoringInput(runIndex: number, shape: AuditShape): ScoreRunInput {
  const rand = seededRandom(0x5eed + runIndex);
  const noise = (k: number): number => {
    switch (k % 4) {
      case 0:
        return 0;
      case 1:
        return (rand() - 0.5) * 1e-15;
      case 2:
        return (rand() - 0.5) * 1e-2;
      default:
        return rand() < 0.01 ? Number.NaN : (rand() - 0.5) * 1e-3;
    }
  };
  const centres = Array.from({ length: shape.metrics }, () => 0.5 + rand());
  const record = (): ExecutionRecord => {
    const metrics: Record<string, number> = {};
    const histories: Record<string, HistoryPoint[]> = {};
    const artifacts: Record<string, string> = { "model.pkl": rand() < 0.5 ? "a".repeat(64) : "b".repeat(64) };
    for (let k = 0; k < shape.metrics; k++) {
      const c = centres[k] as number;
      const name = `metric_${k}`;
      if (shape.steps > 1) {
        const hist = new Array<HistoryPoint>(shape.steps);
        for (let s = 0; s < shape.steps; s++) hist[s] = { step: s, value: c * (1 + 1 / (s + 1)) * (1 + noise(k)) };
        histories[name] = hist;
      }
      metrics[name] = c * (1 + noise(k));
    }
    return { metrics, ...(shape.steps > 1 ? { histories } : {}), artifacts };
  };
  const original = record();
  const replays: ReplayRecord[] = Array.from({ length: shape.replays }, () => ({ ok: rand() > 0.02, ...record() }));
  return { runId: `run-${runIndex}`, original, replays, policy: DEFAULT_POLICY };
}

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(projectRoot(), "test/fixtures/fingerprint", name), "utf8"));

/** What the audit gathered about one run, as audit-job.ts hands it to assembleRun: the scoring input above, as journal records and evidence. */
export function syntheticRunFacts(runIndex: number, shape: AuditShape, runId = `run-${runIndex}`): RunFacts {
  const input = syntheticScoringInput(runIndex, shape);
  const environment: EnvironmentRecord = {
    type: "environment",
    executor: "docker",
    imageId: "sha256:synthetic",
    mismatches: [],
    container: ContainerFingerprintSchema.parse(fixture("container-venv.json")),
  };
  const at = new Date(Date.UTC(2026, 0, 1) + runIndex * 60_000).toISOString();
  const replays: JournalReplay[] = input.replays.map((r, index) => ({
    type: "replay",
    index,
    status: r.ok ? "finished" : "failed",
    replayRunId: `${runId}-replay-${index}`,
    exitCode: r.ok ? 0 : 1,
    oomKilled: false,
    timedOut: false,
    durationMs: 1000 + index,
    wallMs: 1500 + index,
    metrics: r.metrics,
    missingMetrics: [],
    stdoutTail: "",
    stderrTail: r.ok ? "" : "Traceback (most recent call last):\nRuntimeError: synthetic failure\n",
    executor: "docker",
    isolated: true,
    pinned: true,
    imageId: "sha256:synthetic",
    startedAt: at,
    finishedAt: at,
  }));
  return {
    run: {
      runId,
      experimentId: "1",
      runName: `synthetic-${runIndex}`,
      params: { alpha: "0.5", seed: String(runIndex) },
      tags: {},
      metrics: input.original.metrics,
    },
    traceItems: [
      { id: "params", label: "Parameters", status: "present", detail: "2 params" },
      { id: "git_commit", label: "Git commit", status: "missing", detail: "no mlflow.source.git.commit tag" },
    ],
    replaysRequested: shape.replays,
    policy: DEFAULT_POLICY,
    plan: ReplayPlanSchema.parse({
      runId,
      experimentId: "1",
      command: "python train.py --alpha 0.5",
      commandSource: "scenario",
      params: { alpha: "0.5", seed: String(runIndex) },
      environment: { source: "scenario", file: "requirements.txt", requirements: ["scikit-learn==1.5.2"] },
      code: { source: "scenario", path: "/srv/project", dirtyOriginal: "unknown", diffAvailable: false },
      capture: { mode: "mlflow" },
      limits: { timeoutSeconds: 60, memoryMb: 512, cpus: 1, pids: 64 },
      originalMetrics: input.original.metrics,
    }),
    environment,
    host: HostFingerprintSchema.parse(fixture("host-skylake.json")),
    replays,
    evidence: {
      ...(input.original.histories ? { originalHistories: input.original.histories } : {}),
      replayHistories: input.replays.map((r) => (r.ok ? r.histories : undefined)),
      originalArtifacts: input.original.artifacts ?? {},
      replayArtifacts: input.replays.map((r) => (r.ok ? r.artifacts : undefined)),
    },
  };
}
