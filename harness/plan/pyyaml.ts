import { parseDocument, visit } from "yaml";
import { FileFormatError } from "./zod-message.js";

// MLproject files are read by MLflow with PyYAML (YAML 1.1). The yaml package's 1.1
// mode agrees with PyYAML except that PyYAML only reads a scalar as a float when it
// has a dot (`1e-3` stays the string "1e-3"), and y/n are strings, not booleans. Ints come back as bigint so that
// callers can tell 1 from 1.0, which Python prints differently.

export class YamlSyntaxError extends FileFormatError {
  override name = "YamlSyntaxError";
}

/** Parse YAML text the way yaml.safe_load would (scalars typed as PyYAML types them). */
export function parsePyYaml(text: string, label: string): unknown {
  const doc = parseDocument(text, { version: "1.1", intAsBigInt: true, keepSourceTokens: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    throw new YamlSyntaxError(`${label}: not valid YAML: ${first?.message ?? "parse error"}`);
  }
  visit(doc, {
    Scalar(_key, node) {
      const token = node.srcToken;
      const source = token && "source" in token ? token.source : undefined;
      if (typeof source !== "string") return;
      if (typeof node.value === "number" && Number.isFinite(node.value) && !source.includes(".")) node.value = source;
      // PyYAML's booleans are yes/no/on/off/true/false only; a bare y or n is a string.
      if (typeof node.value === "boolean" && /^[yYnN]$/.test(source)) node.value = source;
    },
  });
  return doc.toJS({ maxAliasCount: 100 });
}
