import { pythonSatisfies } from "./python-version.js";

// Which Debian base an environment image starts from, given the python a run asked
// for. Pure: the table says what each suite's python3 is expected to be; the built
// base's own python (probed when its rootfs is made) is what the report compares.

/** The Debian suites a base can be debootstrapped from (the mirror serves these; buster it does not). */
export const BASE_SUITES = ["bullseye", "bookworm", "trixie"] as const;
export type BaseSuite = (typeof BASE_SUITES)[number];

export interface PythonBase {
  suite: BaseSuite;
  /** the CPython minor the suite's python3 is, "3.9" */
  minor: string;
  /** the full version the suite ships, "3.9.2": used to choose, never reported as what the image has */
  expected: string;
}

/** Oldest first. Debian keeps one python3 per release, so a suite is a CPython minor. */
export const PYTHON_BASES: readonly PythonBase[] = [
  { suite: "bullseye", minor: "3.9", expected: "3.9.2" },
  { suite: "bookworm", minor: "3.11", expected: "3.11.2" },
  { suite: "trixie", minor: "3.13", expected: "3.13.5" },
];

/** Today's base, and the one every run that asks for no python (or one it satisfies) gets. */
export const DEFAULT_SUITE: BaseSuite = "bookworm";

/** A requested python the image does not have; the same shape as env-image.ts's Mismatch. */
export interface PythonMismatch {
  what: "python";
  requested: string;
  actual: string;
}

/**
 * How the chosen base answers the request: `default` (nothing asked), `satisfies`
 * (the base's python meets it), `same-minor` (the minor asked for, another patch
 * release: the patch is what cannot be had), `nearest` (no base has that minor: the
 * closest one), `unreadable` (not a python version this understands: the default).
 */
export type BaseFit = "default" | "satisfies" | "same-minor" | "nearest" | "unreadable";

export interface BaseChoice {
  base: PythonBase;
  /** the request as given, when there was one */
  requested?: string;
  fit: BaseFit;
  /** what the report will name, against the suite's expected python (the image's real one is what env-image records) */
  mismatch?: PythonMismatch;
  /** one sentence for a preview or a plan note */
  reason: string;
}

/** The one rule for a python mismatch: the build (with the image's real python) and the chooser both use it. */
export function pythonMismatch(requested: string | undefined, actual: string): PythonMismatch | undefined {
  if (requested === undefined || requested.trim() === "") return undefined;
  return pythonSatisfies(requested, actual) ? undefined : { what: "python", requested, actual };
}

function baseOf(suite: BaseSuite): PythonBase {
  const b = PYTHON_BASES.find((p) => p.suite === suite);
  if (!b) throw new Error(`no python base for suite ${suite}`);
  return b;
}

function minorNumber(minor: string): number {
  return Number.parseInt(minor.split(".")[1] ?? "0", 10);
}

// Every 3.x minor a request could mean, probed at every patch release it could name: the
// minors that some version of them satisfies. 3.0..3.30 and patches 0..99 cover any
// request a recorded run carries; nothing outside python 3 can be had here anyway.
const MAX_MINOR = 30;
const MAX_PATCH = 99;

function admittedMinors(requested: string): number[] {
  const out: number[] = [];
  for (let m = 0; m <= MAX_MINOR; m++) {
    for (let p = 0; p <= MAX_PATCH; p++) {
      if (pythonSatisfies(requested, `3.${m}.${p}`)) {
        out.push(m);
        break;
      }
    }
  }
  return out;
}

/** The default if it is among `bases`, else the newest of them (a newer python runs more old code than the reverse). */
function preferred(bases: readonly PythonBase[]): PythonBase | undefined {
  return bases.find((b) => b.suite === DEFAULT_SUITE) ?? bases[bases.length - 1];
}

/**
 * The base for a requested python ("3.9", "3.9.18", ">=3.10,<3.12", "~=3.9"):
 * none asked -> the default; a base whose python satisfies it -> that one (the default
 * when it is among them, so a request today's base meets keeps today's image); else
 * the base with the nearest minor to any version the request admits (a tie goes to
 * the newer), with the mismatch the report names. Never fails: a request it cannot
 * read runs on the default and is named as a mismatch.
 */
export function chooseBase(requested?: string): BaseChoice {
  const req = requested?.trim();
  if (req === undefined || req === "") {
    const base = baseOf(DEFAULT_SUITE);
    return { base, fit: "default", reason: `no python asked for: ${base.suite} (python ${base.minor})` };
  }
  const asked = { requested: req };
  const satisfying = PYTHON_BASES.filter((b) => pythonSatisfies(req, b.expected));
  const exact = preferred(satisfying);
  if (exact)
    return {
      base: exact,
      ...asked,
      fit: "satisfies",
      reason: `python ${req} asked for: ${exact.suite}'s python ${exact.expected} satisfies it`,
    };

  const minors = admittedMinors(req);
  if (minors.length === 0) {
    const base = baseOf(DEFAULT_SUITE);
    return {
      base,
      ...asked,
      fit: "unreadable",
      mismatch: { what: "python", requested: req, actual: base.expected },
      reason: `python ${req} asked for: no python 3 release meets it; runs on ${base.suite} (python ${base.expected}), reported as a mismatch`,
    };
  }
  const distance = (b: PythonBase) => Math.min(...minors.map((m) => Math.abs(minorNumber(b.minor) - m)));
  const best = Math.min(...PYTHON_BASES.map(distance));
  // A tie goes to the newer even past the default: code written for 3.12 may use 3.12 syntax, which 3.11 lacks.
  const ties = PYTHON_BASES.filter((b) => distance(b) === best);
  const base = ties[ties.length - 1] as PythonBase;
  const sameMinor = best === 0;
  return {
    base,
    ...asked,
    fit: sameMinor ? "same-minor" : "nearest",
    mismatch: { what: "python", requested: req, actual: base.expected },
    reason: sameMinor
      ? `python ${req} asked for: ${base.suite} has python ${base.expected}, the same minor but not the patch release asked for (reported as a mismatch)`
      : `python ${req} asked for: no base has that minor; runs on the nearest, ${base.suite} (python ${base.expected}), reported as a mismatch`,
  };
}
