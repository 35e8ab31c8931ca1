import { BadInputError } from "../errors.js";
import { execa } from "execa";
import {
  DEFAULT_OUTPUT_LIMIT,
  ExecAbortedError,
  type ExecResult,
  type ExecSpec,
  type Executor,
  type MountSpec,
  parseExecSpec,
  type RunOptions,
} from "./executor.js";
import type { PrepareRequest, PreparedExecutor } from "./executors.js";
import { OutputTail } from "./output-tail.js";

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Specs name container paths (/code, /out). Without a container those paths do not exist, so
 * every occurrence of a mount's container path (as a whole path prefix) is rewritten to its host
 * path: in the workdir, in argv, in env values and inside shell strings. Longest mount wins.
 */
export function mapContainerPaths(text: string, mounts: readonly MountSpec[]): string {
  const sorted = [...mounts].sort((a, b) => b.container.length - a.container.length);
  if (sorted.length === 0) return text;
  const alternatives = sorted.map((m) => escapeRe(m.container.replace(/\/+$/, ""))).join("|");
  const re = new RegExp(`(^|[\\s='"(:,])(${alternatives})(?=$|[\\s/'"):;,])`, "g");
  return text.replace(re, (_all, lead: string, path: string) => {
    const m = sorted.find((x) => x.container.replace(/\/+$/, "") === path);
    return lead + (m ? m.host.replace(/\/+$/, "") : path);
  });
}

/**
 * Runs on the host with execa under the same contract as the docker executor, for machines with
 * no engine. It cannot isolate or pin anything and says so (isolated:false, pinned:false); it
 * does pass only an explicit environment (PATH, HOME, LANG + the spec's), enforce the timeout by
 * killing the whole process group, and bound the captured output. Memory, CPU and pids limits
 * are not enforced here.
 */
export class LocalExecutor implements Executor {
  readonly kind = "local" as const;

  /**
   * `hostEnv` is where PATH, HOME and LANG come from: the caller's environment (replayJob's
   * `env`), so a caller can choose which python a replay finds without touching process.env.
   */
  constructor(private readonly hostEnv: Readonly<Record<string, string | undefined>> = process.env) {}

  async run(specIn: ExecSpec, opts: RunOptions = {}): Promise<ExecResult> {
    const spec = parseExecSpec(specIn);
    if (opts.signal?.aborted) throw new ExecAbortedError(0);
    const map = (s: string): string => mapContainerPaths(s, spec.mounts);
    const argv = Array.isArray(spec.command) ? spec.command.map(map) : ["/bin/sh", "-c", map(spec.command.shell)];
    const [file = "", ...args] = argv;
    const env: Record<string, string> = {};
    for (const k of ["PATH", "HOME", "LANG"] as const) {
      const v = this.hostEnv[k];
      if (v !== undefined) env[k] = v;
    }
    for (const [k, v] of Object.entries(spec.env)) env[k] = map(v);

    const limit = spec.outputLimitBytes ?? DEFAULT_OUTPUT_LIMIT;
    const out = new OutputTail(limit);
    const err = new OutputTail(limit);
    let timedOut = false;
    let aborted = false;
    const t0 = performance.now();
    const child = execa(file, args, {
      cwd: map(spec.workdir),
      env,
      extendEnv: false,
      reject: false,
      buffer: false,
      stdin: "ignore",
      // Own process group, so a timeout kills the workload's children too.
      detached: true,
    });
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    };
    child.stdout?.on("data", (c: Buffer) => {
      out.push(c);
      opts.onOutput?.("stdout", c);
    });
    child.stderr?.on("data", (c: Buffer) => {
      err.push(c);
      opts.onOutput?.("stderr", c);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, spec.limits.timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      killGroup();
    };
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    let res: Awaited<typeof child>;
    try {
      res = await child;
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
    }
    const durationMs = performance.now() - t0;
    if (aborted) throw new ExecAbortedError(durationMs);

    let exitCode: number | null = res.exitCode ?? null;
    const spawnError = (res as { code?: string }).code;
    if (exitCode === null && res.signal === undefined && spawnError !== undefined) {
      // Like a shell: a command that cannot be started is exit 127 with the reason on stderr.
      exitCode = spawnError === "EACCES" ? 126 : 127;
      err.push(`${res.shortMessage ?? res.message}\n`);
    }
    const result: ExecResult = {
      exitCode: timedOut ? null : exitCode,
      oomKilled: false,
      timedOut,
      durationMs,
      stdoutTail: out.text(),
      stderrTail: err.text(),
      stdoutTruncated: out.truncated,
      stderrTruncated: err.truncated,
      isolated: false,
      pinned: false,
      executor: "local",
    };
    if (res.signal !== undefined) result.signal = res.signal;
    else if (timedOut) result.signal = "SIGKILL";
    return result;
  }
}

/** Nothing to build: the replays run with whatever python the host has on PATH. */
export async function prepareLocal(req: PrepareRequest): Promise<PreparedExecutor> {
  // The notebook runner and its kernel are installed only into the pinned image.
  if ((req.environment.tooling ?? []).length > 0)
    throw new BadInputError(
      "a notebook run replays headless with the runner installed in the pinned image; use --executor docker (the local executor has no runner)",
    );
  return {
    executor: new LocalExecutor(req.hostEnv),
    notes: ["local executor: not isolated, not pinned (runs with the host's python on PATH)"],
  };
}
