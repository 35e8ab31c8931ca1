// PURE: what every replay container gets unless its spec says otherwise, shared by the
// docker and swarm executors (the swarm's service spec is pure and must not import the
// docker executor's engine client to get them).

import type { ExecSpec } from "./executor.js";

/** nobody:nogroup in Debian; replays run unprivileged unless the plan says otherwise. */
export const DEFAULT_USER = "65534:65534";
export const DEFAULT_TMPFS_BYTES = 256 * 1024 ** 2;
/**
 * The in-container watchdog fires this long after the harness's own timer would have:
 * it only matters when the harness is dead, and must never race a live harness's kill.
 */
export const WATCHDOG_GRACE_MS = 10_000;

/**
 * Wraps argv so the container enforces its wall clock itself: a background shell
 * sleeps past the deadline, then kills every process it may signal (all of the
 * replay's; never the init, PID 1, which then exits and ends the container). A dead
 * harness therefore cannot leave a replay looping. An image needs /bin/sh for this
 * (replay commands are shell strings anyway). The kill is only for a sleep that ran
 * its full time (`&&`): a sleep that died early (killed from the host, a fork that
 * failed, an image without `sleep`) disarms the watchdog instead of killing a replay
 * at once, which would read as the workload's own exit 137; the harness's own timer
 * still holds while it lives.
 */
export function withWatchdog(argv: readonly string[], seconds: number): string[] {
  const s = Math.max(1, Math.ceil(seconds));
  return ["/bin/sh", "-c", `(sleep ${s} && kill -9 -1) >/dev/null 2>&1 & exec "$@"`, "repro-watchdog", ...argv];
}

/**
 * What a container runs for a spec: its command (a `{shell}` one through /bin/sh)
 * under the watchdog, and when the watchdog fires (ms after the start), which the
 * deadline label records. One rule for the docker and swarm executors.
 */
export function watchdogCommand(spec: Pick<ExecSpec, "command" | "limits">): { argv: string[]; watchdogMs: number } {
  const argv = Array.isArray(spec.command) ? spec.command : ["/bin/sh", "-c", spec.command.shell];
  const watchdogMs = spec.limits.timeoutMs + WATCHDOG_GRACE_MS;
  return { argv: withWatchdog(argv, watchdogMs / 1000), watchdogMs };
}
