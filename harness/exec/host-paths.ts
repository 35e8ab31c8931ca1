import { lstatSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, resolve } from "node:path";
import { type DockerEnvRequest, parseVolume } from "./docker-env.js";
import {
  type HostAccessRequest,
  type HostPathKind,
  type ProtectedPath,
  type ResolvedHostPath,
  SYSTEM_PROTECTED,
} from "./host-access.js";

// The I/O half of the docker_env host-access check: resolve what an MLproject and
// the command line name to real paths, so the pure decision (host-access.ts) sees
// what the engine would mount, not what a symlink or "../" says.

function kindOf(path: string): HostPathKind {
  const st = statSync(path);
  if (st.isDirectory()) return "directory";
  if (st.isFile()) return "file";
  if (st.isSocket()) return "socket";
  return "other";
}

/**
 * `path` (relative ones against `base`) with every symlink resolved. A path that does
 * not exist is resolved as far as it does, the rest appended: "missing".
 */
export function resolveHostPath(path: string, base: string, depth = 0): ResolvedHostPath {
  const abs = isAbsolute(path) ? resolve(path) : resolve(base, path);
  try {
    const real = realpathSync(abs);
    return { path: real, kind: kindOf(real) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // 40: the kernel's own limit on symlinks in one lookup (beyond it, ELOOP).
    if ((code !== "ENOENT" && code !== "ENOTDIR") || depth > 40) return { path: abs, kind: "unreadable" };
    if (abs === dirname(abs)) return { path: abs, kind: "missing" };
    // A dangling symlink: where it points decides what the engine would find.
    const link = (() => {
      try {
        return lstatSync(abs).isSymbolicLink() ? readlinkSync(abs) : undefined;
      } catch {
        return undefined;
      }
    })();
    if (link !== undefined) return { ...resolveHostPath(link, dirname(abs), depth + 1), kind: "missing" };
    const parent = resolveHostPath(dirname(abs), "/", depth + 1);
    return { path: resolve(parent.path, basename(abs)), kind: parent.kind === "unreadable" ? "unreadable" : "missing" };
  }
}

/** What a docker_env asks of the host: its volumes' host sides resolved, and the variables it copies. */
export function requestedHostAccess(dockerEnv: DockerEnvRequest, projectDir: string): HostAccessRequest {
  return {
    volumes: (dockerEnv.volumes ?? []).map((entry) => ({
      entry,
      host: resolveHostPath(parseVolume(entry).host, projectDir),
    })),
    hostVars: (dockerEnv.environment ?? []).filter((e): e is string => typeof e === "string"),
  };
}

/**
 * The protected paths, resolved: the system ones, the sockets `dockerHosts` (DOCKER_HOST values) name, and the
 * audit's own `folders` (results, the tracking server's data). Each is kept as written
 * too: a path that does not resolve still counts.
 */
export function protectedHostPaths(opts: {
  folders: ProtectedPath[];
  dockerHosts: ReadonlyArray<string | undefined>;
}): ProtectedPath[] {
  const all: ProtectedPath[] = [...SYSTEM_PROTECTED, ...opts.folders];
  for (const dockerHost of opts.dockerHosts) {
    if (dockerHost?.startsWith("unix://"))
      all.push({
        path: dockerHost.slice("unix://".length),
        what: "the Docker socket DOCKER_HOST names (control of the engine)",
      });
  }
  const out: ProtectedPath[] = [];
  const seen = new Set<string>();
  for (const p of all) {
    for (const path of [resolve(p.path), resolveHostPath(p.path, "/").path]) {
      if (seen.has(path)) continue;
      seen.add(path);
      out.push({ path, what: p.what });
    }
  }
  return out;
}
