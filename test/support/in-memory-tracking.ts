// In-memory doubles of the audit's ports (harness/audit/ports.ts, and the replay
// runs' ReplayRecorder in replay-runs.ts): a tracking server's runs, the replay of
// one run, the replay runs, and the place a report is published to,
// all held in maps, so auditJob's orchestration is tested in milliseconds and
// without a server or an engine. The real-server tests (test/integration/replay,
// test/e2e) cover the MLflow adapters.
import { writeFileSync } from "node:fs";
import { basename } from "node:path";
import type { AuditPorts, ReadRun, ReportPublisher, RunReader } from "../../harness/audit/ports.js";
import type { JournalReplay } from "../../harness/audit/journal.js";
import type { ReplayJobResult } from "../../harness/audit/replay-pipeline.js";
import type { RunPreview } from "../../harness/audit/replay-check.js";
import { DEFAULT_AUDIT_EXPERIMENT } from "../../harness/audit/audit-experiment.js";
import type { FoundReplayRun, ReplayRecorder } from "../../harness/audit/replay-runs.js";
import type { HistoryPoint } from "../../harness/drift/schema.js";
import type { ReplayPlan } from "../../harness/plan/plan.js";
import { type Run, RunSchema, type RunStatus } from "../../harness/tracking/schemas.js";
import { Tags } from "../../harness/tracking/tags.js";
import type { ArtifactTarget } from "../../harness/tracking/client.js";

export interface StoredRun {
  runId: string;
  experimentId: string;
  runName?: string;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** every point per metric key; the latest value is the one at the highest step */
  histories: Record<string, HistoryPoint[]>;
  /** artifact path -> file contents */
  artifacts: Record<string, string>;
  lifecycleStage?: string;
  /** the MLflow 3 logged models the run produced: id, name, path -> file contents */
  loggedModels?: Array<{ modelId: string; name: string; files: Record<string, string> }>;
}

export class InMemoryTracking {
  readonly runs = new Map<string, StoredRun>();
  /** calls the audit made, by port and method, in order */
  readonly calls: string[] = [];
  readonly uploads: Array<{ runId: string; artifactPath: string }> = [];
  readonly modelVersionTags: Array<{ name: string; version: string; key: string; value: string }> = [];
  /** "<name> v<version>" -> description, as a registry holds it */
  readonly modelVersionDescriptions = new Map<string, string>();

  addRun(run: Partial<StoredRun> & { runId: string }): StoredRun {
    const stored: StoredRun = { experimentId: "1", params: {}, tags: {}, histories: {}, artifacts: {}, ...run };
    this.runs.set(run.runId, stored);
    return stored;
  }

  private stored(runId: string): StoredRun {
    const run = this.runs.get(runId);
    if (run === undefined) throw new Error(`in-memory tracking: no run ${runId}`);
    return run;
  }

  /** The run as MLflow's runs/get would answer it: what selection and trace still read. */
  wire(runId: string): Run {
    const r = this.stored(runId);
    const latest = Object.entries(r.histories).flatMap(([key, points]) => {
      const last = [...points].sort((a, b) => a.step - b.step).at(-1);
      return last === undefined ? [] : [{ key, value: last.value, step: last.step, timestamp: 0 }];
    });
    return RunSchema.parse({
      info: {
        run_id: r.runId,
        experiment_id: r.experimentId,
        ...(r.runName !== undefined ? { run_name: r.runName } : {}),
        status: "FINISHED",
        lifecycle_stage: r.lifecycleStage ?? "active",
      },
      data: {
        metrics: latest,
        params: Object.entries(r.params).map(([key, value]) => ({ key, value })),
        tags: Object.entries(r.tags).map(([key, value]) => ({ key, value })),
      },
    });
  }

  readonly selection: AuditPorts["selection"] = {
    getExperimentByName: async () => undefined,
    searchExperiments: async () => [],
    searchRuns: async () => [],
    getRun: async (runId) => {
      this.calls.push(`selection.getRun ${runId}`);
      return this.wire(runId);
    },
    getModelVersion: async (name, version) => {
      throw new Error(`in-memory tracking: no model ${name} v${version}`);
    },
    getModelVersionByAlias: async (name, alias) => {
      throw new Error(`in-memory tracking: no model ${name}@${alias}`);
    },
    searchLoggedModels: async () => [],
    getLoggedModel: async (id) => {
      throw new Error(`in-memory tracking: no logged model ${id}`);
    },
    searchModelVersions: async () => [],
    getRegisteredModel: async (name) => {
      throw new Error(`in-memory tracking: no registered model ${name}`);
    },
    listArtifacts: async (target: ArtifactTarget, path = "") => {
      const runId = typeof target === "object" && "runId" in target ? target.runId : undefined;
      if (runId === undefined) return [];
      const prefix = path === "" ? "" : `${path}/`;
      const entries = new Map<string, boolean>();
      for (const p of Object.keys(this.stored(runId).artifacts)) {
        if (!p.startsWith(prefix)) continue;
        const [head, ...rest] = p.slice(prefix.length).split("/");
        entries.set(`${prefix}${head}`, rest.length > 0);
      }
      return [...entries].map(([p, isDir]) => ({ path: p, is_dir: isDir }));
    },
  };

