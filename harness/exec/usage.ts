import { z } from "zod";

// What one execution cost, measured where it ran. PURE: the wrapper's text, the
// command that puts it around a shell command, and the schema of what it writes.
//
// Why a wrapper inside the container and not the engine's stats: the container's
// cgroup (cpu.stat, memory peak) is removed the moment the container exits, before
// `wait` returns, and the stats stream samples about once a second, so a workload of
// a few seconds would lose up to a second of CPU time. getrusage(RUSAGE_CHILDREN)
// after the workload's process tree is reaped is exact for that tree: CPU time
// (user + system), the largest resident set of any one process in it (ru_maxrss, KiB
// on Linux) and the blocks it caused to be written to storage (ru_oublock, 512-byte
// units: bind mounts count, the tmpfs /tmp does not). The wrapper's own interpreter
// is not counted (RUSAGE_CHILDREN is the children's usage only); its start-up (tens
// of ms) falls into the wall time, the same in every execution that is measured.

/** Where the usage file goes inside the container (its own writable mount). */
export const USAGE_DIR = "/repro/usage";
export const USAGE_FILE = "usage.json";

export const ExecUsageSchema = z.object({
  /** user + system CPU seconds of the workload's process tree */
  cpuSeconds: z.number().nonnegative(),
  /** largest resident set of a single process of the tree, bytes */
  peakRssBytes: z.number().nonnegative(),
  /** bytes the tree caused to be written to storage (ru_oublock x 512) */
  writtenBytes: z.number().nonnegative(),
  /** seconds from the wrapper's start of the workload to its end, measured inside */
  wallSeconds: z.number().nonnegative(),
});
export type ExecUsage = z.infer<typeof ExecUsageSchema>;

/** Python (stdlib only) that runs argv[2:] and writes its children's rusage to argv[1]; exits as the child did. */
const WRAPPER = [
  "import json, resource, subprocess, sys, time",
  "t = time.monotonic()",
  "try:",
  "    code = subprocess.call(sys.argv[2:])",
  "except OSError as e:",
  '    print("repro-audit usage wrapper: %s" % e, file=sys.stderr)',
  "    code = 127",
  "w = time.monotonic() - t",
  "r = resource.getrusage(resource.RUSAGE_CHILDREN)",
  "try:",
  '    with open(sys.argv[1], "w") as f:',
  '        json.dump({"cpuSeconds": r.ru_utime + r.ru_stime, "peakRssBytes": r.ru_maxrss * 1024,',
  '                   "writtenBytes": r.ru_oublock * 512, "wallSeconds": w}, f)',
  "except OSError:",
  "    pass",
  "sys.exit(code if code >= 0 else 128 - code)",
].join("\n");

/** argv that runs `shell` under the usage wrapper, with `python` (the image's interpreter on PATH). */
export function measuredCommand(shell: string, python = "python3"): string[] {
  return [python, "-c", WRAPPER, `${USAGE_DIR}/${USAGE_FILE}`, "/bin/sh", "-c", shell];
}

/** The usage file's text as a value, or why it cannot be read (absent, torn, forged into nonsense). */
export function parseUsage(text: string | undefined): { usage: ExecUsage } | { error: string } {
  if (text === undefined)
    return { error: "the usage wrapper wrote nothing (the execution was killed, or python3 is missing)" };
  try {
    const r = ExecUsageSchema.safeParse(JSON.parse(text));
    if (r.success) return { usage: r.data };
    return { error: `the usage file does not hold usage: ${r.error.issues[0]?.message ?? "invalid"}` };
  } catch (err) {
    return { error: `the usage file is not JSON: ${(err as Error).message}` };
  }
}
