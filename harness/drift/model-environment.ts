/**
 * What a run's logged model says about the environment it was made in: the Python
 * version and the library versions MLflow wrote into the model's files
 * (python_env.yaml, requirements.txt, conda.yaml, MLmodel) and, in MLflow 2, into
 * the run's `mlflow.log-model.history` tag. MLflow records no library versions at
 * run level, so these are often the only facts about the original's environment
 * that can be set against a replay's. Pure: texts in, facts out.
 *
 * Only versions that say what ran are facts: exact pins (`name==1.2.3`), the
 * interpreter's version, a flavor's `*_version`. A range (`>=1.2`), a wildcard, a
 * pin behind an environment marker or an include line (`-r requirements.txt`) says
 * what was allowed, not what was installed, and is left out. The texts come from
 * the audited code's runs: read with model-files.ts's bounded YAML reader, and what
 * cannot be read is a note, never a crash.
 */
import { z } from "zod";

import { modelFileKind, parseModelYaml, pep503Name } from "./model-files.js";
import type { ModelFileKind } from "./schema.js";

export const RecordedVersionSchema = z.object({
  version: z.string(),
  /** where it was read, e.g. "logged model model/python_env.yaml" */
  source: z.string(),
});

export const RecordedLibrarySchema = RecordedVersionSchema.extend({
  /** PEP 503-normalised, as the replay fingerprint's distributions are */
  name: z.string().min(1),
});

export const RecordedVersionsSchema = z.object({
  python: RecordedVersionSchema.optional(),
  /** by name */
  libraries: z.array(RecordedLibrarySchema),
  /** sources that disagree, files that could not be read */
  notes: z.array(z.string()),
});
export type RecordedVersions = z.output<typeof RecordedVersionsSchema>;

/** At most this many libraries are kept (a requirements file of a whole freeze is still a few hundred). */
const MAX_LIBRARIES = 1000;
/** A log-model history tag larger than this is not parsed. */
const MAX_TAG_CHARS = 1024 * 1024;

/**
 * The versions MLflow flavors record of their library in MLmodel (and the
 * log-model history), mapped to the library's PyPI name.
 */
const FLAVOR_VERSION_KEYS: Readonly<Record<string, string>> = {
  sklearn_version: "scikit-learn",
  xgb_version: "xgboost",
  lgb_version: "lightgbm",
  catboost_version: "catboost",
  pytorch_version: "torch",
  keras_version: "keras",
  statsmodels_version: "statsmodels",
  transformers_version: "transformers",
};

