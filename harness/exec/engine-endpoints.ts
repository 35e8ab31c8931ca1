import { z } from "zod";
import { BadInputError, firstIssueMessage } from "../errors.js";

// PURE: the Docker engines an audit may spread its replays over, as the user names
// them (`--engine URL`, repeatable, DOCKER_HOST style), checked at the boundary; the
// name each goes by in progress, journal and report (its credentials left out); and
// which errors mean the engine itself is gone rather than the workload failing.

/** The socket dockerode (and the docker CLI) use when DOCKER_HOST is not set. */
export const DEFAULT_ENGINE_SOCKET = "unix:///var/run/docker.sock";

/** `--engine default`: the engine a command uses without --engine (DOCKER_HOST, else the default socket). */
export const DEFAULT_ENGINE_WORD = "default";

const SCHEMES = ["unix:", "tcp:", "ssh:"] as const;

const HOW =
  "give it DOCKER_HOST style: unix:///path/docker.sock, tcp://host:2376 (TLS from DOCKER_CERT_PATH / DOCKER_TLS_VERIFY), " +
  `ssh://user@host, or "${DEFAULT_ENGINE_WORD}" for DOCKER_HOST or the default socket`;

/** One engine URL: a scheme dockerode speaks, and what that scheme needs (a socket path, a host). */
export const EngineUrlSchema = z.string().superRefine((raw, ctx) => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    ctx.addIssue({ code: "custom", message: "is not a URL" });
    return;
  }
  if (!(SCHEMES as readonly string[]).includes(url.protocol)) {
    ctx.addIssue({ code: "custom", message: `scheme ${url.protocol.replace(/:$/, "")} is not unix, tcp or ssh` });
    return;
  }
  // Shown in progress, journal and report: nothing there may carry a secret, and a password would not be used.
  if (url.search !== "" || url.hash !== "")
    ctx.addIssue({ code: "custom", message: "has a query or fragment; an engine URL has none" });
  if (url.password !== "")
    ctx.addIssue({ code: "custom", message: "has a password; use an ssh key (ssh-agent) for ssh engines" });
  if (url.protocol === "unix:") {
    if (url.host !== "" || !url.pathname.startsWith("/"))
      ctx.addIssue({ code: "custom", message: "a unix socket needs an absolute path: unix:///path/docker.sock" });
    return;
  }
  if (url.hostname === "") ctx.addIssue({ code: "custom", message: "names no host" });
  if (url.protocol === "tcp:" && url.port === "")
    ctx.addIssue({ code: "custom", message: "names no port (2375 plain, 2376 TLS)" });
  if (url.pathname !== "" && url.pathname !== "/")
    ctx.addIssue({ code: "custom", message: "has a path; an engine URL is scheme://host:port" });
});

/** An engine as the harness holds it: the URL it connects to, and the name it shows. */
export interface EngineEndpoint {
  url: string;
  /** the URL without a password: what progress, journal and report say */
  name: string;
}

/**
 * What a replay on a tcp:// or ssh:// engine needs that the harness cannot check:
 * replays bind-mount the harness's own folders (each replay's copy of the code, its
 * output and sandbox folders), and an engine mounts paths of its own host. Undefined
 * for a unix socket (an engine on this machine).
 */
export function remoteEngineNote(engine: EngineEndpoint): string | undefined {
  if (engine.url.startsWith("unix://")) return undefined;
  return (
    `engine ${engine.name} is not on this machine: replays bind-mount the harness's folders (results and code), ` +
    "so its host must see them at the same paths (one shared file system); where it does not, its replays fail to start"
  );
}

/** The URL as it may be shown: a password (ssh://user:secret@host) never is. */
export function engineName(url: string): string {
  try {
    const u = new URL(url);
    if (u.password === "") return url;
    u.password = "";
    return u.toString().replace(/\/$/, "");
  } catch {
    return url;
  }
}

/** The engine a command uses when none is named: DOCKER_HOST, else the default socket (dockerode's own precedence). */
export function defaultEngineUrl(env: Record<string, string | undefined> = process.env): string {
  const host = env["DOCKER_HOST"];
  return host !== undefined && host !== "" ? host : DEFAULT_ENGINE_SOCKET;
}

/**
 * The engines named by `--engine` (in order; "default" is DOCKER_HOST or the default
 * socket), each checked; none named: the default engine alone, as before there were
 * several. One BadInputError names the value, what is wrong and how to fix it.
 */
export function parseEngineList(
  values: readonly string[],
  env: Record<string, string | undefined> = process.env,
): EngineEndpoint[] {
  const urls = values.length === 0 ? [DEFAULT_ENGINE_WORD] : values;
  const out: EngineEndpoint[] = [];
  for (const given of urls) {
    const url = given.trim() === DEFAULT_ENGINE_WORD ? defaultEngineUrl(env) : given.trim();
    const checked = EngineUrlSchema.safeParse(url);
    if (!checked.success) {
      const from = url === given.trim() ? "" : ` (from DOCKER_HOST, for "${DEFAULT_ENGINE_WORD}")`;
      throw new BadInputError(`--engine ${JSON.stringify(url)}${from} ${firstIssueMessage(checked.error)}: ${HOW}`);
    }
    const name = engineName(url);
    if (out.some((e) => e.name === name))
      throw new BadInputError(`--engine ${JSON.stringify(name)} is named twice: give each engine once`);
    out.push({ url, name });
  }
  return out;
}

/** Error codes that say the engine is not there any more (its socket gone, nothing listening, the connection cut). */
const ENGINE_GONE_CODES = new Set(["ECONNREFUSED", "ENOENT", "ECONNRESET", "EPIPE", "EHOSTUNREACH", "ENETUNREACH"]);

/**
 * Whether an executor's failure means its engine is gone (infrastructure), as opposed
 * to the engine answering with an error. Only a connection-level failure counts: an
 * HTTP answer (a 4xx/5xx with a status code) means the engine is there.
 */
export function engineGone(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const e = err as { code?: unknown; statusCode?: unknown; message?: unknown };
  if (typeof e.statusCode === "number") return false;
  if (typeof e.code === "string" && ENGINE_GONE_CODES.has(e.code)) return true;
  return typeof e.message === "string" && /socket hang up|connect ECONNREFUSED|connect ENOENT/.test(e.message);
}
