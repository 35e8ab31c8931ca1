/**
 * The handful of environment facts that decide whether floating-point results can
 * match (interpreter, numeric libraries and their BLAS, CPU vector extensions,
 * thread settings, code version), pulled out of fingerprints for a side-by-side
 * table. The full fingerprints stay in the JSON document.
 */
import type { Fingerprint } from "../fingerprint/schema.js";
import { MISSING } from "./format-number.js";
import type { OriginalEnvironment } from "./schema.js";

export type FactLabel =
  | "Image"
  | "Executor"
  | "Python"
  | "numpy"
  | "BLAS"
  | "CPU"
  | "Vector extensions"
  | "OS / kernel"
  | "Thread env"
  | "PYTHONHASHSEED"
  | "Git commit"
  | "Dirty tree";

export const FACT_LABELS: readonly FactLabel[] = [
  "Image",
  "Executor",
  "Python",
  "numpy",
  "BLAS",
  "CPU",
  "Vector extensions",
  "OS / kernel",
  "Thread env",
  "PYTHONHASHSEED",
  "Git commit",
  "Dirty tree",
];

export type Facts = Partial<Record<FactLabel, string>>;

/** A full fingerprint, or the partial one an original run's records allow. */
export type FingerprintLike = NonNullable<OriginalEnvironment["fingerprint"]>;

export function fingerprintFacts(fp: FingerprintLike): Facts {
  const facts: Facts = {};
  const c = fp.container;
  const h = fp.host;
  if (fp.imageId !== undefined) facts.Image = fp.imageId;
  if (fp.executor !== undefined) facts.Executor = fp.executor;
  if (c) {
    facts.Python = `${c.python.implementation} ${c.python.version}`;
    const numpy = c.numpy?.version ?? c.distributions.find((d) => d.name === "numpy")?.version;
    if (numpy !== undefined) facts.numpy = numpy;
    if (c.blas.length > 0) {
      facts.BLAS = c.blas
        .map((b) => `${b.internal_api}${b.version ? ` ${b.version}` : ""} (${b.num_threads} threads${b.architecture ? `, ${b.architecture}` : ""})`)
        .join("; ");
    }
    const threads = Object.entries(c.threadEnv)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => `${k}=${v}`)
      .sort();
    facts["Thread env"] = threads.length > 0 ? threads.join(" ") : "unset";
    facts.PYTHONHASHSEED = c.pythonHashSeed ?? "unset";
  }
  if (h) {
    facts.CPU = `${h.cpu.model} (${h.cpu.cores} cores)`;
    facts["Vector extensions"] = [h.cpu.avx2 ? "AVX2" : "no AVX2", h.cpu.avx512 ? "AVX-512" : "no AVX-512"].join(", ");
    facts["OS / kernel"] = `${h.os.distro} ${h.os.release} / ${h.os.kernel} ${h.os.arch}`;
  }
  if (fp.code) {
    if (fp.code.commit !== undefined) facts["Git commit"] = fp.code.commit;
    if (fp.code.dirty !== null) facts["Dirty tree"] = fp.code.dirty ? "yes" : "no";
  }
  return facts;
}

/** What the original recorded, as far as its partial fingerprint tells. */
export function originalFacts(original: OriginalEnvironment | undefined): Facts {
  if (original === undefined) return {};
  return fingerprintFacts(original.fingerprint ?? {});
}

/**
 * The replays' value for one fact: the value when all agree, else each distinct
 * value with how many replays had it, so a split is visible at a glance.
 */
export function summariseAcrossReplays(values: readonly (string | undefined)[]): { text: string; uniform: boolean } {
  if (values.length === 0) return { text: MISSING, uniform: true };
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v ?? MISSING, (counts.get(v ?? MISSING) ?? 0) + 1);
  if (counts.size === 1) return { text: [...counts.keys()][0] ?? MISSING, uniform: true };
  return { text: [...counts].map(([v, n]) => `${v} (×${n})`).join("; "), uniform: false };
}

export interface FactRow {
  label: FactLabel;
  original: string;
  replays: string;
  /** the replays disagree among themselves, or with a known original value */
  differs: boolean;
}

export function factRows(original: OriginalEnvironment | undefined, replays: readonly Fingerprint[]): FactRow[] {
  const orig = originalFacts(original);
  const perReplay = replays.map((fp) => fingerprintFacts(fp));
  const rows: FactRow[] = [];
  for (const label of FACT_LABELS) {
    const o = orig[label];
    const values = perReplay.map((f) => f[label]);
    if (o === undefined && values.every((v) => v === undefined)) continue;
    const summary = summariseAcrossReplays(values);
    const differs = !summary.uniform || (o !== undefined && summary.text !== o);
    rows.push({ label, original: o ?? MISSING, replays: summary.text, differs });
  }
  return rows;
}