  readonly reader: RunReader = {
    getRun: async (runId): Promise<ReadRun> => {
      this.calls.push(`reader.getRun ${runId}`);
      const r = this.stored(runId);
      const metrics = Object.fromEntries(this.wire(runId).data.metrics.map((m) => [m.key, m.value]));
      return {
        run: {
          runId,
          experimentId: r.experimentId,
          ...(r.runName !== undefined ? { runName: r.runName } : {}),
          params: { ...r.params },
          tags: { ...r.tags },
          metrics,
        },
        lifecycleStage: r.lifecycleStage ?? "active",
      };
    },
    metricHistory: async (runId, key) => (this.stored(runId).histories[key] ?? []).map((p) => ({ ...p })),
    listArtifactFiles: async (runId) =>
      Object.entries(this.stored(runId).artifacts).map(([path, body]) => ({ path, size: Buffer.byteLength(body) })),
    downloadArtifact: async (runId, path, destFile) => {
      const body = this.stored(runId).artifacts[path];
      if (body === undefined) throw new Error(`in-memory tracking: run ${runId} has no artifact ${path}`);
      writeFileSync(destFile, body);
    },
    loggedModels: async (read) =>
      (this.stored(read.run.runId).loggedModels ?? []).map(({ modelId, name }) => ({ modelId, name })),
    listLoggedModelFiles: async (modelId) =>
      Object.entries(this.loggedModel(modelId).files).map(([path, body]) => ({ path, size: Buffer.byteLength(body) })),
    downloadLoggedModelFile: async (modelId, path, destFile) => {
      const body = this.loggedModel(modelId).files[path];
      if (body === undefined) throw new Error(`in-memory tracking: logged model ${modelId} has no file ${path}`);
      writeFileSync(destFile, body);
    },
  };

  private loggedModel(modelId: string): NonNullable<StoredRun["loggedModels"]>[number] {
    for (const run of this.runs.values()) for (const m of run.loggedModels ?? []) if (m.modelId === modelId) return m;
    throw new Error(`in-memory tracking: no logged model ${modelId}`);
  }

  readonly publisher: ReportPublisher = {
    uploadArtifact: async (target, localPath, artifactDir) => {
      const artifactPath = `${artifactDir}/${basename(localPath)}`;
      this.uploads.push({ runId: target.runId, artifactPath });
    },
    logBatch: async (runId, batch) => {
      const run = this.stored(runId);
      for (const t of batch.tags ?? []) run.tags[t.key] = t.value;
      // a point is added to the history, never replacing one: as MLflow keeps them
      for (const m of batch.metrics ?? []) {
        const history = run.histories[m.key] ?? [];
        history.push({ step: m.step ?? 0, value: m.value });
        run.histories[m.key] = history;
      }
    },
    setModelVersionTag: async (name, version, key, value) => {
      this.modelVersionTags.push({ name, version, key, value });
    },
    modelVersionDescription: async (name, version) => this.modelVersionDescriptions.get(`${name} v${version}`) ?? "",
    setModelVersionDescription: async (name, version, description) => {
      this.modelVersionDescriptions.set(`${name} v${version}`, description);
    },
  };
}

export interface ScriptedReplay {
  /** final metrics the replay logs, one point each at step 0 */
  metrics: Record<string, number>;
  artifacts?: Record<string, string>;
  /** a replay that writes into the original as well (what the audit must notice) */
  touchOriginal?: (original: StoredRun) => void;
}

/**
 * A replay step that runs nothing: replay i (below the call's `replays`) "logs"
 * `script[i]` into a new run of the in-memory store, and the journal record is
 * `record(i, replayRunId, metrics)`.
 * `seen` receives the options each call got, so a test can check what was passed down.
 */
