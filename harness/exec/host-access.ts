import { posix } from "node:path";

// Which host paths and host variables an MLproject's docker_env may hand a replay.
// Pure: every path here is already resolved (realpath, relative paths against the
// project dir) by host-paths.ts, so a symlink or a "../" cannot dodge the rules.
//
// A replay runs someone else's code, so host access is opt-in by name
// (--allow-mount PATH, --allow-env NAME), and some of it is never given: what would
// let the replay see or steer the host (its processes, devices, configuration, the
// engine) or reach the audit's own evidence (results, the tracking server's data).

export type HostPathKind = "directory" | "file" | "socket" | "other" | "missing" | "unreadable";

export interface ResolvedHostPath {
  /** absolute, symlinks resolved (as far as the path exists) */
  path: string;
  kind: HostPathKind;
}

export interface ProtectedPath {
  path: string;
  /** what it is, for the message: "the results folder" */
  what: string;
}

export interface HostAccessRequest {
  /** docker_env volumes as written, each with its host side resolved */
  volumes: Array<{ entry: string; host: ResolvedHostPath }>;
  /** docker_env environment entries that copy the host's value (a bare "NAME") */
  hostVars: string[];
}

export interface HostAccessPolicy {
  /** --allow-mount paths, resolved: a volume may mount one of them or what lies inside */
  allowMounts: string[];
  /** --allow-env names */
  allowEnv: string[];
  /** never mounted, nor anything inside them or containing them */
  protectedPaths: ProtectedPath[];
}

export interface HostAccessDecision {
  /** one line per refused entry: what, why, and what would allow it (when anything would) */
  refusals: string[];
  mounts: Array<{ entry: string; host: string; allowedBy: string }>;
  env: string[];
}

/** Always protected, before the audit adds its own folders and the engine's socket. */
export const SYSTEM_PROTECTED: readonly ProtectedPath[] = [
  { path: "/proc", what: "/proc (the host's processes)" },
  { path: "/sys", what: "/sys (the host's kernel and devices)" },
  { path: "/dev", what: "/dev (the host's devices)" },
  { path: "/etc", what: "/etc (the host's configuration and credentials)" },
  { path: "/var/run/docker.sock", what: "the Docker socket (control of the engine)" },
  { path: "/run/docker.sock", what: "the Docker socket (control of the engine)" },
];

/** The harness sets its own tracking variables; the host's address and credentials would let a replay reach the real server. */
const NEVER_COPIED_ENV = /^MLFLOW_TRACKING_/;

export const ALLOW_MOUNT_FLAG = "--allow-mount";
export const ALLOW_ENV_FLAG = "--allow-env";

const within = (child: string, parent: string): boolean => {
  const rel = posix.relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !posix.isAbsolute(rel));
};

function neverReason(host: ResolvedHostPath, protectedPaths: readonly ProtectedPath[]): string | undefined {
  if (host.path === "/") return "the host's root folder";
  if (host.kind === "socket") return "a socket (it would hand the replay a host service)";
  if (host.kind === "other") return "not a plain file or folder (a device or a pipe)";
  for (const p of protectedPaths) {
    if (within(host.path, p.path)) return host.path === p.path ? p.what : `inside ${p.what}`;
    if (within(p.path, host.path)) return `a folder that contains ${p.what}`;
  }
  return undefined;
}

export function decideHostAccess(req: HostAccessRequest, policy: HostAccessPolicy): HostAccessDecision {
  const refusals: string[] = [];
  const mounts: HostAccessDecision["mounts"] = [];
  const env: string[] = [];
  for (const v of req.volumes) {
    const what = `volume ${JSON.stringify(v.entry)}`;
    const never = neverReason(v.host, policy.protectedPaths);
    if (never !== undefined) {
      refusals.push(
        `${what}: ${v.host.path} is ${never}; it is never mounted, even when named with ${ALLOW_MOUNT_FLAG}`,
      );
      continue;
    }
    if (v.host.kind === "missing") {
      refusals.push(
        `${what}: ${v.host.path} does not exist on this host (the engine would create it); create it, or drop the volume`,
      );
      continue;
    }
    if (v.host.kind === "unreadable") {
      refusals.push(
        `${what}: ${v.host.path} cannot be resolved (not readable by this user, or a symlink loop), so it cannot be checked; it is not mounted`,
      );
      continue;
    }
    if (v.host.path.includes(":")) {
      // The allowed volume is rewritten to this path, and "host:container" has no escape for ":".
      refusals.push(
        `${what}: ${v.host.path} contains ":", which a docker_env volume cannot express; mount a folder above it`,
      );
      continue;
    }
    const allowedBy = policy.allowMounts.find((a) => within(v.host.path, a));
    if (allowedBy === undefined) {
      refusals.push(
        `${what}: host path ${v.host.path} is not allowed; allow it with ${ALLOW_MOUNT_FLAG} ${v.host.path} (mounted read-only)`,
      );
      continue;
    }
    mounts.push({ entry: v.entry, host: v.host.path, allowedBy });
  }
  for (const name of req.hostVars) {
    const what = `environment ${JSON.stringify(name)}`;
    if (NEVER_COPIED_ENV.test(name)) {
      refusals.push(
        `${what}: the host's tracking address and credentials are never copied into a replay, even when named with ${ALLOW_ENV_FLAG}`,
      );
    } else if (!policy.allowEnv.includes(name)) {
      refusals.push(
        `${what} copies the host's value; allow it with ${ALLOW_ENV_FLAG} ${name}, or set a literal in the MLproject (["${name}", "value"])`,
      );
    } else {
      env.push(name);
    }
  }
  return { refusals, mounts, env };
}
