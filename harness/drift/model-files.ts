/**
 * The files an MLflow model carries beside its weights (MLmodel, requirements.txt,
 * conda.yaml, python_env.yaml), compared by what they say rather than byte for
 * byte: MLmodel holds the run id, a fresh uuid and the creation time, so its bytes
 * differ in every replay even when the model is the same. The model file itself
 * (model.pkl, ...) stays compared by hash. Pure: texts in, comparison out.
 *
 * These texts come from the audited code's runs, so they are hostile input: bounded
 * in size, depth and leaves, YAML read with the core schema and no custom tags,
 * shapes checked with zod; whatever cannot be read is "could not compare: why",
 * never a crash.
 */
import { parseDocument } from "yaml";
import { z } from "zod";

import { stripUrlCredentials } from "../fingerprint/redact.js";
import { replayLabel } from "./format.js";
import type { ModelFileComparison, ModelFileKind } from "./schema.js";

/** Larger texts are not parsed (a real MLmodel is a few KiB). */
export const MAX_MODEL_FILE_BYTES = 256 * 1024;
const MAX_DEPTH = 16;
const MAX_FIELDS = 2000;
/** Differences listed per file; the rest are counted. */
const MAX_LISTED = 20;

/**
 * MLmodel fields that change with every logging of the same model (MLflow 3.x,
 * mlflow/models/model.py): identities, the time, where it was stored, and the
 * serialized size (the model file is compared by hash). mlflow_version is left
 * out here because requirements.txt and conda.yaml pin it and are compared.
 */
export const MLMODEL_VOLATILE_FIELDS: readonly string[] = [
  "artifact_path",
  "databricks_runtime",
  "mlflow_version",
  "model_id",
  "model_size_bytes",
  "model_uuid",
  "run_id",
  "utc_time_created",
];

const FILE_KINDS: Readonly<Record<string, ModelFileKind>> = {
  MLmodel: "MLmodel",
  "requirements.txt": "requirements",
  "conda.yaml": "conda",
  "python_env.yaml": "python_env",
};

/** Which kind of model file a path is, by its file name; undefined for every other file. */
export function modelFileKind(path: string): ModelFileKind | undefined {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return Object.hasOwn(FILE_KINDS, name) ? FILE_KINDS[name] : undefined;
}

/** What a file says, as field -> canonical value; or why it could not be read. */
type FileView = { ok: true; fields: Map<string, string> } | { ok: false; why: string };

class Unreadable extends Error {}

const YamlMapping = z.record(z.string(), z.unknown());

/**
 * A model file's YAML as a mapping, read as hostile input (core schema, no custom
 * tags, unique keys, aliases bounded); throws with why it is not one.
 */
export function parseModelYaml(text: string): Record<string, unknown> {
  // The core schema knows no language-specific tags (!!python/object, ...); any tag
  // it cannot resolve is a warning, and a warning here is a refusal.
  const doc = parseDocument(text, { schema: "core", customTags: [], uniqueKeys: true, prettyErrors: false });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem !== undefined) throw new Unreadable(`not valid YAML (${problem.message.split("\n")[0]})`);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new Unreadable(`not valid YAML (${(err as Error).message.split("\n")[0]})`);
  }
  const parsed = YamlMapping.safeParse(value);
  if (!parsed.success) throw new Unreadable("not a YAML mapping");
  return parsed.data;
}

function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value, 0));
}