/** `name==version` (or `===`), extras allowed; undefined for anything that does not pin one version. */
export function pinnedRequirement(line: string): { name: string; version: string } | undefined {
  const text = line.replace(/(^|\s)#.*$/, "").trim();
  if (text === "" || text.startsWith("-") || text.includes(";")) return undefined;
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*===?\s*([A-Za-z0-9][A-Za-z0-9.+!_-]*)$/.exec(text);
  if (m === null) return undefined;
  return { name: pep503Name(m[1] ?? ""), version: m[2] ?? "" };
}

interface Candidate {
  name: string;
  version: string;
  source: string;
}

/** Reads one file's candidates; the order within a model is python_env, requirements, conda, MLmodel. */
const KIND_ORDER: readonly ModelFileKind[] = ["python_env", "requirements", "conda", "MLmodel"];

const PythonEnv = z
  .object({
    python: z.union([z.string(), z.number()]).optional(),
    dependencies: z.array(z.unknown()).nullable().optional(),
  })
  .loose();
const CondaEnv = z
  .object({
    dependencies: z.array(z.union([z.string(), z.object({ pip: z.array(z.unknown()) }).loose()])).optional(),
  })
  .loose();
const Flavors = z.record(z.string(), z.unknown());
const MlModel = z.object({ mlflow_version: z.unknown().optional(), flavors: Flavors.optional() }).loose();
const LogModelHistory = z.array(z.object({ flavors: Flavors.optional() }).loose());

function pins(lines: readonly unknown[], source: string): Candidate[] {
  const out: Candidate[] = [];
  for (const line of lines) {
    const pin = typeof line === "string" ? pinnedRequirement(line) : undefined;
    if (pin !== undefined) out.push({ ...pin, source });
  }
  return out;
}

/** A version-looking scalar as text; YAML may have read `3.10` as the number 3.1, so numbers are not trusted. */
function versionText(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const v = value.trim();
  return /^[0-9][A-Za-z0-9.+!_-]*$/.test(v) ? v : undefined;
}

/** Python and library versions in MLmodel's (or the history tag's) flavors. */
function flavorCandidates(flavors: Record<string, unknown> | undefined, source: string): Candidate[] {
  const out: Candidate[] = [];
  for (const flavor of Object.keys(flavors ?? {}).sort()) {
    const conf = flavors?.[flavor];
    if (typeof conf !== "object" || conf === null || Array.isArray(conf)) continue;
    for (const [key, value] of Object.entries(conf as Record<string, unknown>)) {
      const version = versionText(value);
      if (version === undefined) continue;
      if (flavor === "python_function" && key === "python_version") out.push({ name: "python", version, source });
      else if (Object.hasOwn(FLAVOR_VERSION_KEYS, key))
        out.push({ name: FLAVOR_VERSION_KEYS[key] as string, version, source });
    }
  }
  return out;
}

function shaped<T extends z.ZodType>(schema: T, doc: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(doc);
  if (!parsed.success) throw new Error(`not ${what}`);
  return parsed.data;
}

function fileCandidates(kind: ModelFileKind, text: string, source: string): Candidate[] {
  if (kind === "requirements") return pins(text.split(/\r?\n/), source);
  const doc = parseModelYaml(text);
  if (kind === "python_env") {
    const env = shaped(PythonEnv, doc, "a python_env.yaml (python, dependencies)");
    // A number is YAML's reading of an unquoted version (3.10 -> 3.1): the text says what was written.
    const raw = typeof env.python === "number" ? /^python:\s*([0-9][0-9.]*)\s*$/m.exec(text)?.[1] : env.python;
    const python = versionText(raw);
    return [...(python ? [{ name: "python", version: python, source }] : []), ...pins(env.dependencies ?? [], source)];
  }
  if (kind === "conda") {
    const out: Candidate[] = [];
    for (const dep of shaped(CondaEnv, doc, "a conda environment (dependencies)").dependencies ?? []) {
      if (typeof dep !== "string") out.push(...pins(dep.pip, source));
      else {
        // conda's `python=3.9.18` (one = is conda's pin); other conda packages are named as conda names them, not PyPI.
        const m = /^python\s*==?\s*([0-9][0-9.]*)$/.exec(dep.trim());
        if (m?.[1] !== undefined) out.push({ name: "python", version: m[1], source });
      }
    }
    return out;
  }
  const model = shaped(MlModel, doc, "an MLmodel (flavors, mlflow_version)");
  const mlflow = versionText(model.mlflow_version);
  return [...flavorCandidates(model.flavors, source), ...(mlflow ? [{ name: "mlflow", version: mlflow, source }] : [])];
}

/**
 * The versions the original recorded, from its model files (artifact path -> text,
 * as the audit read them) and MLflow 2's `mlflow.log-model.history` tag value. The
 * first source that records a fact gives it (models by path; within one, python_env,
 * requirements, conda, MLmodel; the tag last); a later source that says otherwise is
 * a note. Undefined when nothing recorded a version.
 */
export function recordedVersions(
  modelFiles: Readonly<Record<string, string>>,
  logModelHistory?: { tag: string; value: string },
): RecordedVersions | undefined {
  const notes: string[] = [];
  const candidates: Candidate[] = [];
  const files = Object.keys(modelFiles)
    .flatMap((path) => {
      const kind = modelFileKind(path);
      return kind === undefined ? [] : [{ path, kind, dir: path.slice(0, path.lastIndexOf("/") + 1) }];
    })
    .sort((a, b) =>
      a.dir !== b.dir ? (a.dir < b.dir ? -1 : 1) : KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind),
    );
  for (const f of files) {
    try {
      candidates.push(...fileCandidates(f.kind, modelFiles[f.path] ?? "", `logged model ${f.path}`));
    } catch (err) {
      notes.push(`logged model ${f.path} not read for versions: ${(err as Error).message.split("\n")[0]}`);
    }
  }
  if (logModelHistory !== undefined) candidates.push(...historyCandidates(logModelHistory, notes));

  const first = new Map<string, Candidate>();
  for (const c of candidates) {
    const had = first.get(c.name);
    if (had === undefined) {
      if (c.name !== "python" && first.size >= MAX_LIBRARIES) continue;
      first.set(c.name, c);
    } else if (had.version !== c.version) {
      notes.push(`${c.name}: ${c.source} records ${c.version}, ${had.source} ${had.version}; compared with the first`);
    }
  }
  const python = first.get("python");
  first.delete("python");
  if (python === undefined && first.size === 0) return notes.length > 0 ? { libraries: [], notes } : undefined;
  return {
    ...(python ? { python: { version: python.version, source: python.source } } : {}),
    libraries: [...first.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    notes: [...new Set(notes)],
  };
}

function historyCandidates(tag: { tag: string; value: string }, notes: string[]): Candidate[] {
  const source = `tag ${tag.tag}`;
  if (tag.value.length > MAX_TAG_CHARS) {
    notes.push(`${source} not read for versions: over ${MAX_TAG_CHARS} characters`);
    return [];
  }
  let json: unknown;
  try {
    json = JSON.parse(tag.value);
  } catch {
    notes.push(`${source} not read for versions: not JSON`);
    return [];
  }
  const parsed = LogModelHistory.safeParse(json);
  if (!parsed.success) {
    notes.push(`${source} not read for versions: not a list of logged models`);
    return [];
  }
  return parsed.data.flatMap((model) => flavorCandidates(model.flavors, source));
}
