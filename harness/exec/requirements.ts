/**
 * Pure parsing and normalising of pip requirement lines (requirements.txt, lock files, the
 * dependency lists inside python_env.yaml / conda.yaml). Normalised lines are what image
 * hashes are computed from, so two spellings of the same set must come out identical.
 */

/** An input line we could not honour; surfaced as a mismatch so nothing is silently dropped. */
export interface IgnoredEntry {
  entry: string;
  reason: string;
  /**
   * a conda package given no pip line of its own: pip may still have brought it in as a
   * dependency, so a mismatch must not call it "not installed" (set where the entry is made)
   */
  mayBeInstalled?: true | undefined;
}

export interface ParsedRequirements {
  /** Normalised requirement lines, sorted and de-duplicated. */
  requirements: string[];
  ignored: IgnoredEntry[];
}

/** Reads a file named by `-r other.txt`; absent -> such lines are reported as ignored. */
export type IncludeResolver = (path: string) => string;

export interface Requirement {
  /** PEP 503 normalised project name. */
  name: string;
  extras: string[];
  /** Version specifiers, each without spaces, sorted (e.g. ["<2", ">=1.0"]). */
  specifiers: string[];
  /** PEP 508 direct reference (`name @ url`), if any. */
  url?: string;
  marker?: string;
  /** `--hash=algo:hex` values, sorted. */
  hashes: string[];
}

export function normaliseName(name: string): string {
  return name.replace(/[-_.]+/g, "-").toLowerCase();
}

const NAME_RE = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?\s*(.*)$/s;

/** Options pip accepts in requirement files that change where packages come from: we use our own. */
const SOURCE_OPTIONS = new Set([
  "-i",
  "--index-url",
  "--extra-index-url",
  "--no-index",
  "-f",
  "--find-links",
  "--trusted-host",
  "--pre",
  "--prefer-binary",
  "--no-binary",
  "--only-binary",
  "--use-feature",
  "--require-hashes",
]);

/** Parses one logical requirement line (comments and continuations already removed). */
export function parseRequirement(line: string): Requirement {
  const hashes: string[] = [];
  // Per-requirement options come after the requirement, separated by whitespace.
  let body = line.replace(/\s--hash[=\s]\s*(\S+)/g, (_m, h: string) => {
    hashes.push(h);
    return "";
  });
  body = body.replace(/\s--(?:global-option|install-option|config-settings)[=\s]\s*\S+/g, "").trim();
  const m = NAME_RE.exec(body);
  if (!m) throw new Error(`not a requirement: ${JSON.stringify(line)}`);
  const [, rawName = "", rawExtras, rest0 = ""] = m;
  const extras =
    rawExtras === undefined
      ? []
      : [
          ...new Set(
            rawExtras
              .split(",")
              .map((e) => normaliseName(e.trim()))
              .filter(Boolean),
          ),
        ].sort();
  let rest = rest0.trim();
  const req: Requirement = {
    name: normaliseName(rawName),
    extras,
    specifiers: [],
    hashes: [...new Set(hashes)].sort(),
  };
  if (rest.startsWith("@")) {
    // PEP 508: the URL ends at whitespace; a marker then needs "; " after it.
    const um = /^@\s*(\S+)\s*(?:;\s*(.*))?$/s.exec(rest);
    if (!um?.[1]) throw new Error(`direct reference without a URL: ${JSON.stringify(line)}`);
    req.url = um[1];
    if (um[2]?.trim()) req.marker = collapse(um[2]);
    return req;
  }
  const semi = rest.indexOf(";");
  if (semi >= 0) {
    const marker = collapse(rest.slice(semi + 1));
    if (marker) req.marker = marker;
    rest = rest.slice(0, semi).trim();
  }
  rest = rest.replace(/^\((.*)\)$/s, "$1");
  if (rest) {
    for (const spec of rest.split(",")) {
      const s = spec.replace(/\s+/g, "");
      if (!/^(===|~=|==|!=|<=|>=|<|>)[A-Za-z0-9.*+!_-]+$/.test(s))
        throw new Error(`bad version specifier ${JSON.stringify(spec.trim())} in ${JSON.stringify(line)}`);
      req.specifiers.push(s);
    }
    req.specifiers = [...new Set(req.specifiers)].sort();
  }
  return req;
}