function sortKeys(value: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new Unreadable(`nested deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(value)) return value.map((v) => sortKeys(v, depth + 1));
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort())
      out[key] = sortKeys((value as Record<string, unknown>)[key], depth + 1);
    return out;
  }
  return value;
}

/** Mappings flattened to dotted fields; lists and scalars are one value each. */
function flatten(value: unknown, path: string, out: Map<string, string>, depth: number): void {
  if (depth > MAX_DEPTH) throw new Unreadable(`nested deeper than ${MAX_DEPTH} levels`);
  if (out.size > MAX_FIELDS) throw new Unreadable(`more than ${MAX_FIELDS} fields`);
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    for (const key of Object.keys(value).sort())
      flatten((value as Record<string, unknown>)[key], path === "" ? key : `${path}.${key}`, out, depth + 1);
    return;
  }
  out.set(path, canonical(value));
}

/** A JSON-encoded string field (MLmodel's signature) compared by its meaning, not its spacing. */
function decodedJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function mlmodelFields(text: string): Map<string, string> {
  const doc = parseModelYaml(text);
  const fields = new Map<string, string>();
  for (const key of Object.keys(doc).sort()) {
    if (MLMODEL_VOLATILE_FIELDS.includes(key)) continue;
    const value = doc[key];
    if (key === "signature" && typeof value === "object" && value !== null && !Array.isArray(value)) {
      const sig = value as Record<string, unknown>;
      for (const part of Object.keys(sig).sort()) fields.set(`signature.${part}`, canonical(decodedJson(sig[part])));
      continue;
    }
    flatten(value, key, fields, 0);
  }
  return fields;
}

/** A project name as PEP 503 compares it: lower-cased, each run of -_. one -. */
export function pep503Name(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[-_.]+/g, "-");
}

/**
 * A requirement line normalized: comments and spacing dropped, the project name
 * lower-cased with runs of -_. as one - (PEP 503), so "Scikit_Learn == 1.9" and
 * "scikit-learn==1.9" are one requirement.
 */
export function normalizeRequirement(line: string): string | undefined {
  const text = line.replace(/(^|\s)#.*$/, "").trim();
  if (text === "") return undefined;
  if (text.startsWith("-")) return text.replace(/\s+/g, " ");
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)(.*)$/.exec(text);
  if (m === null) return text.replace(/\s+/g, "");
  const name = pep503Name(m[1] ?? "");
  return `${name}${(m[2] ?? "").replace(/\s+/g, "")}`;
}

/** The name a requirement is keyed by, so a changed pin reads as one change, not a removal and an addition. */
function requirementKey(req: string): string {
  if (req.startsWith("-")) return req;
  const m = /^([a-z0-9-]+)(\[[^\]]*\])?/.exec(req);
  return m?.[1] ?? req;
}

function requirementSet(lines: readonly unknown[], prefix: string, fields: Map<string, string>): void {
  for (const line of lines) {
    if (typeof line !== "string") throw new Unreadable(`a requirement in ${prefix} is not a string`);
    const req = normalizeRequirement(line);
    if (req === undefined) continue;
    const key = `${prefix}${requirementKey(req)}`;
    // Two lines for one project (markers for two platforms) are one requirement with both.
    const had = fields.get(key)?.split(" ; ") ?? [];
    fields.set(key, [...new Set([...had, req])].sort().join(" ; "));
    if (fields.size > MAX_FIELDS) throw new Unreadable(`more than ${MAX_FIELDS} requirements`);
  }
}

function requirementsFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  requirementSet(text.split(/\r?\n/), "requirement ", fields);
  return fields;
}

const CondaEnv = z
  .object({
    name: z.unknown().optional(),
    channels: z.array(z.unknown()).optional(),
    dependencies: z.array(z.union([z.string(), z.object({ pip: z.array(z.unknown()) }).loose()])).optional(),
  })
  .loose();

function condaFields(text: string): Map<string, string> {
  const parsed = CondaEnv.safeParse(parseModelYaml(text));
  if (!parsed.success) throw new Unreadable("not a conda environment (name, channels, dependencies)");
  const { channels, dependencies, ...rest } = parsed.data;
  const fields = new Map<string, string>();
  flatten(rest, "", fields, 0);
  // Channel order is priority order: it stays a list.
  if (channels !== undefined) fields.set("channels", canonical(channels));
  const conda: string[] = [];
  const pip: unknown[] = [];
  for (const dep of dependencies ?? []) {
    if (typeof dep === "string") conda.push(dep);
    else pip.push(...dep.pip);
  }
  for (const dep of conda) {
    const spec = dep.replace(/\s+/g, "");
    const name = /^[^=<>!~ ]+/.exec(spec)?.[0] ?? spec;
    fields.set(`dependency ${name}`, spec);
  }
  requirementSet(pip, "pip ", fields);
  return fields;
}

const PythonEnv = z
  .object({
    python: z.union([z.string(), z.number()]).optional(),
    build_dependencies: z.array(z.unknown()).nullable().optional(),
    dependencies: z.array(z.unknown()).nullable().optional(),
  })
  .loose();

function pythonEnvFields(text: string): Map<string, string> {
  const parsed = PythonEnv.safeParse(parseModelYaml(text));
  if (!parsed.success) throw new Unreadable("not a python_env.yaml (python, build_dependencies, dependencies)");
  const { build_dependencies: build, dependencies, ...rest } = parsed.data;
  const fields = new Map<string, string>();
  flatten(rest, "", fields, 0);
  requirementSet(build ?? [], "build ", fields);
  requirementSet(dependencies ?? [], "requirement ", fields);
  return fields;
}

const READERS: Readonly<Record<ModelFileKind, (text: string) => Map<string, string>>> = {
  MLmodel: mlmodelFields,
  requirements: requirementsFields,
  conda: condaFields,
  python_env: pythonEnvFields,
};

function readFile(kind: ModelFileKind, text: string): FileView {
  if (text.length > MAX_MODEL_FILE_BYTES) return { ok: false, why: `over ${MAX_MODEL_FILE_BYTES} bytes` };
  try {
    return { ok: true, fields: READERS[kind](text) };
  } catch (err) {
    if (err instanceof Unreadable || err instanceof RangeError) return { ok: false, why: err.message };
    throw err;
  }
}

function show(value: string | undefined): string {
  if (value === undefined) return "absent";
  return value.length > 120 ? `${value.slice(0, 120)}…` : value;
}

function fieldDifferences(a: Map<string, string>, b: Map<string, string>): string[] {
  const out: string[] = [];
  for (const key of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const x = a.get(key);
    const y = b.get(key);
    // Index URLs in requirement lines (keys and values) may carry a token; reports must not.
    if (x !== y) out.push(stripUrlCredentials(`${key}: ${show(x)} → ${show(y)}`));
  }
  return out;
}

/**
 * One model file of the original against the same path in each replay.
 * `replays[i]` is the replay's text, null where it lacks the file or did not
 * finish (that is the hash comparison's finding, not this one's), undefined where
 * its text was not read (too large, not UTF-8). Same = every replay with the file
 * says what the original says, volatile fields aside.
 */
export function compareModelFile(
  kind: ModelFileKind,
  original: string | undefined,
  replays: ReadonlyArray<string | null | undefined>,
): ModelFileComparison {
  const ignored = kind === "MLmodel" ? [...MLMODEL_VOLATILE_FIELDS] : [];
  const notCompared = (why: string): ModelFileComparison => ({
    kind,
    state: "not_compared",
    ignored,
    differences: [],
    why,
  });
  if (original === undefined) return notCompared("the original's file was not read (too large or not UTF-8)");
  const base = readFile(kind, original);
  if (!base.ok) return notCompared(`the original's file is ${base.why}`);
  const differences: string[] = [];
  const unread: string[] = [];
  replays.forEach((text, i) => {
    if (text === null) return;
    if (text === undefined) {
      unread.push(`${replayLabel(i)}'s file was not read (too large or not UTF-8)`);
      return;
    }
    const view = readFile(kind, text);
    if (!view.ok) unread.push(`${replayLabel(i)}'s file is ${view.why}`);
    else differences.push(...fieldDifferences(base.fields, view.fields).map((d) => `${replayLabel(i)}: ${d}`));
  });
  if (unread.length > 0) return { ...notCompared(unread.join("; ")), differences: listed(differences) };
  return { kind, state: differences.length === 0 ? "same" : "differs", ignored, differences: listed(differences) };
}

function listed(differences: string[]): string[] {
  if (differences.length <= MAX_LISTED) return differences;
  return [...differences.slice(0, MAX_LISTED), `… and ${differences.length - MAX_LISTED} more`];
}
