import type Docker from "dockerode";
import { BadInputError } from "../errors.js";

// I/O: the pinned image as every swarm node gets it. A node other than the manager
// has none of the manager's images and nothing public can be pulled, so the image
// the harness built (or the MLproject named) is pushed to a registry the user names,
// and services name it by digest: registry/repro-audit/replay@sha256:..., the exact
// bytes pushed, whichever node runs the task. The replay still records the image ID.

/** The registry the swarm executor pushes to (host:port): the one name for it; `--registry` sets it for a command's replays. */
export const REGISTRY_ENV = "REPRO_AUDIT_REGISTRY";
/** The repository replay images go to in that registry; tags are the image ID's first hex digits. */
const REPLAY_REPOSITORY = "repro-audit/replay";

/** host, host:port, [v6]:port; no scheme, no path: what a docker image reference starts with. */
const REGISTRY = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:]+\])(?::\d{1,5})?$/;

/** The registry named in the environment, checked; a BadInputError saying how to name one when there is none. */
export function registryFrom(env: Record<string, string | undefined>): string {
  const raw = env[REGISTRY_ENV]?.trim();
  if (raw === undefined || raw === "")
    throw new BadInputError(
      `the swarm executor needs a registry every node can pull from: name it with --registry HOST:PORT or ${REGISTRY_ENV} ` +
        `(e.g. --registry 127.0.0.1:5000 for Debian's docker-registry on a one-machine swarm; ` +
        "dockerd trusts loopback registries without TLS)",
    );
  if (!REGISTRY.test(raw))
    throw new BadInputError(
      `${REGISTRY_ENV} must be HOST or HOST:PORT (no scheme, no path), got ${JSON.stringify(raw)}`,
    );
  return raw;
}

interface PushEvent {
  error?: string;
  errorDetail?: { message?: string };
  aux?: { Digest?: string };
}

/**
 * Pushes the image (by ID, on the manager's engine) to the registry and answers with
 * the reference by digest. The registry keeps layers it has, so a second push of the
 * same image sends only its manifest.
 */
export async function pushPinned(client: Docker, imageId: string, registry: string): Promise<string> {
  const repo = `${registry}/${REPLAY_REPOSITORY}`;
  const tag = imageId.replace(/^sha256:/, "").slice(0, 16);
  await client.getImage(imageId).tag({ repo, tag });
  // An empty auth header: 20.10 refuses a push without one; a registry needing auth answers with its own error.
  const stream = await client.getImage(`${repo}:${tag}`).push({ authconfig: {} });
  let digest: string | undefined;
  let failure: string | undefined;
  await new Promise<void>((resolve, reject) =>
    client.modem.followProgress(
      stream,
      (err: Error | null) => (err ? reject(err) : resolve()),
      (ev: PushEvent) => {
        if (ev.error) failure = ev.errorDetail?.message ?? ev.error;
        if (ev.aux?.Digest) digest = ev.aux.Digest;
      },
    ),
  );
  if (failure !== undefined) throw new Error(`pushing ${imageId.slice(0, 19)} to ${registry} failed: ${failure}`);
  if (digest === undefined || !/^sha256:[0-9a-f]{64}$/.test(digest))
    throw new Error(`pushing ${imageId.slice(0, 19)} to ${registry}: the engine reported no digest`);
  return `${repo}@${digest}`;
}
