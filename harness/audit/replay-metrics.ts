import { readFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { JSONPath } from "jsonpath-plus";
import type { ReplayPlan } from "../plan/plan.js";
import type { SandboxMetricPoint, SandboxRun } from "../tracking/sandbox-store.js";

// Reads a finished replay's metrics by the plan's capture rule. The picking is
// pure (pickMetrics, lastJsonObject); the readers around it do the I/O.

export interface CaptureResult {
  metrics: Record<string, number>;
  /** metrics the rule names (or the original logged) that this replay did not give */
  missing: string[];
  /** why nothing could be read, when that is the case */
  error?: string;
}

/** A JSON value as a metric: numbers, and the strings JSON cannot carry as numbers. */
function asMetric(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string") {
    if (v === "NaN") return Number.NaN;
    if (v === "Infinity" || v === "inf") return Number.POSITIVE_INFINITY;
    if (v === "-Infinity" || v === "-inf") return Number.NEGATIVE_INFINITY;
    const n = Number(v);
    return v.trim() !== "" && Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** Evaluate each JSONPath over the document; a path must select exactly one numeric value. */
export function pickMetrics(doc: unknown, paths: Readonly<Record<string, string>>): CaptureResult {
  const metrics: Record<string, number> = {};
  const missing: string[] = [];
  const problems: string[] = [];
  for (const [name, path] of Object.entries(paths)) {
    let found: unknown[];
    try {
      found = JSONPath({ path, json: doc as object, wrap: true, eval: false }) as unknown[];
    } catch (err) {
      problems.push(`${name}: bad JSONPath ${path} (${(err as Error).message})`);
      missing.push(name);
      continue;
    }
    const values = found.map(asMetric);
    if (values.length !== 1 || values[0] === undefined) {
      missing.push(name);
      if (found.length > 1) problems.push(`${name}: ${path} selects ${found.length} values, expected one`);
      else if (found.length === 1)
        problems.push(`${name}: ${path} is not a number (${JSON.stringify(found[0])?.slice(0, 60)})`);
      continue;
    }
    metrics[name] = values[0];
  }
  return { metrics, missing, ...(problems.length > 0 ? { error: problems.join("; ") } : {}) };
}

/** The last line of output that is a JSON object (workloads print their metrics last). */
export function lastJsonObject(stdout: string): unknown {
  const lines = stdout.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = (lines[i] as string).trim();
    if (!line.startsWith("{")) continue;
    try {
      const v: unknown = JSON.parse(line);
      if (v !== null && typeof v === "object" && !Array.isArray(v)) return v;
    } catch {
      // not JSON: keep looking upwards
    }
  }
  return undefined;
}

export interface CaptureContext {
  spec: ReplayPlan["capture"];
  /** host folder mounted at /out */
  outDir: string;
  stdout: string;
  /** mlflow mode: the run the workload logged into its sandbox store */
  sandboxRun?: SandboxRun;
  /** names to expect in mlflow mode when the spec names none: the original's metrics */
  originalMetricNames: string[];
}

export async function captureMetrics(ctx: CaptureContext): Promise<CaptureResult> {
  const { spec } = ctx;
  if (spec.mode === "mlflow") {
    if (!ctx.sandboxRun)
      return {
        metrics: {},
        missing: [...(spec.names ?? ctx.originalMetricNames)],
        error: "the replay logged no MLflow run",
      };
    const names = spec.names ?? ctx.originalMetricNames;
    const metrics: Record<string, number> = {};
    for (const [k, v] of Object.entries(latestValues(ctx.sandboxRun.metrics)))
      if (spec.names === undefined || names.includes(k)) metrics[k] = v;
    return { metrics, missing: names.filter((n) => !(n in metrics)) };
  }
  if (spec.mode === "stdout-json") {
    const doc = lastJsonObject(ctx.stdout);
    if (doc === undefined)
      return { metrics: {}, missing: Object.keys(spec.paths), error: "no JSON object line in the replay's stdout" };
    return pickMetrics(doc, spec.paths);
  }
  const file = resolve(ctx.outDir, spec.file);
  if (relative(ctx.outDir, file).startsWith("..")) {
    return { metrics: {}, missing: Object.keys(spec.paths), error: `${spec.file} is outside the output folder` };
  }
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return { metrics: {}, missing: Object.keys(spec.paths), error: `the replay wrote no ${join("/out", spec.file)}` };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return {
      metrics: {},
      missing: Object.keys(spec.paths),
      error: `${spec.file} is not JSON: ${(err as Error).message}`,
    };
  }
  return pickMetrics(doc, spec.paths);
}

/** A metric's value as MLflow reports it for a run: the point with the highest step, then the latest timestamp. */
export function latestValues(points: readonly SandboxMetricPoint[]): Record<string, number> {
  const best = new Map<string, SandboxMetricPoint>();
  for (const p of points) {
    const b = best.get(p.key);
    if (b === undefined || p.step > b.step || (p.step === b.step && p.timestamp >= b.timestamp)) best.set(p.key, p);
  }
  return Object.fromEntries([...best].map(([k, p]) => [k, p.value]));
}
