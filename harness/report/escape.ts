// Escaping of untrusted text for every output language the reports use.
//
// Run names, params, metric names, tags, stderr and artifact paths all come from a
// tracking server or from code we replayed: none of it is trusted. Every renderer
// routes such strings through this module and nowhere else, so a single review of
// this file covers every injection path.

/**
 * Control characters (except tab, LF, CR) and bidi overrides are made visible as
 * `\xNN` / `\u{NNNN}`: XML 1.0 cannot carry C0 controls at all (not even as
 * character references), browsers render them inconsistently, and bidi overrides
 * can make a name read differently from what it is ("Trojan source").
 */
// eslint-disable-next-line no-control-regex
const INVISIBLE =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF\uFFFE\uFFFF]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function makeControlsVisible(text: string): string {
  return text
    .replace(INVISIBLE, (ch) => {
      const code = ch.charCodeAt(0);
      return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16).toUpperCase()}}`;
    })
    .replace(LONE_SURROGATE, "\uFFFD");
}

const HTML_ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};

/**
 * Escapes text for HTML element content AND for quoted attribute values (both
 * quote kinds are escaped, so the same function is safe in either place).
 * Also valid for XML/SVG content and attributes.
 */
export function escapeHtml(value: unknown): string {
  return makeControlsVisible(String(value)).replace(/[&<>"'`]/g, (ch) => HTML_ENTITIES[ch] ?? ch);
}

/** XML text and attribute values (JUnit): same rules as HTML; named for the call sites. */
export function escapeXml(value: unknown): string {
  // In attributes, raw newlines/tabs are normalised to spaces by XML parsers; keep them.
  return escapeHtml(value).replace(/\n/g, "&#10;").replace(/\r/g, "&#13;").replace(/\t/g, "&#9;");
}

/** XML element content where line breaks should stay literal (system-out, failure bodies). */
export function escapeXmlText(value: unknown): string {
  return escapeHtml(value);
}

// The characters that can start Markdown/GFM syntax able to change what a reader
// sees: emphasis and strikethrough (* _ ~), code (`), links and images ([ ] !),
// raw HTML and entities (< > &), table cells (|), headings (#), math ($), and the
// backslash itself. Backslash-escaping them (valid for any ASCII punctuation in
// CommonMark) leaves no way to form a link, an image, or HTML. Harmless punctuation
// (. , : - ( ) ...) stays as is so the raw .md stays readable.
const MD_SPECIAL = /[\\`*_{}[\]<>#!|~&$]/g;

/** Inline Markdown text (GFM): syntax characters escaped, line breaks flattened. */
export function escapeMarkdown(value: unknown): string {
  return makeControlsVisible(String(value))
    .replace(/\r\n|\r|\n/g, " ")
    .replace(MD_SPECIAL, (ch) => `\\${ch}`);
}

/**
 * An identifier from the server as an inline code span: nothing inside a code span
 * is interpreted (no HTML, no links, no autolinks). The fence is longer than any
 * backtick run inside. Not for GFM table cells: there `|` splits cells even inside
 * code and `\|` is ambiguous after a backslash, so cells use escapeMarkdown.
 */
export function markdownCode(value: unknown): string {
  const text = makeControlsVisible(String(value)).replace(/\r\n|\r|\n/g, " ");
  if (text === "") return "` `";
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") || text.startsWith(" ") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A fenced code block whose fence cannot be closed by the content. */
export function markdownFence(body: string, info = "text"): string {
  const text = makeControlsVisible(body).replace(/\r\n|\r/g, "\n");
  const longest = Math.max(0, ...Array.from(text.matchAll(/`{3,}/g), (m) => m[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${text.replace(/\n+$/, "")}\n${fence}`;
}
