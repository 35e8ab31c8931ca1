/**
 * The handful of environment facts that decide whether floating-point results can
 * match (interpreter, numeric libraries and their BLAS, CPU vector extensions,
 * thread settings, code version), pulled out of fingerprints for a side-by-side
 * table. The full fingerprints stay in the JSON document.
 */
import type { Fingerprint } from "../fingerprint/schema.js";
import { type EnvironmentFacts, FACT_LABELS, type FactLabel, type FactState } from "./fact-comparison.js";
import { MISSING } from "./format-number.js";
import type { OriginalEnvironment, ReportRun } from "./schema.js";
import { compareVersions, type VersionComparisonItem, type VersionState } from "./version-comparison.js";

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
        .map(
          (b) =>
            `${b.internal_api}${b.version ? ` ${b.version}` : ""} (${b.num_threads} threads${b.architecture ? `, ${b.architecture}` : ""})`,
        )
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
  state: FactState;
}

/** The fact rows a recorded version can fill when the original's fingerprint does not have them. */
const VERSION_ROWS: Partial<Record<FactLabel, (i: VersionComparisonItem) => boolean>> = {
  Python: (i) => i.kind === "python",
  numpy: (i) => i.kind === "library" && i.name === "numpy",
};
const VERSION_FACT_STATE: Readonly<Record<VersionState, FactState>> = {
  same: "same",
  differs: "differs",
  absent_on_replays: "differs",
  not_recorded_replays: "not_recorded_replays",
};

export function factRows(original: OriginalEnvironment | undefined, replays: readonly Fingerprint[]): FactRow[] {
  const orig = originalFacts(original);
  const perReplay = replays.map((fp) => fingerprintFacts(fp));
  // What the original's logged model recorded of Python and numpy, where its fingerprint is silent.
  const versions = compareVersions(original?.versions, replays)?.items ?? [];
  const rows: FactRow[] = [];
  for (const label of FACT_LABELS) {
    const o = orig[label];
    const values = perReplay.map((f) => f[label]);
    const replaysHave = values.some((v) => v !== undefined);
    const summary = summariseAcrossReplays(values);
    const version = o === undefined ? versions.find((i) => VERSION_ROWS[label]?.(i) === true) : undefined;
    if (version !== undefined) {
      // Compared by version (the replays' row reads "CPython 3.11.2"), with the one rule version-comparison.ts applies.
      rows.push({
        label,
        original: `${version.original} (${version.source})`,
        replays: summary.text,
        state: replaysHave && !summary.uniform ? "differs" : VERSION_FACT_STATE[version.state],
      });
      continue;
    }
    if (o === undefined && !replaysHave) continue;
    // A split among the replays is a difference whatever the original recorded:
    // the same code in one image gave two environments.
    const state: FactState =
      replaysHave && !summary.uniform
        ? "differs"
        : o === undefined
          ? "not_recorded_original"
          : !replaysHave
            ? "not_recorded_replays"
            : summary.text === o
              ? "same"
              : "differs";
    rows.push({ label, original: o ?? MISSING, replays: summary.text, state });
  }
  return rows;
}

/** The facts with their states, as the JSON report stores them. Pure. */
export function environmentFacts(
  original: OriginalEnvironment | undefined,
  replays: readonly Fingerprint[],
): EnvironmentFacts {
  const rows = factRows(original, replays);
  const counts = { same: 0, differs: 0, not_recorded_original: 0, not_recorded_replays: 0 };
  for (const r of rows) counts[r.state] += 1;
  return {
    facts: rows.map((r) => ({
      fact: r.label,
      state: r.state,
      ...(r.state !== "not_recorded_original" ? { original: r.original } : {}),
      ...(r.state !== "not_recorded_replays" ? { replays: r.replays } : {}),
    })),
    counts,
  };
}

/** A report run's fact rows: as its JSON recorded them, or (documents before the states) worked out from its fingerprints. */
export function reportFacts(run: Pick<ReportRun, "fingerprints" | "fingerprintDiff">): EnvironmentFacts {
  return run.fingerprintDiff.facts ?? environmentFacts(run.fingerprints.original, run.fingerprints.replays);
}

/**
 * What an environment section says when the compared parts showed no difference:
 * how much was compared, so that "nothing recorded" never reads as "no difference".
 */
export function noDifferencesText(counts: EnvironmentFacts["counts"]): string {
  const compared = counts.same + counts.differs;
  const cannot = counts.not_recorded_original + counts.not_recorded_replays;
  if (compared === 0 && cannot === 0)
    return "Nothing was compared: neither the original nor the replays recorded their environment.";
  if (compared === 0)
    return `Nothing was compared: none of these ${cannot} facts was recorded on both sides (not recorded — cannot compare).`;
  return `No differences in what both sides recorded (${compared} of ${compared + cannot} facts compared${cannot > 0 ? `; ${cannot} not recorded on one side — cannot compare` : ""}).`;
}
