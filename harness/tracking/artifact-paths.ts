import path from "node:path";
import { UnsafePathError } from "./errors.js";

// Artifact paths come from the tracking server (listings, artifact URIs) and from users.
// A hostile server could answer a listing with "../../.ssh/authorized_keys"; downloading
// that naively would write outside the target folder. Every such path is checked here
// before it is used in a URL or on disk.

/**
 * Check a relative artifact path ("model/MLmodel") and return it normalised (no empty
 * or "." segments). "" means the root. Rejects "..", absolute paths, backslashes, NUL
 * and other control characters, and Windows drive letters.
 */
export function safeArtifactPath(p: string): string {
  if (typeof p !== "string") throw new UnsafePathError(String(p), "not a string");
  if (/[\u0000-\u001f\u007f]/.test(p)) throw new UnsafePathError(p, "contains a control character (NUL, newline, ...)");
  if (p.includes("\\")) throw new UnsafePathError(p, "contains a backslash");
  if (p.startsWith("/")) throw new UnsafePathError(p, "is absolute");
  if (/^[A-Za-z]:/.test(p)) throw new UnsafePathError(p, "starts with a drive letter");
  const segments = p.split("/").filter((s) => s !== "" && s !== ".");
  for (const s of segments) {
    if (s === "..") throw new UnsafePathError(p, "contains a '..' segment");
    // Percent-encoded traversal would be decoded again by some servers.
    if (/%2e%2e|%2f|%5c|%00/i.test(s)) throw new UnsafePathError(p, "contains a percent-encoded separator or dot-dot");
  }
  return segments.join("/");
}

/** Join checked segments ("1/abc/artifacts" + "model/MLmodel"); either may be "". */
export function joinArtifactPath(...parts: string[]): string {
  return parts
    .map((part) => safeArtifactPath(part))
    .filter((s) => s !== "")
    .join("/");
}

/** URL-encode each segment of an already checked path for use in a request path. */
export function encodeArtifactPath(p: string): string {
  return safeArtifactPath(p)
    .split("/")
    .filter((s) => s !== "")
    .map(encodeURIComponent)
    .join("/");
}

/**
 * Where `rel` lands under `dir` on disk, refusing anything that would resolve outside
 * it (belt and braces after safeArtifactPath: also catches symlinked `dir` tricks in
 * the join, and keeps the rule in one place for callers that build local paths).
 */
export function resolveInside(dir: string, rel: string): string {
  const clean = safeArtifactPath(rel);
  const root = path.resolve(dir);
  const target = path.resolve(root, ...clean.split("/").filter((s) => s !== ""));
  const relative = path.relative(root, target);
  if (relative.startsWith("..") || path.isAbsolute(relative)) {
    throw new UnsafePathError(rel, `would resolve outside ${root}`);
  }
  return target;
}

/** The last segment of a checked path: the file name an artifact gets locally. */
export function baseName(p: string): string {
  const clean = safeArtifactPath(p);
  const i = clean.lastIndexOf("/");
  return i === -1 ? clean : clean.slice(i + 1);
}
