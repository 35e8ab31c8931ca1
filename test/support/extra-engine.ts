import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import Docker from "dockerode";

// A second, real Docker engine for the tests that need more than one (several engines,
// swarm): its own dockerd beside the project's, on its own socket, data root, exec root
// and pid file, without a bridge (as PLATFORM.md describes). Never a fake: where one
// cannot be started, `extraEngineUnavailable` says why and the tests skip loudly.

export interface ExtraEngine {
  /** DOCKER_HOST-style endpoint, unix:///…/docker.sock */
  readonly host: string;
  readonly client: Docker;
  /** its folder: socket, data root, exec root, pid file, log */
  readonly dir: string;
  readonly log: () => string;
  stop(): Promise<void>;
}

/** Why no extra engine can be started here, or undefined when one can. */
export const extraEngineUnavailable: string | undefined = whyUnavailable();

function whyUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "starting a second dockerd needs root";
  const dockerd = ["/usr/sbin/dockerd", "/usr/bin/dockerd"].find((p) => existsSync(p));
  if (!dockerd) return "no dockerd binary (run `bash scripts/ensure-docker.sh` as root)";
  return undefined;
}

if (extraEngineUnavailable) {
  console.warn(`\n*** SKIPPING tests that need a second Docker engine: ${extraEngineUnavailable}. ***\n`);
}

/** Starts a dockerd and waits until it answers; `swarm` also makes it a one-node swarm manager. */
export async function startExtraEngine(opts: { swarm?: boolean; waitMs?: number } = {}): Promise<ExtraEngine> {
  if (extraEngineUnavailable) throw new Error(`cannot start a second engine: ${extraEngineUnavailable}`);
  // Short path: a unix socket's path is limited to ~107 bytes.
  const dir = mkdtempSync("/tmp/ra-eng-");
  const socket = join(dir, "docker.sock");
  const logPath = join(dir, "dockerd.log");
  const { openSync } = await import("node:fs");
  const out = openSync(logPath, "a");
  const child = spawn(
    "dockerd",
    [
      `--host=unix://${socket}`,
      `--data-root=${join(dir, "data")}`,
      `--exec-root=${join(dir, "exec")}`,
      `--pidfile=${join(dir, "docker.pid")}`,
      "--bridge=none",
      "--iptables=false",
      "--ip6tables=false",
    ],
    { stdio: ["ignore", out, out], detached: true },
  );
  child.unref();
  const log = () => (existsSync(logPath) ? readFileSync(logPath, "utf8") : "");
  const client = new Docker({ socketPath: socket });
  const deadline = Date.now() + (opts.waitMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`second dockerd exited (${child.exitCode}):\n${log().slice(-2000)}`);
    try {
      await client.ping();
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`second dockerd did not answer within ${opts.waitMs ?? 60_000} ms:\n${log().slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  if (opts.swarm)
    await client.swarmInit({
      ListenAddr: `127.0.0.1:${20000 + Math.floor(Math.random() * 20000)}`,
      AdvertiseAddr: "127.0.0.1",
    });
  const stop = async () => {
    if (opts.swarm) await client.swarmLeave({ force: true }).catch(() => undefined);
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  return { host: `unix://${socket}`, client, dir, log, stop };
}

/**
 * Copies an image from one engine to another (docker save | docker load), so the second
 * engine need not build it: the ID is content-addressed and stays the same.
 */
export async function copyImage(from: Docker, to: Docker, image: string): Promise<void> {
  const tar = await from.getImage(image).get();
  const loaded = await to.loadImage(tar);
  await new Promise<void>((resolve, reject) => to.modem.followProgress(loaded, (e) => (e ? reject(e) : resolve())));
}
