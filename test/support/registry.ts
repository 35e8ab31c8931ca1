import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

// A real image registry on loopback for the swarm tests: Debian's docker-registry
// (distribution 2.8, /usr/bin/docker-registry) with a temporary config and storage.
// dockerd trusts registries on 127.0.0.0/8 without TLS. Never a fake: where the
// binary is missing, `registryUnavailable` says why and the tests skip loudly.

const BINARY = "/usr/bin/docker-registry";

export interface LocalRegistry {
  /** host:port, as REPRO_AUDIT_REGISTRY takes it */
  readonly address: string;
  readonly log: () => string;
  stop(): Promise<void>;
}

/** Why no registry can be started here, or undefined when one can. */
export const registryUnavailable: string | undefined = existsSync(BINARY)
  ? undefined
  : `no ${BINARY} (Debian's docker-registry package: scripts/setup.sh installs it when root on Debian)`;

if (registryUnavailable)
  console.warn(`\n*** SKIPPING tests that need an image registry: ${registryUnavailable}. ***\n`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Starts the registry on 127.0.0.1:<free port> and waits until /v2/ answers. */
export async function startRegistry(opts: { waitMs?: number } = {}): Promise<LocalRegistry> {
  if (registryUnavailable) throw new Error(`cannot start a registry: ${registryUnavailable}`);
  const dir = mkdtempSync("/tmp/ra-reg-");
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const config = join(dir, "config.yml");
  writeFileSync(
    config,
    [
      "version: 0.1",
      "log:",
      "  level: warn",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${join(dir, "storage")}`,
      "http:",
      `  addr: ${address}`,
      "",
    ].join("\n"),
  );
  const logPath = join(dir, "registry.log");
  const out = openSync(logPath, "a");
  const child: ChildProcess = spawn(BINARY, ["serve", config], { stdio: ["ignore", out, out] });
  const log = () => (existsSync(logPath) ? readFileSync(logPath, "utf8") : "");
  const deadline = Date.now() + (opts.waitMs ?? 15_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}):\n${log().slice(-2000)}`);
    const ok = await fetch(`http://${address}/v2/`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`docker-registry did not answer on ${address}:\n${log().slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return { address, log, stop };
}
