import { isAbsolute, resolve } from "node:path";
import type { MountSpec } from "./executor.js";

/**
 * What an MLproject's `docker_env` asks of the host and the container, as the plan
 * holds it (plan/mlproject.ts parses the file): the image, volumes and environment.
 */
export interface DockerEnvRequest {
  image: string;
  volumes?: readonly string[];
  /** ["NAME", "value"] sets a value; "NAME" copies it from the host environment. */
  environment?: ReadonlyArray<string | readonly [string, string]>;
}

/** The docker_env request of a plan's environment (its docker* fields). */
export function dockerEnvRequest(e: {
  dockerImage?: string | undefined;
  dockerVolumes: readonly string[];
  dockerEnvironment: ReadonlyArray<string | readonly [string, string]>;
}): DockerEnvRequest {
  return { image: e.dockerImage ?? "", volumes: e.dockerVolumes, environment: e.dockerEnvironment };
}

export interface DockerEnvRuntime {
  mounts: MountSpec[];
  env: Record<string, string>;
  /** Host variables the MLproject asked to copy but that are not set here. */
  missingHostVars: string[];
  /** Volumes the MLproject asked for writable that are mounted read-only anyway. */
  forcedReadOnly: string[];
}

export interface DockerVolume {
  /** as written: absolute, or relative to the project dir */
  host: string;
  container: string;
  mode?: "ro" | "rw";
}

/** One docker_env volume, "host:container[:ro|rw]" as MLflow reads it. */
export function parseVolume(entry: string): DockerVolume {
  const parts = entry.split(":");
  const [host, container, mode] = parts;
  if (
    parts.length < 2 ||
    parts.length > 3 ||
    !host ||
    !container ||
    !isAbsolute(container) ||
    (mode !== undefined && mode !== "ro" && mode !== "rw")
  ) {
    throw new Error(
      `MLproject docker_env volume ${JSON.stringify(entry)} is not "host:container[:ro|rw]" with an absolute container path.`,
    );
  }
  return { host, container, ...(mode !== undefined ? { mode } : {}) };
}

/**
 * Turns docker_env volumes and environment into executor mounts and env, read as MLflow
 * reads them ("host:container[:ro|rw]"; relative host paths resolve against the project
 * dir). Unlike MLflow, every volume is mounted read-only: a replay runs someone else's
 * code and may write only to its own output folder; `forcedReadOnly` lists the volumes
 * this changes so the plan can say so. Host variables are read from the map passed in,
 * never from process.env implicitly. Which volumes and host variables may reach this at
 * all is decided before, on resolved paths (host-access.ts, called by replayJob).
 */
export function dockerEnvRuntime(
  dockerEnv: DockerEnvRequest,
  projectDir: string,
  hostEnv: Record<string, string | undefined>,
): DockerEnvRuntime {
  const mounts: MountSpec[] = [];
  const forcedReadOnly: string[] = [];
  for (const v of dockerEnv.volumes ?? []) {
    const { host, container, mode } = parseVolume(v);
    if (mode !== "ro") forcedReadOnly.push(v);
    mounts.push({ host: isAbsolute(host) ? host : resolve(projectDir, host), container, readOnly: true });
  }
  const env: Record<string, string> = {};
  const missingHostVars: string[] = [];
  for (const e of dockerEnv.environment ?? []) {
    if (typeof e === "string") {
      const value = hostEnv[e];
      if (value === undefined) missingHostVars.push(e);
      else env[e] = value;
    } else {
      env[e[0]] = e[1];
    }
  }
  return { mounts, env, missingHostVars, forcedReadOnly };
}
