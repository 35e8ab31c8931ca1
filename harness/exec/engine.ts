import { readFileSync } from "node:fs";
import { join } from "node:path";
import Docker from "dockerode";
import { ReproAuditError } from "../errors.js";
import { defaultEngineUrl, engineName } from "./engine-endpoints.js";
import type { EngineCapacity } from "./executors.js";

/** How to get an engine, appended to every "no engine" error so the user can act on it. */
export const GET_AN_ENGINE_HINT =
  "To get one: run `bash scripts/ensure-docker.sh` as root on Debian (installs docker.io and starts " +
  "dockerd without a bridge), or point DOCKER_HOST at a running engine " +
  "(unix:///path/docker.sock, tcp://host:2376, ssh://user@host), or use `--executor local` " +
  "(replays then run unisolated and unpinned).";

export interface EngineInfo {
  /** Where we connected, as the user would spell it. */
  endpoint: string;
  serverVersion: string;
  apiVersion: string;
  os: string;
  arch: string;
  kernelVersion: string;
  storageDriver: string;
  cgroupDriver: string;
  cgroupVersion: string;
}

export class EngineUnavailableError extends ReproAuditError {
  override name = "EngineUnavailableError";
  readonly kind = "container engine unavailable";
  /** `source`: where the endpoint came from, when not DOCKER_HOST or the default socket (--engine) */
  constructor(endpoint: string, cause: unknown, source: string = endpointSource()) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`No Docker engine answers at ${endpoint} ${source} (${why}). ${GET_AN_ENGINE_HINT}`, { cause });
  }
}

/** Where the endpoint came from, so the user knows what to change. */
function endpointSource(): string {
  return process.env.DOCKER_HOST !== undefined ? "(from DOCKER_HOST)" : "(the default socket; DOCKER_HOST is not set)";
}

export function engineEndpoint(): string {
  return defaultEngineUrl();
}

let shared: Docker | undefined;
const byUrl = new Map<string, Docker>();

/**
 * The default engine's client, one per process: dockerode reads DOCKER_HOST (unix, tcp,
 * ssh) itself and falls back to the default socket, which is exactly the precedence we document.
 */
export function docker(): Docker {
  shared ??= new Docker();
  return shared;
}

/** The client of one engine (`--engine URL`), one per URL; the default engine's URL gets `docker()`. */
export function dockerFor(url: string): Docker {
  if (url === engineEndpoint()) return docker();
  let client = byUrl.get(url);
  if (client === undefined) {
    client = new Docker(clientOptions(url));
    byUrl.set(url, client);
  }
  return client;
}

/**
 * dockerode's options for a URL, read as dockerode reads DOCKER_HOST (docker-modem's
 * defaultOpts): unix is a socket path; ssh goes through the agent; tcp is https when
 * DOCKER_TLS_VERIFY=1 or the port is 2376, with ca/cert/key from DOCKER_CERT_PATH.
 */
function clientOptions(url: string, env: Record<string, string | undefined> = process.env): Docker.DockerOptions {
  const u = new URL(url);
  if (u.protocol === "unix:") return { socketPath: u.pathname };
  const base = { host: u.hostname, port: u.port };
  if (u.protocol === "ssh:")
    return {
      ...base,
      protocol: "ssh",
      username: decodeURIComponent(u.username),
      ...(env["SSH_AUTH_SOCK"] ? { sshOptions: { agent: env["SSH_AUTH_SOCK"] } } : {}),
    };
  const certs = env["DOCKER_CERT_PATH"];
  const tls = env["DOCKER_TLS_VERIFY"] === "1" || u.port === "2376";
  return {
    ...base,
    protocol: tls ? "https" : "http",
    ...(certs
      ? {
          ca: readFileSync(join(certs, "ca.pem")),
          cert: readFileSync(join(certs, "cert.pem")),
          key: readFileSync(join(certs, "key.pem")),
        }
      : {}),
  };
}

/** Answers with the engine's identity, or throws EngineUnavailableError saying how to get one. */
export async function checkEngine(client: Docker = docker(), url: string = engineEndpoint()): Promise<EngineInfo> {
  const endpoint = engineName(url);
  try {
    const [version, info] = await Promise.all([client.version(), client.info() as Promise<Record<string, unknown>>]);
    const str = (v: unknown): string => (typeof v === "string" ? v : v === undefined ? "" : String(v));
    return {
      endpoint,
      serverVersion: str(version.Version),
      apiVersion: str(version.ApiVersion),
      os: str(version.Os),
      arch: str(version.Arch),
      kernelVersion: str(version.KernelVersion),
      storageDriver: str(info["Driver"]),
      cgroupDriver: str(info["CgroupDriver"]),
      cgroupVersion: str(info["CgroupVersion"]),
    };
  } catch (err) {
    throw new EngineUnavailableError(endpoint, err, ...(url === engineEndpoint() ? [] : ["(from --engine)"]));
  }
}

/**
 * The CPUs and memory the engine has (`docker info`: NCPU, MemTotal), which replays
 * share; undefined when it does not answer or says neither.
 */
export async function engineCapacity(client: Docker = docker()): Promise<EngineCapacity | undefined> {
  try {
    const info = (await client.info()) as Record<string, unknown>;
    const cpus = Number(info["NCPU"]);
    const memoryBytes = Number(info["MemTotal"]);
    if (!(cpus > 0) || !(memoryBytes > 0)) return undefined;
    return { cpus, memoryBytes, what: "the engine" };
  } catch {
    return undefined;
  }
}

/** True when an engine answers; never throws. For tests that must skip loudly. */
export async function engineAvailable(client: Docker = docker()): Promise<boolean> {
  try {
    await checkEngine(client);
    return true;
  } catch {
    return false;
  }
}
