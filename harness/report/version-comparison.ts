/**
 * The Python and library versions the original recorded (drift/model-environment.ts:
 * its logged model's files, MLflow's log-model history) set against what each
 * replay's fingerprint says ran. Only what the original recorded is compared, never
 * the replays' whole freeze: a library the replay has and the original never named
 * is not a difference anyone can see. Names compare PEP 503-normalised, versions
 * PEP 440-normalised (1.0 is 1.0.0, 1.0RC1 is 1.0rc1). Pure; the zod boundary of
 * the report's `fingerprintDiff.versions`.
 */
import { z } from "zod";

import type { RecordedVersions } from "../drift/model-environment.js";
import { pep503Name } from "../drift/model-files.js";
import type { Fingerprint } from "../fingerprint/schema.js";
import type { ReportFingerprintChange } from "./fingerprint-change.js";
import type { OriginalEnvironment, ReportFingerprintDiff } from "./schema.js";

/**
 * same: every probed replay ran that version; differs: one did not (or they
 * disagree); absent_on_replays: the library is not installed in any probed replay;
 * not_recorded_replays: no replay was probed, nothing compared.
 */
export const VERSION_STATES = ["same", "differs", "absent_on_replays", "not_recorded_replays"] as const;
export type VersionState = (typeof VERSION_STATES)[number];

export const VersionComparisonItemSchema = z.object({
  kind: z.enum(["python", "library"]),
  /** "python", or the library's PEP 503 name */
  name: z.string(),
  original: z.string(),
  /** where the original's version was recorded */
  source: z.string(),
  /** the replays' version, or each distinct one with its count ("not installed" where absent); absent when no replay was probed */
  replays: z.string().optional(),
  state: z.enum(VERSION_STATES),
});
export type VersionComparisonItem = z.output<typeof VersionComparisonItemSchema>;

export const VersionComparisonSchema = z.object({
  /** Python first, then the libraries by name */
  items: z.array(VersionComparisonItemSchema),
  counts: z.object({
    same: z.number().int().nonnegative(),
    differs: z.number().int().nonnegative(),
    absent_on_replays: z.number().int().nonnegative(),
    not_recorded_replays: z.number().int().nonnegative(),
  }),
  /** what the derivation noticed (sources that disagree, files it could not read) */
  notes: z.array(z.string()),
});
export type VersionComparison = z.output<typeof VersionComparisonSchema>;

/** How a state reads in the Markdown and HTML reports. */
export const VERSION_STATE_TEXT: Readonly<Record<VersionState, string>> = {
  same: "same",
  differs: "differs",
  absent_on_replays: "not installed on the replays",
  not_recorded_replays: "not recorded on the replays — cannot compare",
};

export const NOT_INSTALLED = "not installed";
/** Differences named in the run's finding; the rest are counted (all are in the environment section). */
const MAX_IN_FINDING = 6;

const PEP440 =
  /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(alpha|beta|preview|pre|rc|a|b|c)[-_.]?(\d*))?(?:-(\d+)|[-_.]?(?:post|rev|r)[-_.]?(\d*))?(?:[-_.]?dev[-_.]?(\d*))?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$/i;
const PRE: Readonly<Record<string, string>> = {
  alpha: "a",
  a: "a",
  beta: "b",
  b: "b",
  c: "rc",
  rc: "rc",
  pre: "rc",
  preview: "rc",
};

/** A version as PEP 440 compares it (trailing zero parts of the release dropped); the text lower-cased when it is not PEP 440. */
function canonicalVersion(version: string): string {
  const v = version.trim().toLowerCase();
  const m = PEP440.exec(v);
  if (m === null) return v;
  const release = (m[2] ?? "").split(".").map((p) => String(Number(p)));
  while (release.length > 1 && release.at(-1) === "0") release.pop();
  // A group that took part but matched no digits is "" (an implicit 0); one that did not is undefined.
  const pre = m[3] !== undefined ? `${PRE[m[3]] ?? m[3]}${Number(m[4] || 0)}` : "";
  const postNumber = m[5] ?? m[6];
  const post = postNumber !== undefined ? `.post${Number(postNumber || 0)}` : "";
  const dev = m[7] !== undefined ? `.dev${Number(m[7] || 0)}` : "";
  const local = m[8] !== undefined ? `+${m[8].replace(/[-_]/g, ".")}` : "";
  return `${m[1] !== undefined && Number(m[1]) !== 0 ? `${Number(m[1])}!` : ""}${release.join(".")}${pre}${post}${dev}${local}`;
}

/**
 * Whether a replay ran the recorded version. Python recorded as "3.9" is met by any
 * 3.9.x (a logged model records all three parts; a shorter one names a series);
 * a library's version is PEP 440-equal (1.0 == 1.0.0).
 */
export function versionMatches(kind: VersionComparisonItem["kind"], recorded: string, actual: string): boolean {
  if (kind === "python") {
    const want = recorded.trim().split(".");
    const got = actual.trim().split(".");
    return want.every((part, i) => got[i] !== undefined && canonicalVersion(part) === canonicalVersion(got[i]));
  }
  return canonicalVersion(recorded) === canonicalVersion(actual);
}

/**
 * A distribution that installs the same import package as a recorded one, but not all of
 * it: mlflow-skinny is mlflow's tracking client without the server's dependencies.
 */
const PARTIAL_VARIANTS: Readonly<Record<string, string>> = { mlflow: "mlflow-skinny" };

