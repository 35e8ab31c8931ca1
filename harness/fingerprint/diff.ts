import { createTwoFilesPatch } from "diff";
import type { BlasLibrary, Fingerprint } from "./schema.js";

/**
 * Pure comparison of two fingerprints for the report: which leaves changed, most
 * reproducibility-relevant first, plus a unified diff of the pretty JSON.
 */

export type Leaf = string | number | boolean | null;

export type ChangeCategory =
  | "cpu-simd"
  | "blas"
  | "packages"
  | "python"
  | "threads"
  | "code"
  | "image"
  | "hardware"
  | "os"
  | "locale"
  | "env"
  | "other";

export interface FingerprintChange {
  path: string;
  kind: "changed" | "added" | "removed";
  category: ChangeCategory;
  before?: Leaf;
  after?: Leaf;
}

export interface FingerprintDiff {
  identical: boolean;
  changes: FingerprintChange[];
  /** Unified diff of the two fingerprints as pretty, key-sorted JSON; "" when identical. */
  patch: string;
}

export interface DiffOptions {
  /** Paths (or path prefixes) to leave out, on top of DEFAULT_IGNORED_PATHS. */
  ignore?: readonly string[];
  beforeLabel?: string;
  afterLabel?: string;
  context?: number;
}

/**
 * Fields that differ on every capture and say nothing about the environment:
 * the capture time, and HOSTNAME, which Docker sets to the container ID.
 */
export const DEFAULT_IGNORED_PATHS: readonly string[] = ["capturedAt", "container.env.HOSTNAME"];

// Highest first. The ordering follows what most often changes numbers: SIMD paths in
// BLAS kernels, the BLAS itself, package versions, the interpreter, thread counts.
const CATEGORY_RANK: Record<ChangeCategory, number> = {
  "cpu-simd": 0,
  blas: 1,
  packages: 2,
  python: 3,
  threads: 4,
  code: 5,
  image: 6,
  hardware: 7,
  os: 8,
  locale: 9,
  env: 10,
  other: 11,
};

const SIMD_FLAG = /^host\.cpu\.flags\.(avx|fma|amx|sse|f16c)/;

export function categorise(path: string): ChangeCategory {
  if (path === "host.cpu.avx2" || path === "host.cpu.avx512" || SIMD_FLAG.test(path)) return "cpu-simd";
  if (startsWithSegment(path, "container.blas") || startsWithSegment(path, "container.numpy")) return "blas";
  if (startsWithSegment(path, "container.blasProbeImports")) return "blas";
  if (startsWithSegment(path, "container.distributions")) return "packages";
  if (startsWithSegment(path, "container.python")) return "python";
  if (
    startsWithSegment(path, "container.threadEnv") ||
    startsWithSegment(path, "container.visibleCpus") ||
    startsWithSegment(path, "container.cpuCount") ||
    startsWithSegment(path, "container.cgroup") ||
    startsWithSegment(path, "container.pythonHashSeed")
  ) {
    return "threads";
  }
  if (startsWithSegment(path, "code")) return "code";
  if (startsWithSegment(path, "imageId") || startsWithSegment(path, "executor")) return "image";
  if (
    startsWithSegment(path, "host.cpu") ||
    startsWithSegment(path, "host.gpus") ||
    startsWithSegment(path, "host.memoryBytes")
  ) {
    return "hardware";
  }
  if (
    startsWithSegment(path, "host.os") ||
    startsWithSegment(path, "host.docker") ||
    startsWithSegment(path, "container.platform")
  ) {
    return "os";
  }
  if (startsWithSegment(path, "container.locale") || startsWithSegment(path, "container.timezone")) {
    return "locale";
  }
  if (startsWithSegment(path, "container.env") || startsWithSegment(path, "container.envNames")) return "env";
  return "other";
}