function collapse(s: string): string {
  return s.trim().replace(/\s+/g, " ");
}

export function formatRequirement(r: Requirement): string {
  let out = r.name + (r.extras.length ? `[${r.extras.join(",")}]` : "");
  if (r.url !== undefined) out += ` @ ${r.url}`;
  else out += r.specifiers.join(",");
  if (r.marker !== undefined) out += r.url !== undefined ? ` ; ${r.marker}` : `; ${r.marker}`;
  for (const h of r.hashes) out += ` --hash=${h}`;
  return out;
}

/** Canonical spelling of a single requirement line. */
export function normaliseRequirement(line: string): string {
  return formatRequirement(parseRequirement(line));
}

/** Joins backslash continuations and strips comments, as pip does, yielding logical lines. */
function logicalLines(text: string): string[] {
  const out: string[] = [];
  let acc = "";
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, "");
    if (/\\\s*$/.test(line)) {
      acc += line.replace(/\\\s*$/, " ");
      continue;
    }
    acc += line;
    if (acc.trim()) out.push(acc.trim());
    acc = "";
  }
  if (acc.trim()) out.push(acc.trim());
  return out;
}

const LOCAL_OR_VCS = /^(?:-e\s|--editable[=\s]|\.{0,2}\/|file:|git\+|hg\+|svn\+|bzr\+|[A-Za-z]:\\)/;

/** Parses the lines of a requirements file (or a lock file with hashes). */
export function parseRequirementsTxt(
  text: string,
  include?: IncludeResolver,
  seen: Set<string> = new Set(),
): ParsedRequirements {
  const requirements: string[] = [];
  const ignored: IgnoredEntry[] = [];
  for (const line of logicalLines(text)) {
    const opt = /^(-r|--requirement|-c|--constraint)(?:=|\s+)(\S+)$/.exec(line);
    if (opt) {
      const [, flag = "", path = ""] = opt;
      if (flag === "-c" || flag === "--constraint") {
        ignored.push({
          entry: line,
          reason: "constraint files are not applied; list the pins in the requirements instead",
        });
      } else if (!include) {
        ignored.push({ entry: line, reason: "included file not available" });
      } else if (seen.has(path)) {
        ignored.push({ entry: line, reason: "circular include" });
      } else {
        let inner: string;
        try {
          inner = include(path);
        } catch (err) {
          ignored.push({ entry: line, reason: `included file not readable: ${(err as Error).message}` });
          continue;
        }
        const sub = parseRequirementsTxt(inner, include, new Set([...seen, path]));
        requirements.push(...sub.requirements);
        ignored.push(...sub.ignored);
      }
      continue;
    }
    if (LOCAL_OR_VCS.test(line)) {
      ignored.push({
        entry: line,
        reason: "editable, local-path and VCS requirements cannot be installed offline; pin a released version",
      });
      continue;
    }
    if (line.startsWith("-")) {
      const flag = line.split(/[=\s]/)[0] ?? line;
      ignored.push({
        entry: line,
        reason: SOURCE_OPTIONS.has(flag)
          ? "package sources are chosen by the harness (host pip config), not the file"
          : "unsupported pip option",
      });
      continue;
    }
    try {
      requirements.push(normaliseRequirement(line));
    } catch (err) {
      ignored.push({ entry: line, reason: (err as Error).message });
    }
  }
  return { requirements: [...new Set(requirements)].sort(), ignored };
}

/** Normalises an already-split list (e.g. from YAML): each element may itself be a `-r file` line. */
export function parseRequirementList(items: readonly string[], include?: IncludeResolver): ParsedRequirements {
  return parseRequirementsTxt(items.join("\n"), include);
}

/** True when every requirement carries hashes: pip then installs in --require-hashes mode. */
export function hashPinned(requirements: readonly string[]): boolean {
  return requirements.length > 0 && requirements.every((r) => /\s--hash=/.test(r));
}
