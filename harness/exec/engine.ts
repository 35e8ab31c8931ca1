import Docker from "dockerode";
import { ReproAuditError } from "../errors.js";
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
  constructor(endpoint: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`No Docker engine answers at ${endpoint} ${endpointSource()} (${why}). ${GET_AN_ENGINE_HINT}`, { cause });
  }
}

/** Where the endpoint came from, so the user knows what to change. */
function endpointSource(): string {
  return process.env.DOCKER_HOST !== undefined ? "(from DOCKER_HOST)" : "(the default socket; DOCKER_HOST is not set)";
}

export function engineEndpoint(): string {
  return process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
}

let shared: Docker | undefined;

/**
 * One client per process: dockerode reads DOCKER_HOST (unix, tcp, ssh) itself and falls
 * back to the default socket, which is exactly the precedence we document.
 */
export function docker(): Docker {
  shared ??= new Docker();
  return shared;
}

/** Answers with the engine's identity, or throws EngineUnavailableError saying how to get one. */
export async function checkEngine(client: Docker = docker()): Promise<EngineInfo> {
  const endpoint = engineEndpoint();
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
    throw new EngineUnavailableError(endpoint, err);
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