function startsWithSegment(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}.`);
}

function isIgnored(path: string, ignored: readonly string[]): boolean {
  return ignored.some((p) => startsWithSegment(path, p));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function flattenGeneric(value: unknown, path: string, out: Map<string, Leaf>): void {
  if (value === undefined) return;
  if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
    out.set(path, value);
    return;
  }
  if (Array.isArray(value)) {
    // Lists of scalars (visible CPUs, tz names) read best as one value; lists of
    // records (GPUs) are compared position by position.
    if (value.every((v) => !isPlainObject(v) && !Array.isArray(v))) {
      out.set(path, JSON.stringify(value));
      return;
    }
    for (const [i, item] of value.entries()) flattenGeneric(item, `${path}.${i}`, out);
    return;
  }
  if (isPlainObject(value)) {
    for (const key of Object.keys(value).sort()) flattenGeneric(value[key], `${path}.${key}`, out);
    return;
  }
  out.set(path, String(value));
}

/** Key BLAS libraries by API and owning directory (numpy.libs vs scipy.libs), not by position. */
function blasKey(lib: BlasLibrary): string {
  if (lib.filepath) {
    const parts = lib.filepath.split(/[\\/]/).filter((p) => p.length > 0);
    const owner = parts.length >= 2 ? parts[parts.length - 2] : undefined;
    if (owner) return `${lib.internal_api}.${owner}`;
  }
  return `${lib.internal_api}.${lib.prefix}`;
}

/** Fingerprint as path -> leaf, with lists keyed by identity so a diff names what moved. */
export function flattenFingerprint(fp: Fingerprint): Map<string, Leaf> {
  const out = new Map<string, Leaf>();
  const { host, container, code, ...top } = fp;
  for (const [key, value] of Object.entries(top)) flattenGeneric(value, key, out);
  if (host) {
    const { cpu, ...rest } = host;
    const { flags, ...cpuRest } = cpu;
    flattenGeneric(cpuRest, "host.cpu", out);
    for (const flag of flags) out.set(`host.cpu.flags.${flag}`, true);
    flattenGeneric(rest, "host", out);
  }
  if (container) {
    const { distributions, blas, env, envNames, ...rest } = container;
    for (const dist of distributions) out.set(`container.distributions.${dist.name}`, dist.version);
    const seen = new Map<string, number>();
    for (const lib of blas) {
      let key = blasKey(lib);
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      if (n > 1) key = `${key}#${n}`;
      const { internal_api: _api, ...fields } = lib;
      flattenGeneric(fields, `container.blas.${key}`, out);
    }
    flattenGeneric(rest, "container", out);
    // Thread knobs and the hash seed already have their own paths; listing them again
    // under env would report one change twice.
    const duplicated = new Set([...Object.keys(container.threadEnv), "PYTHONHASHSEED"]);
    for (const name of Object.keys(env).sort()) {
      if (!duplicated.has(name)) out.set(`container.env.${name}`, env[name] ?? null);
    }
    for (const name of envNames) {
      if (!(name in env) && !duplicated.has(name)) out.set(`container.envNames.${name}`, true);
    }
  }
  if (code) flattenGeneric(code, "code", out);
  return out;
}

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeysDeep(value[key]);
    return out;
  }
  return value;
}

/** Deep copy without the ignored dotted paths (object keys only). */
function withoutPaths(value: unknown, ignored: readonly string[], path = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => withoutPaths(v, ignored, path));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const childPath = path ? `${path}.${key}` : key;
    if (ignored.includes(childPath)) continue;
    out[key] = withoutPaths(child, ignored, childPath);
  }
  return out;
}

export function prettyFingerprint(fp: Fingerprint, ignored: readonly string[] = DEFAULT_IGNORED_PATHS): string {
  return `${JSON.stringify(sortKeysDeep(withoutPaths(fp, ignored)), null, 2)}\n`;
}

export function diffFingerprints(before: Fingerprint, after: Fingerprint, options: DiffOptions = {}): FingerprintDiff {
  const ignored = [...DEFAULT_IGNORED_PATHS, ...(options.ignore ?? [])];
  const a = flattenFingerprint(before);
  const b = flattenFingerprint(after);
  const changes: FingerprintChange[] = [];
  for (const [path, value] of a) {
    if (isIgnored(path, ignored)) continue;
    if (!b.has(path)) {
      changes.push({ path, kind: "removed", category: categorise(path), before: value });
    } else {
      const other = b.get(path) as Leaf;
      if (!Object.is(value, other)) {
        changes.push({ path, kind: "changed", category: categorise(path), before: value, after: other });
      }
    }
  }
  for (const [path, value] of b) {
    if (isIgnored(path, ignored) || a.has(path)) continue;
    changes.push({ path, kind: "added", category: categorise(path), after: value });
  }
  changes.sort(
    (x, y) => CATEGORY_RANK[x.category] - CATEGORY_RANK[y.category] || (x.path < y.path ? -1 : x.path > y.path ? 1 : 0),
  );
  const identical = changes.length === 0;
  const patch = identical
    ? ""
    : createTwoFilesPatch(
        options.beforeLabel ?? "original",
        options.afterLabel ?? "replay",
        prettyFingerprint(before, ignored),
        prettyFingerprint(after, ignored),
        undefined,
        undefined,
        { context: options.context ?? 3 },
      );
  return { identical, changes, patch };
}
