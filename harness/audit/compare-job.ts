import { existsSync, lstatSync, mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { type ArmId, ARMS } from "../compare/arms.js";
import { type ArmInput, assembleCompare } from "../compare/assemble.js";
import { renderCompareHtml } from "../compare/html.js";
import { renderCompareMarkdown } from "../compare/markdown.js";
import { type CompareReport, type Execution, serializeCompareReport } from "../compare/schema.js";
import { untrackedLoggedAnyway } from "../compare/untracked-logging.js";
import type { TolerancePolicy } from "../drift/schema.js";
import { BadInputError } from "../errors.js";
import { EXECUTORS, type PreparedExecutor } from "../exec/executors.js";
import type { OnBuildProgress } from "../exec/build-progress.js";
import type { Limits } from "../plan/limits.js";
import type { ReplayPlan } from "../plan/plan.js";
import { type RecordedRun, recordedRunFromMlflow } from "../plan/recorded-run.js";
import { readCodeFolder } from "../plan/code-folder.js";
import { scoreTrace } from "../trace/score.js";
import { redactPlan } from "../plan/redact-plan.js";
import { writeFileAtomic } from "../report/write.js";
import { buildChecklist } from "../trace/checklist.js";
import type { TraceItem } from "../trace/item.js";
import type { TraceSubject } from "../trace/subject.js";
import { MlflowClient } from "../tracking/client.js";
import { type SandboxRun, readSandboxStore } from "../tracking/sandbox-store.js";
import { harnessVersion } from "../version.js";
import { type CompareAttachment, attachCompare } from "./compare-attach.js";
import { type JournalReplay, Journal } from "./journal.js";
import { latestValues } from "./replay-metrics.js";
import { planRun } from "./replay-pipeline.js";
import { type ReplayEvent, newAuditId, runReplays } from "./replay-runner.js";
import { chooseSandboxRun } from "./sandbox-import.js";

// `repro-audit compare`: one workload, the same pinned image, run in arms that
// differ only in tracking (compare/arms.ts), interleaved A B C A B C ... so drift of
// the machine (thermal, other load) falls on every arm alike. Each execution is one
// replay of the audit's runner (runReplays: sealed, its own copy of the code, its own
// sandbox store), asked for one more index of the arm's journal at a time. Then the
// pure part (compare/assemble.ts) scores and tabulates, and the report is written.
//
// Untracked, in general: the arm gets no MLFLOW_* variable; the scenario says how the
// command runs without tracking (`untracked:` in scenario.yaml: extra args, and where
// its JSON metrics are), or its metrics are read from JSON anyway (mode json or
// stdout-json). A workload whose metrics come only from MLflow and that says no
// untracked form is refused for this arm. One that logs to MLflow anyway (MLflow's
// default ./mlruns in its copy of the code) fails the arm's execution, named.

export interface CompareJobOptions {
  scenarioDir?: string;
  codePath?: string;
  runId?: string;
  /** scenario/MLproject parameters, as a run would have logged them */
  params?: Record<string, string>;
  arms: readonly ArmId[];
  replays: number;
  policy: TolerancePolicy;
  limits?: Partial<Limits>;
  resultsDir: string;
  trackingUri: string;
  compareId?: string;
  auditExperiment?: string;
  /** `--attach-experiment`: a run in this experiment gets the report (audit/compare-attach.ts) */
  attachExperiment?: string;
  /** how the capture plugin's wheel is had (harness/exec/capture-wheel.ts); absent: the arm is refused */
  captureWheel?: () => Promise<string>;
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  onStage?: (message: string) => void;
  onBuildProgress?: OnBuildProgress;
  onExecution?: (arm: ArmId, e: ReplayEvent) => void;
}

export interface CompareJobResult {
  report: CompareReport;
  dir: string;
  files: { json: string; markdown: string; html: string };
  aborted: boolean;
  /** where --attach-experiment put the report, or why it could not (the report is written either way) */
  attached?: { attachment: CompareAttachment } | { problem: string };
}

export const COMPARE_MEASUREMENT: CompareReport["methods"]["measurement"] = {
  wallSeconds:
    "wall time: container start to exit, as the engine reports it to the harness (attach + wait), per execution",
  cpuSeconds:
    "CPU time: user + system seconds of the workload's process tree, getrusage(RUSAGE_CHILDREN) by a stdlib-only wrapper inside the container after the tree is reaped (the engine's cgroup is gone by the time the container's exit is seen, and its stats stream samples once a second)",
  peakRssBytes:
    "peak memory: the largest resident set of one process of the tree (ru_maxrss from the same wrapper), not the cgroup's total",
  writtenBytes:
    "bytes written: what the tree caused to be written to storage (ru_oublock x 512, the kernel's block-output accounting, from the same wrapper); writes to the tmpfs /tmp do not count",
};

/** A synthetic run for a scenario folder: no original, its parameters as given (else the defaults). */
function scenarioRun(name: string, params: Record<string, string>): RecordedRun {
  return { runId: `compare-${name}`, experimentId: "0", params, tags: {}, metrics: {} };
}

export async function compareJob(opts: CompareJobOptions): Promise<CompareJobResult> {
  const env = opts.env ?? process.env;
  const stage = opts.onStage ?? (() => undefined);
  if (opts.replays < 2)
    throw new BadInputError("--replays must be at least 2: an arm's verdict needs executions to compare");
  const client = MlflowClient.fromEnv({ ...env, MLFLOW_TRACKING_URI: opts.trackingUri });
  const compareId = opts.compareId ?? newAuditId("compare");
  const dir = join(resolve(opts.resultsDir), compareId);

  // The workload, planned as a replay is: the recorded run (--code --run), or a folder's own command.
  let run: RecordedRun;
  let scenarioDir: string | undefined;
  let codePath: string | undefined;
  if (opts.runId !== undefined) {
    if (opts.codePath === undefined && opts.scenarioDir === undefined)
      throw new BadInputError("--run needs --code CHECKOUT (or --scenario DIR): where the run's code is");
    stage(`reading run ${opts.runId}`);
    run = recordedRunFromMlflow(await client.getRun(opts.runId));
    if (opts.params !== undefined && Object.keys(opts.params).length > 0)
      throw new BadInputError("--param is for a folder's own command; with --run the run's logged params are bound");
    codePath = opts.codePath;
    scenarioDir = opts.scenarioDir;
  } else {
    // A folder without a run: the folder's own scenario or MLproject command with its defaults.
    scenarioDir = opts.scenarioDir ?? opts.codePath;
    if (scenarioDir === undefined) throw new BadInputError("say what to run: --scenario DIR or --code CHECKOUT");
    const folder = readCodeFolder(scenarioDir);
    const name = folder.scenario?.name ?? folder.project?.name ?? "workload";
    run = scenarioRun(name.replace(/[^A-Za-z0-9_-]/g, "-"), opts.params ?? {});
  }
  const planned = await planRun(
    run,
    {
      runId: run.runId,
      original: run,
      executor: "docker",
      ...(codePath !== undefined ? { codePath } : {}),
      ...(scenarioDir !== undefined ? { scenarioDir } : {}),
      ...(opts.limits ? { limits: opts.limits } : {}),
      resultsDir: opts.resultsDir,
      trackingUri: opts.trackingUri,
      auditId: compareId,
      runDir: dir,
    },
    client,
    env,
    stage,
  );
  try {
    const base = planned.plan;
    if (base.environment.source === "docker_env")
      throw new BadInputError(
        "compare builds the arms' images itself (the capture arm installs a plugin): an MLproject docker_env image is not supported",
      );
    const scenario = readCodeFolder(base.code.path).scenario;
    const plans = new Map<ArmId, ReplayPlan>();
    const refusals = new Map<ArmId, string>();
    for (const arm of opts.arms) {
      const p = armPlan(arm, base, scenario?.untracked);
      if ("refusal" in p) refusals.set(arm, p.refusal);
      else plans.set(arm, p.plan);
    }

    // One image for the arms without the plugin, one with it; both from the plan's requirements.
    mkdirSync(dir, { recursive: true });
    const prepareFor = (localWheels: readonly string[]) =>
      EXECUTORS.docker.prepare({
        environment: base.environment,
        codePath: base.code.path,
        auditId: compareId,
        hostEnv: env,
        onStage: stage,
        ...(localWheels.length > 0 ? { localWheels } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.onBuildProgress ? { onBuildProgress: opts.onBuildProgress } : {}),
      });
    const prepared = new Map<ArmId, PreparedExecutor>();
    let plain: PreparedExecutor | undefined;
    for (const arm of plans.keys()) {
      if (!ARMS[arm].capturePlugin) {
        plain ??= await prepareFor([]);
        prepared.set(arm, plain);
        continue;
      }
      try {
        if (opts.captureWheel === undefined) throw new Error("capture plugin not available in this build");
        stage("building the capture plugin's wheel");
        const wheel = await opts.captureWheel();
        prepared.set(arm, await prepareFor([wheel]));
      } catch (err) {
        refusals.set(arm, `capture plugin not available: ${(err as Error).message}`);
        plans.delete(arm);
      }
    }

    const journals = new Map<ArmId, Journal>();
    for (const arm of plans.keys()) {
      const armDir = join(dir, "arms", slug(arm));
      mkdirSync(armDir, { recursive: true });
      journals.set(arm, Journal.open(join(armDir, "journal.jsonl")));
    }
    let aborted = false;
    const total = plans.size * opts.replays;
    let done = 0;
    stage(
      `running ${opts.replays} execution(s) of each of ${[...plans.keys()].join(", ")}, interleaved (${total} in all)`,
    );
    outer: for (let index = 0; index < opts.replays; index++) {
      for (const [arm, plan] of plans) {
        if (opts.signal?.aborted) {
          aborted = true;
          break outer;
        }
        const p = prepared.get(arm) as PreparedExecutor;
        const summary = await runReplays({
          plan,
          replays: index + 1,
          parallel: 1,
          executor: p.executor,
          ...(p.image ? { image: p.image } : {}),
          auditId: `${compareId}-${slug(arm)}`,
          journal: journals.get(arm) as Journal,
          auditDir: join(dir, "arms", slug(arm)),
          client,
          auditExperiment: opts.auditExperiment ?? "repro-audit-compare",
          hostEnv: env,
          probe: false,
          tracking: ARMS[arm].tracking,
          measureUsage: true,
          ...(opts.signal ? { signal: opts.signal } : {}),
          onEvent: (e) => opts.onExecution?.(arm, e),
        });
        done++;
        stage(`${done}/${total} executions done`);
        if (summary.aborted) {
          aborted = true;
          break outer;
        }
      }
    }

    const arms: ArmInput[] = opts.arms.map((arm) => {
      const refusal = refusals.get(arm);
      const plan = plans.get(arm);
      if (refusal !== undefined || plan === undefined)
        return { id: arm, command: base.command, refusal: refusal ?? "not run", executions: [], traced: [] };
      const armDir = join(dir, "arms", slug(arm));
      const records = [...(journals.get(arm) as Journal).snapshot.replays.values()].sort((a, b) => a.index - b.index);
      const ranArms = [...plans.keys()];
      const traced = records.map((r) => tracedRun(armDir, r.index));
      const executions = records.map((r, i) => ({
        ...execution(r, armDir, arm),
        position: r.index * ranArms.length + ranArms.indexOf(arm) + 1,
        traceScore: traced[i] ? (scoreTrace(traced[i]).value ?? 0) : null,
      }));
      const image = prepared.get(arm)?.image?.imageId;
      return {
        id: arm,
        command: redactPlan(plan).command,
        ...(image !== undefined ? { imageId: image } : {}),
        executions,
        traced,
      };
    });
    const findings = [
      ...base.notes,
      ...(aborted ? ["interrupted: the report covers the executions that finished"] : []),
    ];
    const report = assembleCompare({
      compareId,
      createdAt: new Date().toISOString(),
      harness: { version: harnessVersion(), node: process.version },
      workload: {
        source: base.code.source,
        path: base.code.path,
        ...(scenario?.name !== undefined ? { name: scenario.name } : {}),
        ...(opts.runId !== undefined ? { runId: opts.runId } : {}),
        params: { ...base.params },
      },
      replays: opts.replays,
      arms,
      policy: opts.policy,
      measurement: COMPARE_MEASUREMENT,
      findings,
    });
    const files = {
      json: join(dir, "report.json"),
      markdown: join(dir, "report.md"),
      html: join(dir, "report.html"),
    };
    await writeFileAtomic(files.json, serializeCompareReport(report));
    await writeFileAtomic(files.markdown, renderCompareMarkdown(report));
    await writeFileAtomic(files.html, renderCompareHtml(report));
    const attached = opts.attachExperiment !== undefined ? await attach(opts.attachExperiment) : undefined;
    return { report, dir, files, aborted, ...(attached !== undefined ? { attached } : {}) };

    async function attach(experiment: string): Promise<NonNullable<CompareJobResult["attached"]>> {
      stage(`attaching the report to experiment ${JSON.stringify(experiment)}`);
      try {
        return { attachment: await attachCompare(client, report, files, experiment, opts.trackingUri) };
      } catch (err) {
        return {
          problem: `the report was not attached to experiment ${JSON.stringify(experiment)}: ${(err as Error).message}`,
        };
      }
    }
  } finally {
    await planned.checkout?.remove();
  }
}

/** A folder name for an arm ("mlflow+capture" -> "mlflow-capture"). */
function slug(arm: ArmId): string {
  return arm.replace(/[^A-Za-z0-9_-]/g, "-");
}

/** The arm's plan: the same command and capture (tracked arms), or the scenario's untracked form. */
function armPlan(
  arm: ArmId,
  base: ReplayPlan,
  untracked: { args: string; metrics: ReplayPlan["capture"] } | undefined,
): { plan: ReplayPlan } | { refusal: string } {
  if (ARMS[arm].tracking === "sandbox") return { plan: base };
  if (untracked !== undefined) {
    const command = untracked.args.trim() === "" ? base.command : `${base.command} ${untracked.args.trim()}`;
    return { plan: { ...base, command, capture: untracked.metrics } };
  }
  if (base.capture.mode !== "mlflow") return { plan: base };
  return {
    refusal:
      "the workload's metrics come only from MLflow and it says no way to run without it: add to its scenario.yaml " +
      "`untracked: { args: <flag that turns tracking off>, metrics: { mode: json, file: metrics.json, paths: { NAME: $.NAME } } }`, " +
      "or leave the arm out (--arms mlflow,mlflow+capture)",
  };
}

/** One journaled execution as the report holds it, with what it left on disk and what the untracked arm must not do. */
function execution(r: JournalReplay, armDir: string, arm: ArmId): Execution {
  const replayDir = join(armDir, "replays", String(r.index));
  const outputs = r.workTree?.outputs ?? [];
  const notes = [...(r.notes ?? [])];
  let failure = r.failure?.message;
  if (ARMS[arm].tracking === "none") failure = untrackedLoggedAnyway(outputs) ?? failure;
  const kept =
    folderBytes(join(replayDir, "out")) +
    folderBytes(join(replayDir, "tracking")) +
    outputs.reduce((s, o) => s + (o.change !== "deleted" ? o.size : 0), 0);
  return {
    index: r.index,
    position: 1,
    status: failure === undefined && r.status === "finished" ? "finished" : "failed",
    ...(failure !== undefined ? { failure } : {}),
    exitCode: r.exitCode,
    metrics: r.metrics,
    wallSeconds: r.durationMs / 1000,
    cpuSeconds: r.usage?.cpuSeconds ?? null,
    peakRssBytes: r.usage?.peakRssBytes ?? null,
    writtenBytes: r.usage?.writtenBytes ?? null,
    keptBytes: kept,
    traceScore: null,
    notes,
  };
}

/** Sum of file sizes under a folder, links not followed, bounded. */
function folderBytes(root: string, budget = { files: 20_000 }): number {
  if (!existsSync(root)) return 0;
  let total = 0;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (--budget.files < 0) return;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) total += lstatSync(p).size;
    }
  };
  walk(root);
  return total;
}

/** The trace checklist of the run an execution recorded in its sandbox store; null when it recorded none. */
function tracedRun(armDir: string, index: number): TraceItem[] | null {
  const store = readSandboxStore(join(armDir, "replays", String(index), "tracking", "mlruns"));
  const { run } = chooseSandboxRun(store);
  return run === undefined ? null : buildChecklist(sandboxSubject(run));
}

/** What the sandbox store holds of a run, as the checklist reads a tracked run (no datasets or registry there). */
function sandboxSubject(run: SandboxRun): TraceSubject {
  return {
    run: {
      runId: run.runId,
      experimentId: run.experimentId,
      ...(run.runName !== undefined ? { runName: run.runName } : {}),
      status: run.status,
      params: run.params,
      tags: run.tags,
      metrics: latestValues(run.metrics),
    },
    status: run.status,
    datasets: [],
    runArtifacts: { files: run.artifacts.map((a) => a.path), truncated: false },
    loggedModels: [],
    modelVersions: [],
  };
}
