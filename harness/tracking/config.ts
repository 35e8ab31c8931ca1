import { MlflowConfigError } from "./errors.js";

// Reads the same environment variables as MLflow's own clients, so a user's existing
// set-up works unchanged. Only http(s) servers are supported: the harness reads runs
// over REST, never a database or a local mlruns folder directly.

export interface ClientOptions {
  baseUrl: string;
  token?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  insecureTls?: boolean | undefined;
  /** Further attempts after the first on connection errors, 429 and 5xx. */
  retries?: number | undefined;
  /** First backoff delay in ms (doubles per retry); small in tests. */
  retryBaseDelayMs?: number | undefined;
  /** Longest single backoff delay in ms. */
  retryMaxDelayMs?: number | undefined;
  /** Per-request timeout in ms. */
  timeoutMs?: number | undefined;
  fetchImpl?: typeof fetch | undefined;
}

type Env = Record<string, string | undefined>;

export function optionsFromEnv(env: Env = process.env): ClientOptions {
  const uri = env["MLFLOW_TRACKING_URI"]?.trim();
  if (!uri) {
    throw new MlflowConfigError(
      "MLFLOW_TRACKING_URI is not set. Point it at a tracking server (http://host:port), " +
        "or start the embedded one with `repro-audit server start`.",
    );
  }
  const baseUrl = validateTrackingUri(uri);
  const opts: ClientOptions = { baseUrl };
  const token = env["MLFLOW_TRACKING_TOKEN"];
  if (token) opts.token = token;
  const username = env["MLFLOW_TRACKING_USERNAME"];
  const password = env["MLFLOW_TRACKING_PASSWORD"];
  if (username !== undefined || password !== undefined) {
    if (username === undefined || password === undefined) {
      throw new MlflowConfigError(
        "Set both MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD for basic auth, or neither.",
      );
    }
    opts.username = username;
    opts.password = password;
  }
  if (parseBool(env["MLFLOW_TRACKING_INSECURE_TLS"], "MLFLOW_TRACKING_INSECURE_TLS")) opts.insecureTls = true;
  const retries = parseNonNegativeInt(env["MLFLOW_HTTP_REQUEST_MAX_RETRIES"], "MLFLOW_HTTP_REQUEST_MAX_RETRIES");
  if (retries !== undefined) opts.retries = retries;
  const timeout = parseNonNegativeInt(env["MLFLOW_HTTP_REQUEST_TIMEOUT"], "MLFLOW_HTTP_REQUEST_TIMEOUT");
  if (timeout !== undefined && timeout > 0) opts.timeoutMs = timeout * 1000;
  return opts;
}

/** Accepts http(s) URLs; explains what to do for every other kind of tracking URI. */
export function validateTrackingUri(uri: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase();
  if (scheme === "http" || scheme === "https") {
    let u: URL;
    try {
      u = new URL(uri);
    } catch {
      throw new MlflowConfigError(`MLFLOW_TRACKING_URI=${uri} is not a valid URL.`);
    }
    if (u.username || u.password) {
      throw new MlflowConfigError(
        "MLFLOW_TRACKING_URI must not contain credentials; use MLFLOW_TRACKING_USERNAME/PASSWORD or MLFLOW_TRACKING_TOKEN.",
      );
    }
    return uri.replace(/\/+$/, "");
  }
  const what =
    scheme === undefined || scheme === "file"
      ? "a local folder"
      : scheme === "sqlite" || scheme.startsWith("postgres") || scheme.startsWith("mysql") || scheme === "mssql"
        ? "a database"
        : `a "${scheme}" store`;
  throw new MlflowConfigError(
    `MLFLOW_TRACKING_URI=${uri} points at ${what}; repro-audit talks to a tracking server over HTTP. ` +
      `Start one on that store (mlflow server --backend-store-uri ${uri} --host 127.0.0.1 --port 5000) ` +
      `and set MLFLOW_TRACKING_URI=http://127.0.0.1:5000, or unset it to use the embedded server.`,
  );
}

function parseBool(v: string | undefined, name: string): boolean {
  if (v === undefined || v === "") return false;
  const s = v.trim().toLowerCase();
  if (s === "true" || s === "1") return true;
  if (s === "false" || s === "0") return false;
  throw new MlflowConfigError(`${name}=${v} is not a boolean (use true or false).`);
}

function parseNonNegativeInt(v: string | undefined, name: string): number | undefined {
  if (v === undefined || v.trim() === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new MlflowConfigError(`${name}=${v} is not a non-negative integer.`);
  return n;
}
