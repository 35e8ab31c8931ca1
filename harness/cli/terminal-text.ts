import { makeControlsVisible } from "../report/escape.js";

// Text from a tracking server (run names, tags, params, error messages that quote
// them) printed on a terminal. Raw, it could clear the screen (ESC[2J), plant a
// link (OSC 8), rewrite the line (CR), or flip the reading order (U+202E). The CLI
// prints such text only through these functions; they show each control the way
// the report files do (\x1b, \u{202E}), so a name reads the same everywhere.

const VISIBLE_IN_LINE: Record<string, string> = { "\t": "\\x09", "\n": "\\x0a", "\r": "\\x0d" };

/** One line (a table cell, a progress line): every control visible, line breaks and tabs too. */
export function terminalLine(value: unknown): string {
  return makeControlsVisible(String(value)).replace(/[\t\n\r]/g, (ch) => VISIBLE_IN_LINE[ch] ?? ch);
}

/** Several lines (a stderr tail, a message): controls visible, LF kept, CR shown. */
export function terminalText(value: unknown): string {
  return makeControlsVisible(String(value)).replace(/\r/g, "\\x0d");
}

// JSON.stringify escapes C0 controls but leaves DEL, C1 (U+009B is a one-byte CSI)
// and bidi controls raw.
const RAW_IN_JSON = /[\u007F-\u009F\u200B-\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF]/g;

/** JSON text for a terminal: the same JSON value, with those characters as \u escapes. */
export function terminalJson(json: string): string {
  return json.replace(RAW_IN_JSON, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
