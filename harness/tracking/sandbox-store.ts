import { type Dirent, lstatSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { Tags } from "./tags.js";
import { firstIssueMessage } from "../errors.js";

// A replay's sandbox tracking store: the MLflow file store (`file:` tracking URI)
// that the workload logged into instead of the real server. The workload wrote
// every byte of it, so it is read as hostile input: no symlink is followed, no path
// written inside it (artifact_uri) is trusted, every file and the whole walk are
// bounded, and whatever cannot be read is said, not guessed.

/** MLflow's RunStatus enum as the file store writes it in meta.yaml. */
const RUN_STATUS: Record<number, SandboxRunStatus> = {
  1: "RUNNING",
  2: "SCHEDULED",
  3: "FINISHED",
  4: "FAILED",
  5: "KILLED",
};
export type SandboxRunStatus = "RUNNING" | "SCHEDULED" | "FINISHED" | "FAILED" | "KILLED";

export interface SandboxLimits {
  /** a meta.yaml, param or tag file larger than this is not read */
  maxSmallFileBytes: number;
  /** bytes of metric files read in total */
  maxMetricBytes: number;
  /** runs read at most */
  maxRuns: number;
  /** files and folders visited in one walk (params, tags, metrics, artifacts) */
  maxEntries: number;
}

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = {
  maxSmallFileBytes: 1024 * 1024,
  maxMetricBytes: 256 * 1024 * 1024,
  maxRuns: 100,
  maxEntries: 20_000,
};

export interface SandboxMetricPoint {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

export interface SandboxArtifact {
  /** relative to the run's artifact root, "/"-separated */
  path: string;
  /** host path of the file */
  file: string;
  size: number;
}

export interface SandboxRun {
  runId: string;
  experimentId: string;
  experimentName?: string;
  runName?: string;
  status: SandboxRunStatus;
  startTime?: number;
  endTime?: number;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** every logged point, in file order per key */
  metrics: SandboxMetricPoint[];
  artifacts: SandboxArtifact[];
  /** the parent run (mlflow.parentRunId), for nested runs */
  parentRunId?: string;
}

export interface SandboxStore {
  runs: SandboxRun[];
  /** "name" or "name version N" for each registration the workload made in its sandbox */
  registrations: string[];
  /** what could not be read, and why */
  problems: string[];
}

const RunMeta = z.object({
  run_id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  experiment_id: z.union([z.string(), z.number()]).transform(String),
  run_name: z.string().optional().nullable(),
  status: z.number().int(),
  start_time: z.number().nullable().optional(),
  end_time: z.number().nullable().optional(),
  lifecycle_stage: z.string().optional(),
});

const ExperimentMeta = z.object({
  name: z.string(),
  lifecycle_stage: z.string().optional(),
});

const NamedMeta = z.object({ name: z.string().optional(), version: z.union([z.string(), z.number()]).optional() });

/** Reads the store under `dir`; a missing folder is an empty store (the workload did not use MLflow). */
export function readSandboxStore(dir: string, limits: SandboxLimits = DEFAULT_SANDBOX_LIMITS): SandboxStore {
  const store: SandboxStore = { runs: [], registrations: [], problems: [] };
  const budget = { metricBytes: limits.maxMetricBytes };
  for (const exp of plainEntries(dir, store.problems)) {
    if (!exp.isDirectory()) continue;
    if (exp.name === "models") {
      store.registrations.push(...readRegistrations(join(dir, exp.name), limits, store.problems));
      continue;
    }
    if (exp.name.startsWith(".")) continue; // .trash: deleted runs
    const expDir = join(dir, exp.name);
    const expMeta = readYamlFile(join(expDir, "meta.yaml"), ExperimentMeta, limits, store.problems);
    if (expMeta === undefined || expMeta.lifecycle_stage === "deleted") continue;
    for (const runEntry of plainEntries(expDir, store.problems)) {
      if (!runEntry.isDirectory() || runEntry.name === "models" || runEntry.name === "datasets") continue;
      if (store.runs.length >= limits.maxRuns) {
        store.problems.push(`more than ${limits.maxRuns} runs in the sandbox store: the rest were not read`);
        return store;
      }
      const run = readRun(join(expDir, runEntry.name), expMeta.name, limits, budget, store.problems);
      if (run) store.runs.push(run);
    }
  }
  store.runs.sort((a, b) => (a.startTime ?? 0) - (b.startTime ?? 0) || (a.runId < b.runId ? -1 : 1));
  return store;
}

function readRun(
  runDir: string,
  experimentName: string,
  limits: SandboxLimits,
  budget: { metricBytes: number },
  problems: string[],
): SandboxRun | undefined {
  const meta = readYamlFile(join(runDir, "meta.yaml"), RunMeta, limits, problems);
  if (meta === undefined || meta.lifecycle_stage === "deleted") return undefined;
  const params = readKeyValueFiles(join(runDir, "params"), limits, problems);
  const tags = readKeyValueFiles(join(runDir, "tags"), limits, problems);
  const metrics: SandboxMetricPoint[] = [];
  for (const f of walkFiles(join(runDir, "metrics"), limits, problems)) {
    if (f.size > budget.metricBytes) {
      problems.push(
        `metric ${f.path} of sandbox run ${meta.run_id} not read: over the ${limits.maxMetricBytes}-byte budget for metric files`,
      );
      continue;
    }
    budget.metricBytes -= f.size;
    metrics.push(...parseMetricFile(f.path, readFileSync(f.file, "utf8"), problems));
  }
  const parentRunId = tags[Tags.parentRunId];
  return {
    runId: meta.run_id,
    experimentId: meta.experiment_id,
    experimentName,
    ...(meta.run_name ? { runName: meta.run_name } : {}),
    status: RUN_STATUS[meta.status] ?? "FAILED",
    ...(typeof meta.start_time === "number" ? { startTime: meta.start_time } : {}),
    ...(typeof meta.end_time === "number" ? { endTime: meta.end_time } : {}),
    params,
    tags,
    metrics,
    artifacts: walkFiles(join(runDir, "artifacts"), limits, problems).map((f) => ({
      path: f.path,
      file: f.file,
      size: f.size,
    })),
    ...(parentRunId ? { parentRunId } : {}),
  };
}

/**
 * One point per line, "timestamp value step" as MLflow's file store writes it (step may be
 * absent in old stores; MLflow 3 appends "dataset_name dataset_digest" for a metric computed
 * on a dataset, as sklearn autolog's are). The dataset is not kept: metrics are compared by key.
 */
export function parseMetricFile(key: string, text: string, problems: string[] = []): SandboxMetricPoint[] {
  const out: SandboxMetricPoint[] = [];
  let bad = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const [ts, value, step, ...dataset] = line.trim().split(/\s+/);
    const timestamp = Number(ts);
    const v = parsePythonFloat(value ?? "");
    const s = step === undefined ? 0 : Number(step);
    if (
      (dataset.length !== 0 && dataset.length !== 2) ||
      !Number.isSafeInteger(timestamp) ||
      v === undefined ||
      !Number.isSafeInteger(s)
    ) {
      bad += 1;
      continue;
    }
    out.push({ key, value: v, timestamp, step: s });
  }
  if (bad > 0) problems.push(`metric ${key}: ${bad} line(s) are not "timestamp value step" and were left out`);
  return out;
}

/** Python's float repr: digits, or nan/inf/-inf (Number() would read "inf" as NaN). */
function parsePythonFloat(s: string): number | undefined {
  const lower = s.toLowerCase();
  if (lower === "nan") return Number.NaN;
  if (lower === "inf" || lower === "infinity") return Number.POSITIVE_INFINITY;
  if (lower === "-inf" || lower === "-infinity") return Number.NEGATIVE_INFINITY;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return undefined;
  return Number(s);
}

function readRegistrations(modelsDir: string, limits: SandboxLimits, problems: string[]): string[] {
  const out: string[] = [];
  for (const model of plainEntries(modelsDir, problems)) {
    if (!model.isDirectory()) continue;
    const dir = join(modelsDir, model.name);
    const meta = readYamlFile(join(dir, "meta.yaml"), NamedMeta, limits, problems);
    const name = meta?.name ?? model.name;
    const versions = plainEntries(dir, problems).filter((e) => e.isDirectory() && e.name.startsWith("version-"));
    if (versions.length === 0) out.push(name);
    for (const v of versions) out.push(`${name} version ${v.name.slice("version-".length)}`);
  }
  return out;
}

/** Directory entries, never following a symlink; a folder that is not there has none. */
function plainEntries(dir: string, problems: string[]): Dirent[] {
  try {
    const st = lstatSync(dir);
    if (!st.isDirectory()) return [];
    return readdirSync(dir, { withFileTypes: true }).filter((e) => {
      if (e.isSymbolicLink()) problems.push(`${join(dir, e.name)} is a symlink: not followed`);
      return !e.isSymbolicLink();
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT")
      problems.push(`${dir} could not be read: ${(err as Error).message}`);
    return [];
  }
}

interface WalkedFile {
  path: string;
  file: string;
  size: number;
}

/** Regular files below `root` (keys of nested names like "a/b" are folders in the store), bounded. */
function walkFiles(root: string, limits: SandboxLimits, problems: string[]): WalkedFile[] {
  const out: WalkedFile[] = [];
  const stack: Array<{ dir: string; rel: string }> = [{ dir: root, rel: "" }];
  let visited = 0;
  while (stack.length > 0) {
    const { dir, rel } = stack.pop() as { dir: string; rel: string };
    for (const e of plainEntries(dir, problems)) {
      if (++visited > limits.maxEntries) {
        problems.push(`${root} holds more than ${limits.maxEntries} entries: the rest were not read`);
        return out;
      }
      const file = join(dir, e.name);
      const path = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) stack.push({ dir: file, rel: path });
      else if (e.isFile()) out.push({ path, file, size: lstatSync(file).size });
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function readKeyValueFiles(dir: string, limits: SandboxLimits, problems: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of walkFiles(dir, limits, problems)) {
    if (f.size > limits.maxSmallFileBytes) {
      problems.push(`${f.file} not read: ${f.size} bytes is over ${limits.maxSmallFileBytes}`);
      continue;
    }
    out[f.path] = readFileSync(f.file, "utf8");
  }
  return out;
}

function readYamlFile<T extends z.ZodType>(
  file: string,
  schema: T,
  limits: SandboxLimits,
  problems: string[],
): z.infer<T> | undefined {
  try {
    const st = lstatSync(file);
    if (!st.isFile()) {
      problems.push(`${file} is not a regular file: not read`);
      return undefined;
    }
    if (st.size > limits.maxSmallFileBytes) {
      problems.push(`${file} not read: ${st.size} bytes is over ${limits.maxSmallFileBytes}`);
      return undefined;
    }
    const parsed = schema.safeParse(parseYaml(readFileSync(file, "utf8")));
    if (!parsed.success) {
      problems.push(`${file} is not an MLflow meta.yaml: ${firstIssueMessage(parsed.error)}`);
      return undefined;
    }
    return parsed.data;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT")
      problems.push(`${file} could not be read: ${(err as Error).message.split("\n")[0]}`);
    return undefined;
  }
}
