import { readFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { zodIssueLines } from "../errors.js";
import { condaDependency } from "./conda-pypi.js";
import { type IgnoredEntry, type IncludeResolver, parseRequirementList, parseRequirementsTxt } from "./requirements.js";

/** What an environment image is built from, whichever file declared it. */
export interface EnvSpec {
  source: "requirements.txt" | "python_env.yaml" | "conda.yaml" | "lock";
  /** Requested python, as declared ("3.8.10", ">=3.9"); undefined when the file does not say. */
  python?: string;
  requirements: string[];
  /** python_env.yaml build_dependencies (pip, setuptools, wheel): informational, the image's venv has its own. */
  buildRequirements: string[];
  ignored: IgnoredEntry[];
  /** conda.yaml: conda packages installed by their PyPI name (conda-pypi.ts), as written and as pip got them */
  mapped?: CondaMapped[];
}

export interface CondaMapped {
  entry: string;
  requirement: string;
}

// failsafe: every scalar stays a string, so "python: 3.10" is not read as the number 3.1.
const yamlStrings = (text: string, where: string): unknown => {
  try {
    return parseYaml(text, { schema: "failsafe" });
  } catch (err) {
    throw new Error(`${where}: not valid YAML (${(err as Error).message})`);
  }
};

function zodMessage(where: string, err: z.ZodError, hint: string): Error {
  const first = zodIssueLines(err.issues)[0] ?? "(top level): invalid";
  return new Error(`${where}: ${first}. ${hint}`);
}

const PythonEnvYaml = z.object({
  python: z.string().min(1).optional(),
  build_dependencies: z.array(z.string()).optional(),
  dependencies: z.array(z.string()).optional(),
});

/** MLflow's python_env.yaml: `python`, `build_dependencies`, `dependencies` (pip lines, `-r file` allowed). */
export function parsePythonEnvYaml(text: string, include?: IncludeResolver, where = "python_env.yaml"): EnvSpec {
  const parsed = PythonEnvYaml.safeParse(yamlStrings(text, where) ?? {});
  if (!parsed.success) {
    throw zodMessage(
      where,
      parsed.error,
      "Expected keys python (string), build_dependencies and dependencies (lists of pip requirement lines).",
    );
  }
  const deps = parseRequirementList(parsed.data.dependencies ?? [], include);
  const build = parseRequirementList(parsed.data.build_dependencies ?? []);
  const spec: EnvSpec = {
    source: "python_env.yaml",
    requirements: deps.requirements,
    buildRequirements: build.requirements,
    ignored: [...deps.ignored, ...build.ignored],
  };
  if (parsed.data.python !== undefined) spec.python = parsed.data.python.trim();
  return spec;
}

const CondaYaml = z.object({
  name: z.string().optional(),
  channels: z.array(z.string()).optional(),
  dependencies: z.array(z.union([z.string(), z.object({ pip: z.array(z.string()) })])).optional(),
});

/**
 * Conda's `python=3.8.10` / `python==3.8` / `python>=3.9`; "=" is conda's prefix match;
 * a build string (`python=3.11.5=h955ad1f_0`, `python 3.11.5 h955ad1f_0`) is dropped.
 */
function condaPython(dep: string): string | undefined {
  const m = /^python(?![A-Za-z0-9_.-])\s*(==|=|>=|<=|>|<|~=|!=)?\s*([^\s=]*)(?:(?:=|\s+)\S+)?$/.exec(dep.trim());
  if (!m) return undefined;
  const [, op = "", ver = ""] = m;
  if (!ver) return "";
  return op === "=" || op === "==" || op === "" ? ver.replace(/\.?\*$/, "") : `${op}${ver}`;
}

/**
 * conda.yaml as MLflow logs it: the python pin, the `pip:` list, and each conda package
 * that has a PyPI counterpart (conda-pypi.ts) installed by that name; every other
 * conda package is listed as not honoured.
 */
export function parseCondaYaml(text: string, include?: IncludeResolver, where = "conda.yaml"): EnvSpec {
  const parsed = CondaYaml.safeParse(yamlStrings(text, where) ?? {});
  if (!parsed.success) {
    throw zodMessage(
      where,
      parsed.error,
      "Expected `dependencies:` with conda package strings and an optional `- pip: [...]` list.",
    );
  }
  const spec: EnvSpec = { source: "conda.yaml", requirements: [], buildRequirements: [], ignored: [] };
  const pipLines: string[] = [];
  const mapped: CondaMapped[] = [];
  for (const dep of parsed.data.dependencies ?? []) {
    if (typeof dep !== "string") {
      pipLines.push(...dep.pip);
      continue;
    }
    const py = condaPython(dep.replace(/^.*::/, ""));
    if (py !== undefined) {
      if (py) spec.python = py;
      continue;
    }
    if (/^pip(\s*[<>=!~].*)?$/.test(dep.replace(/^.*::/, "").trim())) {
      spec.buildRequirements.push(dep.trim());
      continue;
    }
    const conda = condaDependency(dep);
    if (conda.kind === "ignored") {
      spec.ignored.push({ entry: dep, reason: conda.reason, mayBeInstalled: true });
      continue;
    }
    // Parsed like a pip line so a version pip cannot read is reported, not passed on.
    const one = parseRequirementList([conda.requirement]);
    const [requirement] = one.requirements;
    if (requirement === undefined) {
      spec.ignored.push({
        entry: dep,
        reason: `conda package not honoured: its PyPI form ${JSON.stringify(conda.requirement)} is not a valid pip requirement`,
        mayBeInstalled: true,
      });
      continue;
    }
    mapped.push({ entry: dep, requirement });
  }
  const pip = parseRequirementList([...pipLines, ...mapped.map((m) => m.requirement)], include);
  spec.requirements = pip.requirements;
  spec.ignored.push(...pip.ignored);
  if (mapped.length > 0) spec.mapped = mapped;
  return spec;
}

/** Reads any supported environment file; `-r other.txt` is resolved next to it. */
export function loadEnvSpec(path: string): EnvSpec {
  const dir = dirname(resolve(path));
  const include: IncludeResolver = (p) => readFileSync(resolve(dir, p), "utf8");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new Error(`Cannot read environment file ${path}: ${(err as Error).message}`);
  }
  const name = basename(path);
  if (/python_env\.ya?ml$/.test(name)) return parsePythonEnvYaml(text, include, path);
  if (/conda\.ya?ml$/.test(name) || /environment\.ya?ml$/.test(name)) return parseCondaYaml(text, include, path);
  const parsed = parseRequirementsTxt(text, include);
  return { source: /\.lock$|lock\.txt$/.test(name) ? "lock" : "requirements.txt", ...parsed, buildRequirements: [] };
}
