/**
 * Secret redaction for fingerprints. The same rules run inside the container
 * (harness/capture/repro_audit_capture/probe.py) so secrets never leave it; this copy re-checks
 * whatever comes back, and cleans repository URLs. Keep both in step: a unit test
 * feeds the same names to both and compares.
 */

import type { ContainerFingerprint } from "./schema.js";

export const REDACTED = "<redacted>";

/** Substrings that make an environment variable NAME secret-looking (case-insensitive). */
export const SECRET_NAME_SUBSTRINGS: readonly string[] = [
  "TOKEN",
  "SECRET",
  "PASSWORD",
  "PASSWD",
  "PASSPHRASE",
  "KEY",
  "CREDENTIAL",
  "AUTH",
  "COOKIE",
  "SESSION",
  "PRIVATE",
  "SIGNATURE",
  "SALT",
  "DSN",
  "CONNECTION_STRING",
  "CONNSTR",
  "CERT",
];

/** Short markers that only count as a whole word, so PATH keeps its value but GH_PAT does not. */
export const SECRET_NAME_WORDS: readonly string[] = ["PAT", "PASS", "PW", "JWT", "OTP", "PIN"];

/** Working directories, not passwords. */
export const NOT_SECRET_NAMES: readonly string[] = ["PWD", "OLDPWD"];

export function isSecretName(name: string): boolean {
  const upper = name.toUpperCase();
  if (NOT_SECRET_NAMES.includes(upper)) return false;
  if (SECRET_NAME_SUBSTRINGS.some((marker) => upper.includes(marker))) return true;
  const words = upper.split(/[^A-Z0-9]+/).filter((w) => w.length > 0);
  return SECRET_NAME_WORDS.some((marker) => words.includes(marker));
}

const URL_USERINFO = /([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#@\s]*)@/g;
const QUERY_PARAM = /([?&;])([^=&;#\s]+)=([^&;#\s]*)/g;

/**
 * Drop `user:password@` from every URL inside `value`, and redact query parameters
 * with secret-looking names (`?private_token=...`). An ssh login name without a
 * password is kept: it names an account, not a secret.
 */
export function stripUrlCredentials(value: string): string {
  const withoutUserinfo = value.replace(URL_USERINFO, (whole, scheme: string, userinfo: string) => {
    const lower = scheme.toLowerCase();
    const isSsh = lower.startsWith("ssh:") || lower.startsWith("git+ssh:") || lower.startsWith("ssh+git:");
    if (isSsh && !userinfo.includes(":")) return whole;
    return scheme;
  });
  if (!withoutUserinfo.includes("://")) return withoutUserinfo;
  return withoutUserinfo.replace(QUERY_PARAM, (whole, sep: string, name: string) =>
    isSecretName(name) ? `${sep}${name}=${REDACTED}` : whole,
  );
}

export function redactEnvValue(name: string, value: string): string {
  return isSecretName(name) ? REDACTED : stripUrlCredentials(value);
}

/** Redacted copy of an environment, keys sorted for stable output. */
export function redactEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(env).sort()) {
    const value = env[name];
    if (value === undefined) continue;
    out[name] = redactEnvValue(name, value);
  }
  return out;
}

/**
 * Output text with every occurrence of the given secret values replaced, and URL
 * credentials stripped: a replay's stderr may print the token it was handed.
 * Values shorter than 4 characters are left alone (they would mangle ordinary text).
 */
export function redactText(text: string, secretValues: readonly string[]): string {
  let out = text;
  for (const v of [...new Set(secretValues)].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length)) {
    out = out.split(v).join(REDACTED);
  }
  return stripUrlCredentials(out);
}

/**
 * A copy of a JSON-like value with stripUrlCredentials applied to every string and
 * every object key, at any depth. For whole documents built from server data (trace
 * documents, reports): a git remote, a dataset source or a message quoting one can
 * sit in any field, and one pass over the result misses none. Numbers (NaN
 * included), booleans and null are kept as they are.
 */
export function stripUrlCredentialsDeep<T>(value: T): T {
  return deepStrip(value) as T;
}

function deepStrip(value: unknown): unknown {
  if (typeof value === "string") return value.includes("://") ? stripUrlCredentials(value) : value;
  if (Array.isArray(value)) return value.map(deepStrip);
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[deepStrip(k) as string] = deepStrip(v);
    return out;
  }
  return value;
}

/** Redaction re-applied to a probe's output: an old or tampered probe (or capture record) cannot push a secret into a report. */
export function enforceRedaction(fp: ContainerFingerprint): ContainerFingerprint {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(fp.env)) {
    env[name] = value === REDACTED ? REDACTED : redactEnvValue(name, value);
  }
  const threadEnv: Record<string, string | null> = {};
  for (const [name, value] of Object.entries(fp.threadEnv)) {
    threadEnv[name] = value === null ? null : redactEnvValue(name, value);
  }
  const pythonHashSeed = fp.pythonHashSeed === null ? null : redactEnvValue("PYTHONHASHSEED", fp.pythonHashSeed);
  const envNames = [...new Set([...fp.envNames, ...Object.keys(env)])].sort();
  return { ...fp, env, threadEnv, pythonHashSeed, envNames };
}
