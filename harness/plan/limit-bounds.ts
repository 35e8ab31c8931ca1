// The bounds of a replay's resource limits as plain data: the CLI's option parsers
// check them at parse time, before any command module (or zod) is loaded, and
// plan/limits.ts builds its schema from them.

/**
 * The range each limit may take, wherever it comes from (CLI flag, scenario file).
 * Wide enough for any real workload; narrow enough that a typo (1e9, 1) fails
 * with a message instead of a container that cannot start or never stops.
 */
export const LIMIT_BOUNDS = {
  timeoutSeconds: { min: 1, max: 7 * 24 * 3600, unit: "seconds" },
  memoryMb: { min: 16, max: 1024 * 1024, unit: "MiB" },
  cpus: { min: 0.01, max: 1024, unit: "CPUs" },
  pids: { min: 16, max: 1_000_000, unit: "processes" },
} as const;
