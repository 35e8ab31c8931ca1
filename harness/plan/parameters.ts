import { z } from "zod";
import { formatTemplate, TemplateError, templateFields } from "./python-format.js";
import { pythonStr } from "./python-str.js";
import { shlexQuote } from "./shlex.js";
import { BadInputError } from "../errors.js";

// Parameter binding with MLflow Projects semantics (mlflow/projects/_project_spec.py,
// EntryPoint.compute_command, MLflow 3.17): every declared parameter takes the given
// value or its default; one with neither is an error; values are shell-quoted with
// shlex.quote and put into the command with str.format; given parameters that the
// entry point does not declare are appended as `--key value`, key and value quoted.
// Pure: `path` values are bound as given (a replay never resolves the original
// machine's paths), which is what MLflow logs too (storage_dir=None).

/** A declared parameter after normalisation: default is the text Python's str() gives. */
export interface ParameterSpec {
  type: string;
  default?: string;
}

/**
 * A parameter as MLproject (and scenario) files write it: the short form `alpha: float`
 * (no default: required) or `{type, default}`; type defaults to string, and a null
 * default means required, as in MLflow's Parameter class.
 */
export const ParameterSpecInputSchema = z
  .union([z.string(), z.object({ type: z.string().default("string"), default: z.unknown().optional() })])
  .transform((raw): ParameterSpec => {
    if (typeof raw === "string") return { type: raw };
    if (raw.default === undefined || raw.default === null) return { type: raw.type };
    return { type: raw.type, default: pythonStr(raw.default, typeof raw.default === "number") };
  });

export const ParametersInputSchema = z.record(z.string(), ParameterSpecInputSchema).default({});

export interface BindInput {
  command: string;
  parameters: Readonly<Record<string, ParameterSpec>>;
  /** values as logged / given: strings, never re-typed */
  given: Readonly<Record<string, string>>;
  /** MLflow appends undeclared given values; a replay may choose to leave them out */
  extraParams: "append" | "ignore";
}

export interface BoundCommand {
  command: string;
  /** the value each declared parameter was bound to (unquoted) */
  params: Record<string, string>;
  /** which declared parameters fell back to their default */
  defaulted: string[];
  /** undeclared values appended as --key value */
  appended: Record<string, string>;
  /** undeclared values left out (extraParams: "ignore") */
  ignored: string[];
}

export class BindingError extends BadInputError {
  constructor(readonly problems: string[]) {
    super(
      problems.length === 1 ? (problems[0] as string) : `${problems.length} problems:\n  - ${problems.join("\n  - ")}`,
    );
    this.name = "BindingError";
  }
}

// Python float(): optional sign, digits with single underscores, optional fraction
// and exponent, or inf/infinity/nan in any case; surrounding whitespace allowed.
const DIGITS = String.raw`\d(?:_?\d)*`;
const PY_FLOAT = new RegExp(
  String.raw`^[+-]?(?:(?:${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:[eE][+-]?${DIGITS})?|inf|infinity|nan)$`,
  "i",
);
const PY_INT = new RegExp(`^[+-]?${DIGITS}$`);

/** urllib.parse.urlparse(s).scheme != "" (MLflow's data_utils.is_uri). */
export function hasUriScheme(s: string): boolean {
  const i = s.indexOf(":");
  if (i <= 0) return false;
  return /^[A-Za-z][A-Za-z0-9+.-]*$/.test(s.slice(0, i));
}

/** Why `value` does not fit `type`, or undefined when it does. */
export function checkValue(name: string, type: string, value: string): string | undefined {
  switch (type) {
    case "float":
      return PY_FLOAT.test(value.trim())
        ? undefined
        : `parameter "${name}" is declared float, but "${value}" is not a number`;
    case "int":
    case "integer":
      // Not an MLflow type (MLflow passes unknown types through): checked because
      // projects declare it and a non-integer would fail in the script anyway.
      return PY_INT.test(value.trim())
        ? undefined
        : `parameter "${name}" is declared ${type}, but "${value}" is not an integer`;
    case "uri":
      return hasUriScheme(value) ? undefined : `Expected URI for parameter ${name} but got ${value}`;
    default:
      return undefined;
  }
}

/** EntryPoint.compute_command(given, storage_dir=None), plus the record of what was bound. */
export function bindCommand(input: BindInput): BoundCommand {
  const problems: string[] = [];
  const declared = Object.keys(input.parameters);

  const missing = declared.filter((n) => !Object.hasOwn(input.given, n) && input.parameters[n]?.default === undefined);
  if (missing.length > 0) {
    throw new BindingError([
      `No value given for missing parameters: ${missing.map((n) => `'${n}'`).join(", ")} ` +
        `(the run logged no such param and the entry point has no default)`,
    ]);
  }

  const params: Record<string, string> = {};
  const defaulted: string[] = [];
  for (const name of declared) {
    const spec = input.parameters[name] as ParameterSpec;
    const isGiven = Object.hasOwn(input.given, name);
    const value = isGiven ? (input.given[name] as string) : (spec.default as string);
    if (!isGiven) defaulted.push(name);
    const problem = checkValue(name, spec.type, value);
    if (problem) problems.push(problem);
    params[name] = value;
  }

  const appended: Record<string, string> = {};
  const ignored: string[] = [];
  for (const [key, value] of Object.entries(input.given)) {
    if (Object.hasOwn(input.parameters, key)) continue;
    if (input.extraParams === "append") appended[key] = value;
    else ignored.push(key);
  }

  try {
    for (const field of templateFields(input.command)) {
      if (!Object.hasOwn(params, field)) {
        problems.push(`the command refers to {${field}}, which is not a declared parameter`);
      }
    }
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    problems.push(err.message);
  }
  if (problems.length > 0) throw new BindingError(problems);

  const quoted = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, shlexQuote(v)]));
  let command: string;
  try {
    command = formatTemplate(input.command, quoted);
  } catch (err) {
    if (err instanceof TemplateError) throw new BindingError([err.message]);
    throw err;
  }
  const parts = [command, ...Object.entries(appended).map(([k, v]) => `--${shlexQuote(k)} ${shlexQuote(v)}`)];
  return { command: parts.join(" "), params, defaulted, appended, ignored };
}
