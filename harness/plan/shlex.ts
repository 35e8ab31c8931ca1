// Python's shlex.quote, reproduced exactly: MLflow Projects quote every parameter
// value with it (mlflow.utils.string_utils.quote on POSIX), and a replay must build
// byte-for-byte the command MLflow would have built. The npm shell-quote package
// quotes differently (backslashes, double quotes), which would change the command.

// Python: re.compile(r'[^\w@%+=:,./-]', re.ASCII).search
const UNSAFE = /[^A-Za-z0-9_@%+=:,./-]/;

/** shlex.quote(s): a shell word that the shell turns back into exactly s. */
export function shlexQuote(s: string): string {
  if (s === "") return "''";
  if (!UNSAFE.test(s)) return s;
  return `'${s.replaceAll("'", `'"'"'`)}'`;
}

/**
 * The inverse of shlexQuote on its own outputs: returns the original string when
 * `quoted` is exactly what shlexQuote produces for some string, else undefined.
 * Used to recognise values that `mlflow run` logged after quoting them.
 */
export function shlexUnquoteExact(quoted: string): string | undefined {
  if (quoted === "''") return "";
  if (!quoted.startsWith("'")) return shlexQuote(quoted) === quoted ? quoted : undefined;
  // Quoted form: '<chunk>' joined by "'" ; chunks contain no single quote.
  const m = /^'([^']*)'((?:"'"'[^']*')*)$/.exec(quoted);
  if (!m) return undefined;
  const rest = m[2] ?? "";
  const candidate = (m[1] ?? "") + rest.replace(/"'"'([^']*)'/g, "'$1");
  return shlexQuote(candidate) === quoted ? candidate : undefined;
}
