/** How an artifact comparison reads in the Markdown and HTML reports. */
import type { ArtifactComparison, ModelFileComparison } from "../drift/schema.js";

/** The result cell: by hash, or for a model's MLmodel and environment files by meaning. */
export function artifactResultText(a: ArtifactComparison): string {
  if (a.semantic === undefined) return a.identical ? "identical" : "differs";
  if (a.identical) return "same content (compared by meaning)";
  if (a.semantic.state === "not_compared") return "differs (bytes; could not compare by meaning)";
  return "differs (by meaning)";
}

/** One line under the table: what the comparison by meaning found, left out or could not read. */
export function semanticNote(s: ModelFileComparison): string {
  const ignored = s.ignored.length > 0 ? ` Ignored, as they change with every logging: ${s.ignored.join(", ")}.` : "";
  if (s.state === "not_compared") return `could not compare: ${s.why ?? "unreadable"}.${ignored}`;
  if (s.state === "same") return `same content once volatile fields are left out.${ignored}`;
  return `${s.differences.join("; ")}.${ignored}`;
}
