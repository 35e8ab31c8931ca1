/**
 * The tolerance policy: defaults, per-metric overrides, and the parser for CLI
 * specs such as `rmse=rel:1e-6`, `r2=abs:1e-9,ulps:4`, `*=rel:1e-9`.
 */
import type { BetterDirection, Tolerance, ToleranceOverride, TolerancePolicy } from "./schema.js";
import { BadInputError } from "../errors.js";

/**
 * Defaults. `rel` 1e-9 accepts what reordered float summation produces on
 * typical metrics (~1e-16 per operation, amplified over millions of ops) while
 * still rejecting any difference a person would read off a report. `abs` 1e-12
 * covers metrics whose original is 0 or tiny, where a relative bound is
 * meaningless. `ulps` 4 answers the "bitwise, give or take rounding" question.
 */
export const DEFAULT_TOLERANCE: Tolerance = Object.freeze({ abs: 1e-12, rel: 1e-9, ulps: 4 });

export const DEFAULT_POLICY: TolerancePolicy = Object.freeze({
  default: DEFAULT_TOLERANCE,
  perMetric: Object.freeze({}) as Record<string, ToleranceOverride>,
});

const KINDS = ["abs", "rel", "ulps"] as const;
type Kind = (typeof KINDS)[number];

const SYNTAX =
  "expected NAME=KIND:VALUE[,KIND:VALUE...] with KIND one of abs, rel, ulps, or better:lower|higher for a metric's better direction " +
  "(e.g. rmse=rel:1e-6, r2=abs:1e-9,ulps:4, *=rel:1e-9, val_top5=better:higher)";

export class ToleranceSpecError extends BadInputError {
  constructor(spec: string, problem: string) {
    super(`Bad tolerance "${spec}": ${problem}; ${SYNTAX}.`);
    this.name = "ToleranceSpecError";
  }
}

export interface ToleranceSpec {
  /** metric name, or "*" for the default */
  metric: string;
  tolerance: Partial<Tolerance>;
  /** the metric's declared better direction (never for "*") */
  better?: BetterDirection;
}

/** Parses one `NAME=KIND:VALUE[,KIND:VALUE]` spec; throws ToleranceSpecError. */
export function parseToleranceSpec(spec: string): ToleranceSpec {
  // Metric names may hold dots, slashes and dashes but never "=", so the last
  // "=" separates the name from the bounds.
  const eq = spec.lastIndexOf("=");
  if (eq < 0) throw new ToleranceSpecError(spec, 'no "=" between metric name and bounds');
  const metric = spec.slice(0, eq).trim();
  const rest = spec.slice(eq + 1).trim();
  if (metric === "") throw new ToleranceSpecError(spec, "metric name is empty (use * for the default)");
  if (rest === "") throw new ToleranceSpecError(spec, "no bounds after the metric name");

  const tolerance: Partial<Tolerance> = {};
  let better: BetterDirection | undefined;
  for (const part of rest.split(",")) {
    const colon = part.indexOf(":");
    if (colon < 0) throw new ToleranceSpecError(spec, `"${part.trim()}" has no ":" between kind and value`);
    const kind = part.slice(0, colon).trim().toLowerCase();
    const raw = part.slice(colon + 1).trim();
    if (kind === "better") {
      // A direction belongs to one metric: "*" would call every metric's lower values better.
      if (metric === "*") throw new ToleranceSpecError(spec, "better: names one metric's direction, not the default's");
      if (better !== undefined) throw new ToleranceSpecError(spec, `"better" given twice`);
      if (raw !== "lower" && raw !== "higher")
        throw new ToleranceSpecError(spec, `better must be lower or higher, got "${raw}"`);
      better = raw;
      continue;
    }
    if (!(KINDS as readonly string[]).includes(kind)) {
      throw new ToleranceSpecError(spec, `unknown kind "${kind}"`);
    }
    if (tolerance[kind as Kind] !== undefined) throw new ToleranceSpecError(spec, `"${kind}" given twice`);
    // Number("") is 0 and Number(" ") is 0: reject blanks before converting.
    const value = raw === "" ? Number.NaN : Number(raw);
    if (!Number.isFinite(value) || value < 0) {
      throw new ToleranceSpecError(spec, `"${raw}" is not a finite non-negative number`);
    }
    if (kind === "ulps" && !Number.isSafeInteger(value)) {
      throw new ToleranceSpecError(spec, `ulps must be a whole number, got "${raw}"`);
    }
    tolerance[kind as Kind] = value;
  }
  return better === undefined ? { metric, tolerance } : { metric, tolerance, better };
}

/**
 * Builds a policy from CLI specs on top of `base`. `*=...` changes the default
 * (only the kinds it names); later specs for the same metric override earlier ones
 * field by field.
 */
export function parseTolerancePolicy(
  specs: readonly string[],
  base: TolerancePolicy = DEFAULT_POLICY,
): TolerancePolicy {
  let def: Tolerance = { ...base.default };
  const perMetric: Record<string, ToleranceOverride> = {};
  for (const [name, t] of Object.entries(base.perMetric)) perMetric[name] = { ...t };
  const better: Record<string, BetterDirection> = { ...base.better };
  for (const spec of specs) {
    const { metric, tolerance, better: dir } = parseToleranceSpec(spec);
    if (metric === "*") def = { ...def, ...tolerance };
    else if (Object.keys(tolerance).length > 0) perMetric[metric] = { ...perMetric[metric], ...tolerance };
    if (dir !== undefined) better[metric] = dir;
  }
  return Object.keys(better).length === 0 ? { default: def, perMetric } : { default: def, perMetric, better };
}

/** The tolerance that applies to one metric: the default with its override on top. */
export function toleranceFor(policy: TolerancePolicy, metric: string): Tolerance {
  const o = Object.hasOwn(policy.perMetric, metric) ? policy.perMetric[metric] : undefined;
  if (o === undefined) return policy.default;
  return {
    abs: o.abs ?? policy.default.abs,
    rel: o.rel ?? policy.default.rel,
    ulps: o.ulps ?? policy.default.ulps,
  };
}

/** Renders a policy the way the CLI accepts it, for reports. */
export function describePolicy(policy: TolerancePolicy): string {
  const fmt = (t: ToleranceOverride): string =>
    KINDS.filter((k) => t[k] !== undefined)
      .map((k) => `${k}:${t[k]}`)
      .join(",");
  const parts = [`*=${fmt(policy.default)}`];
  const better = policy.better ?? {};
  for (const name of [...new Set([...Object.keys(policy.perMetric), ...Object.keys(better)])].sort()) {
    const t = Object.hasOwn(policy.perMetric, name) ? policy.perMetric[name] : undefined;
    const bounds = t !== undefined ? fmt(t) : "";
    const dir = Object.hasOwn(better, name) ? `better:${better[name]}` : "";
    parts.push(`${name}=${[bounds, dir].filter((x) => x !== "").join(",")}`);
  }
  return parts.join(" ");
}
