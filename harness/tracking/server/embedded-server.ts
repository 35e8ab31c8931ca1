import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, mkdirSync, openSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { defaultDataDir } from "./data-dir.js";
import { freeLoopbackPort } from "./free-port.js";
import { isHealthy, waitHealthy } from "./health.js";
import { processAlive } from "./process-alive.js";
import { clearState, readState, writeState, type ServerState } from "./state.js";
import { mlflowExecutable } from "./venv.js";

/** A store of the user's (tracking-uri.ts) to serve instead of the harness's own sqlite file. */
export interface UserStore {
  backendStoreUri: string;
  artifactRoot: string;
}

export interface EmbeddedServerOptions {
  dataDir?: string;
  store?: UserStore;
  port?: number;
  readyTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface StartResult {
  state: ServerState;
  /** True when a server already running for this data folder was found and kept. */
  reused: boolean;
}

/**
 * The data folder (state file, lock, log) of the server for a user's store: keyed by
 * the store, so one store never gets two servers, and never the harness's own folder.
 */
export function storeDataDir(store: UserStore, base: string): string {
  const key = createHash("sha256").update(store.backendStoreUri).digest("hex").slice(0, 16);
  return join(base, "stores", key);
}

const LOCK_STALE_MS = 180_000;

/**
 * Starts an MLflow server (sqlite backend, served artifacts) on a free loopback
 * port for `dataDir`, or returns the one already serving it: one data folder never
 * gets two servers, even when two processes ask at once (an exclusive lock file).
 */
export async function startEmbeddedServer(opts: EmbeddedServerOptions = {}): Promise<StartResult> {
  const env = opts.env ?? process.env;
  const base = opts.dataDir ?? defaultDataDir(env);
  const dataDir = resolve(opts.store ? storeDataDir(opts.store, base) : base);
  const readyTimeoutMs = opts.readyTimeoutMs ?? 90_000;
  mkdirSync(dataDir, { recursive: true });

  const running = await liveServer(dataDir);
  if (running) return { state: running, reused: true };

  const lock = join(dataDir, "start.lock");
  const release = await acquireLock(lock, readyTimeoutMs);
  try {
    // Another process may have started it while we waited for the lock.
    const again = await liveServer(dataDir);
    if (again) return { state: again, reused: true };
    return { state: await spawnServer(dataDir, opts.store, opts.port, readyTimeoutMs, env), reused: false };
  } finally {
    release();
  }
}

async function liveServer(dataDir: string): Promise<ServerState | undefined> {
  const state = readState(dataDir);
  if (!state) return undefined;
  if (processAlive(state.pid) && (await isHealthy(state.url))) return state;
  if (!processAlive(state.pid)) clearState(dataDir);
  return undefined;
}

async function spawnServer(
  dataDir: string,
  store: UserStore | undefined,
  wantedPort: number | undefined,
  readyTimeoutMs: number,
  env: NodeJS.ProcessEnv,
): Promise<ServerState> {
  const mlflow = mlflowExecutable(env);
  const port = wantedPort ?? (await freeLoopbackPort());
  const url = `http://127.0.0.1:${port}`;
  const artifacts = store?.artifactRoot ?? join(dataDir, "artifacts");
  // A user's store is opened as it is: no folder is made in it.
  if (!store) mkdirSync(artifacts, { recursive: true });
  const backend = store?.backendStoreUri ?? `sqlite:///${join(dataDir, "mlflow.db")}`;
  const logFd = openSync(join(dataDir, "server.log"), "a");
  const childEnv: NodeJS.ProcessEnv = { ...env };
  // The server must not think it is a client of some other server.
  delete childEnv["MLFLOW_TRACKING_URI"];
  // The job runner adds ~7 worker processes of ~230 MB each and leaves folders in
  // /dev/shm when killed; an audit harness never submits server-side jobs.
  childEnv["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] ??= "false";
  // MLflow 3 reports usage to a remote endpoint; the embedded server is a local tool.
  childEnv["MLFLOW_DISABLE_TELEMETRY"] ??= "true";
  // MLflow 3 refuses to open a file store unless told to; the user's store exists
  // (their client wrote it), and the harness only reads what is in it.
  if (store?.backendStoreUri.startsWith("file:")) childEnv["MLFLOW_ALLOW_FILE_STORE"] ??= "true";
  const child = spawn(
    mlflow,
    [
      "server",
      "--backend-store-uri",
      backend,
      "--artifacts-destination",
      artifacts,
      "--serve-artifacts",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--workers",
      "1",
    ],
    { detached: true, stdio: ["ignore", logFd, logFd], env: childEnv, cwd: dataDir },
  );
  closeSync(logFd);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${mlflow}`);
  let exited = false;
  child.once("exit", () => (exited = true));
  try {
    await waitHealthy(url, { timeoutMs: readyTimeoutMs, isAlive: () => !exited && processAlive(pid) });
  } catch (err) {
    killGroup(pid, "SIGKILL");
    throw new Error(`${(err as Error).message}. See ${join(dataDir, "server.log")} for the server's own output.`);
  }
  const state: ServerState = { pid, port, url, dataDir, startedAt: new Date().toISOString() };
  writeState(state);
  return state;
}

async function acquireLock(path: string, timeoutMs: number): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(path, "wx");
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      try {
        if (Date.now() - statSync(path).mtimeMs > LOCK_STALE_MS) rmSync(path, { force: true });
      } catch {
        // vanished between the two calls: try again
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for another start of the server (${path})`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Stops the server of `dataDir`; false when none was running. */
export async function stopEmbeddedServer(dataDir: string = defaultDataDir()): Promise<boolean> {
  const dir = resolve(dataDir);
  const state = readState(dir);
  if (!state) return false;
  if (!processAlive(state.pid)) {
    clearState(dir);
    return false;
  }
  killGroup(state.pid, "SIGTERM");
  const deadline = Date.now() + 15_000;
  while (processAlive(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (processAlive(state.pid)) killGroup(state.pid, "SIGKILL");
  clearState(dir);
  return true;
}

export interface ServerStatus {
  dataDir: string;
  running: boolean;
  healthy: boolean;
  state?: ServerState;
}

export async function embeddedServerStatus(dataDir: string = defaultDataDir()): Promise<ServerStatus> {
  const dir = resolve(dataDir);
  const state = readState(dir);
  if (!state) return { dataDir: dir, running: false, healthy: false };
  const running = processAlive(state.pid);
  return { dataDir: dir, running, healthy: running && (await isHealthy(state.url)), state };
}