/**
 * Each replay's version of one item: undefined where the replay was not probed, NOT_INSTALLED
 * where probed and absent, "<variant> <version>" where only a partial variant is installed
 * (then never "same").
 */
function replayVersions(kind: VersionComparisonItem["kind"], name: string, replays: readonly Fingerprint[]) {
  return replays.map((fp) => {
    const c = fp.container;
    if (c === undefined) return undefined;
    if (kind === "python") return c.python.version;
    const own = c.distributions.find((d) => pep503Name(d.name) === name)?.version;
    if (own !== undefined) return own;
    const variant = Object.hasOwn(PARTIAL_VARIANTS, name) ? PARTIAL_VARIANTS[name] : undefined;
    const partial = variant && c.distributions.find((d) => pep503Name(d.name) === variant)?.version;
    return partial ? `${variant} ${partial}` : NOT_INSTALLED;
  });
}

function compareItem(
  kind: VersionComparisonItem["kind"],
  name: string,
  recorded: { version: string; source: string },
  replays: readonly Fingerprint[],
): VersionComparisonItem {
  const probed = replayVersions(kind, name, replays).filter((v): v is string => v !== undefined);
  const base = { kind, name, original: recorded.version, source: recorded.source };
  if (probed.length === 0) return { ...base, state: "not_recorded_replays" };
  const counts = new Map<string, number>();
  for (const v of probed) counts.set(v, (counts.get(v) ?? 0) + 1);
  const text = counts.size === 1 ? (probed[0] as string) : [...counts].map(([v, n]) => `${v} (×${n})`).join("; ");
  const state: VersionState = probed.every((v) => v !== NOT_INSTALLED && versionMatches(kind, recorded.version, v))
    ? "same"
    : probed.every((v) => v === NOT_INSTALLED)
      ? "absent_on_replays"
      : "differs";
  return { ...base, replays: text, state };
}

/** The recorded versions against the replays' fingerprints; undefined when the original recorded none. */
export function compareVersions(
  recorded: RecordedVersions | undefined,
  replays: readonly Fingerprint[],
): VersionComparison | undefined {
  if (recorded === undefined) return undefined;
  const items: VersionComparisonItem[] = [
    ...(recorded.python ? [compareItem("python", "python", recorded.python, replays)] : []),
    ...recorded.libraries.map((lib) => compareItem("library", pep503Name(lib.name), lib, replays)),
  ];
  const counts = { same: 0, differs: 0, absent_on_replays: 0, not_recorded_replays: 0 };
  for (const i of items) counts[i.state] += 1;
  return { items, counts, notes: recorded.notes };
}

/** A difference found: differs, or recorded by the original and absent from the replays. */
export function isVersionDifference(item: VersionComparisonItem): boolean {
  return item.state === "differs" || item.state === "absent_on_replays";
}

/**
 * The differences as the environment diff's changes (the fingerprint's own paths:
 * container.python.version, container.distributions.<name>), each with the
 * original's source, so the count and the change table include them.
 */
export function versionChanges(comparison: VersionComparison | undefined): ReportFingerprintChange[] {
  return (comparison?.items ?? []).filter(isVersionDifference).map((i) => ({
    path: i.kind === "python" ? "container.python.version" : `container.distributions.${i.name}`,
    kind: i.state === "absent_on_replays" ? "removed" : "changed",
    category: i.kind === "python" ? "python" : "packages",
    before: i.original,
    ...(i.state === "absent_on_replays" ? {} : { after: i.replays }),
    source: i.source,
  }));
}

/** One line naming each difference, for the run's findings (and so the terminal); undefined when there is none. */
export function versionDifferencesFinding(comparison: VersionComparison | undefined): string | undefined {
  const diffs = (comparison?.items ?? []).filter(isVersionDifference);
  if (diffs.length === 0) return undefined;
  const named = diffs
    .slice(0, MAX_IN_FINDING)
    .map((i) => `${i.name}: original ${i.original} (${i.source}) vs replay ${i.replays ?? NOT_INSTALLED}`);
  const more = diffs.length > MAX_IN_FINDING ? `; and ${diffs.length - MAX_IN_FINDING} more (environment section)` : "";
  return `environment: the replays did not run what the original recorded: ${named.join("; ")}${more}`;
}

/** A report run's version comparison: as its JSON recorded it, or (documents before it) worked out from its fingerprints. */
export function reportVersions(run: {
  fingerprints: { original?: OriginalEnvironment | undefined; replays: readonly Fingerprint[] };
  fingerprintDiff: Pick<ReportFingerprintDiff, "versions">;
}): VersionComparison | undefined {
  return run.fingerprintDiff.versions ?? compareVersions(run.fingerprints.original?.versions, run.fingerprints.replays);
}

/** The heading of the versions table, e.g. "7 recorded by the original: 4 same, 2 differ, 1 not installed on the replays". */
export function versionCountsText(comparison: VersionComparison): string {
  const c = comparison.counts;
  const parts = [
    c.same > 0 ? `${c.same} same` : "",
    c.differs > 0 ? `${c.differs} differ${c.differs === 1 ? "s" : ""}` : "",
    c.absent_on_replays > 0 ? `${c.absent_on_replays} not installed on the replays` : "",
    c.not_recorded_replays > 0 ? `${c.not_recorded_replays} not recorded on the replays — cannot compare` : "",
  ].filter((p) => p !== "");
  return `${comparison.items.length} recorded by the original: ${parts.join(", ")}`;
}
