import { BadInputError } from "../errors.js";
// MLflow substitutes parameters with Python's str.format(**params). Only plain
// named fields occur in MLproject commands; conversions and format specs
// ({x!r}, {x:>5}) and positional fields are refused with a clear message rather
// than imitated approximately.

export class TemplateError extends BadInputError {
  constructor(message: string) {
    super(message);
    this.name = "TemplateError";
  }
}

/** Field names a template refers to, in order of first use. */
export function templateFields(template: string): string[] {
  const seen: string[] = [];
  walk(template, (name) => {
    if (!seen.includes(name)) seen.push(name);
    return "";
  });
  return seen;
}

/** str.format(**values) for named fields; `{{` and `}}` are literal braces. */
export function formatTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return walk(template, (name) => {
    if (!Object.hasOwn(values, name)) throw new TemplateError(`the command refers to {${name}}, which has no value`);
    return values[name] as string;
  });
}

function walk(template: string, field: (name: string) => string): string {
  let out = "";
  let i = 0;
  while (i < template.length) {
    const c = template[i] as string;
    if (c === "{") {
      if (template[i + 1] === "{") {
        out += "{";
        i += 2;
        continue;
      }
      const end = template.indexOf("}", i);
      if (end < 0) throw new TemplateError(`unmatched "{" at character ${i + 1} of the command`);
      const name = template.slice(i + 1, end);
      // Python accepts any name without . [ ! : (e.g. {learning-rate}); digits are positional.
      if (name === "" || /[.[\]!:{]/.test(name) || /^\d+$/.test(name)) {
        throw new TemplateError(
          `unsupported field "{${name}}" in the command: only named fields like {alpha} are supported`,
        );
      }
      out += field(name);
      i = end + 1;
      continue;
    }
    if (c === "}") {
      if (template[i + 1] === "}") {
        out += "}";
        i += 2;
        continue;
      }
      throw new TemplateError(`single "}" at character ${i + 1} of the command (write "}}" for a literal brace)`);
    }
    out += c;
    i++;
  }
  return out;
}