export function scriptedReplayStep(
  tracking: InMemoryTracking,
  input: {
    plan: ReplayPlan;
    script: readonly ScriptedReplay[];
    record: (index: number, replayRunId: string, metrics: Record<string, number>) => JournalReplay;
    seen?: Array<Parameters<AuditPorts["replay"]>[0]>;
  },
): AuditPorts["replay"] {
  // Like the journal: each call runs only the indexes below `replays` not yet done,
  // so an auto count's batches add replays, and `script` may be longer than a call asks.
  const done = new Map<number, JournalReplay>();
  return async (opts): Promise<ReplayJobResult> => {
    input.seen?.push(opts);
    const original = opts.original;
    if (original === undefined) throw new Error("scripted replay step: the audit passed no original");
    const auditId = opts.auditId ?? "scripted";
    const upTo = Math.min(opts.replays, input.script.length);
    for (let index = 0; index < upTo; index++) {
      if (done.has(index)) continue;
      const s = input.script[index] as ScriptedReplay;
      const replayRunId = `${opts.runId}-replay-${index}`;
      tracking.addRun({
        runId: replayRunId,
        histories: Object.fromEntries(Object.entries(s.metrics).map(([k, v]) => [k, [{ step: 0, value: v }]])),
        artifacts: { ...(s.artifacts ?? {}) },
      });
      s.touchOriginal?.(tracking.runs.get(opts.runId) as StoredRun);
      done.set(index, input.record(index, replayRunId, s.metrics));
    }
    const records = [...done.values()].sort((a, b) => a.index - b.index);
    return {
      run: original,
      plan: input.plan,
      summary: { auditId, replays: Math.max(opts.replays, records.length), records, resumed: [], aborted: false },
      auditDir: opts.runDir ?? opts.resultsDir,
    };
  };
}

/**
 * A preview step that plans nothing: each run can be replayed (its metrics are what
 * would be compared) unless `refuse` gives a reason for it. `seen` receives the
 * options each call got.
 */
export function scriptedPreviewStep(
  input: { refuse?: (runId: string) => string | undefined; seen?: Array<Parameters<AuditPorts["preview"]>[0]> } = {},
): AuditPorts["preview"] {
  return async (opts): Promise<RunPreview> => {
    input.seen?.push(opts);
    const refusal = input.refuse?.(opts.runId);
    return {
      runId: opts.runId,
      compared: { metrics: Object.keys(opts.original?.metrics ?? {}).sort() },
      ...(refusal !== undefined ? { refusal } : {}),
      notes: [],
    };
  };
}

export interface RecordedReplayRun {
  runId: string;
  experimentId: string;
  runName?: string;
  tags: Record<string, string>;
  status: RunStatus;
  /** something was logged into it (metrics or params) */
  logged: boolean;
  endTime?: number;
  deleted: boolean;
}

/** A ReplayRecorder over a map: what replay-runs.ts's ReplayRunBook creates, ends and retires. */
export class InMemoryReplayRecorder implements ReplayRecorder {
  readonly runs = new Map<string, RecordedReplayRun>();
  private readonly experiments = new Map<string, string>();
  private next = 0;

  add(run: Omit<RecordedReplayRun, "deleted" | "experimentId"> & { experiment?: string }): void {
    const { experiment, ...rest } = run;
    this.runs.set(run.runId, {
      ...rest,
      experimentId: this.experimentOf(experiment ?? DEFAULT_AUDIT_EXPERIMENT),
      deleted: false,
    });
  }

  live(): RecordedReplayRun[] {
    return [...this.runs.values()].filter((r) => !r.deleted);
  }

  private experimentOf(name: string): string {
    const id = this.experiments.get(name) ?? String(this.experiments.size + 1);
    this.experiments.set(name, id);
    return id;
  }

  async experimentId(name: string): Promise<string> {
    return this.experimentOf(name);
  }

  async findReplayRuns(
    experimentId: string,
    of: { auditId: string; originalRunId: string },
  ): Promise<FoundReplayRun[]> {
    return this.live()
      .filter(
        (r) =>
          r.experimentId === experimentId &&
          r.tags[Tags.auditId] === of.auditId &&
          r.tags[Tags.replayOf] === of.originalRunId,
      )
      .map((r) => {
        const index = Number(r.tags[Tags.replayIndex]);
        return {
          runId: r.runId,
          index: Number.isSafeInteger(index) ? index : undefined,
          status: r.status,
          empty: !r.logged,
        };
      });
  }

  async createRun(
    experimentId: string,
    run: { runName: string; startTime: number; tags: Record<string, string> },
  ): Promise<string> {
    const runId = `created-${this.next++}`;
    this.runs.set(runId, {
      runId,
      experimentId,
      runName: run.runName,
      tags: { ...run.tags },
      status: "RUNNING",
      logged: false,
      deleted: false,
    });
    return runId;
  }

  async setStatus(runId: string, status: RunStatus, endTime: number): Promise<void> {
    const run = this.runs.get(runId);
    if (run === undefined || run.deleted) throw new Error(`in-memory recorder: no run ${runId}`);
    run.status = status;
    run.endTime = endTime;
  }

  async deleteRun(runId: string): Promise<void> {
    const run = this.runs.get(runId);
    if (run === undefined) throw new Error(`in-memory recorder: no run ${runId}`);
    run.deleted = true;
  }
}
