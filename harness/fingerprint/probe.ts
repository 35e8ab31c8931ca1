import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import type { z } from "zod";
import { ContainerFingerprintSchema, type ContainerFingerprint } from "./schema.js";
import { enforceRedaction } from "./redact.js";
import { ReproAuditError, zodIssueLines } from "../errors.js";

/** Raised when the probe cannot run or its output does not match the schema. */
export class ProbeError extends ReproAuditError {
  override name = "ProbeError";
  readonly kind = "unexpected probe output";
}

/**
 * One probe for both sides: it lives in the capture plugin's Python package
 * (harness/capture/repro_audit_capture/probe.py), which runs it at training time, and
 * the replays run the very same file. It ships as a source file (package.json
 * "files" lists it), not compiled: from harness/fingerprint/probe.ts it is one level
 * up, from dist/harness/fingerprint/probe.js three levels up in the source tree.
 */
const PROBE_IN_PACKAGE = "capture/repro_audit_capture/probe.py";
const PROBE_CANDIDATES = [
  new URL(`../${PROBE_IN_PACKAGE}`, import.meta.url),
  new URL(`../../../harness/${PROBE_IN_PACKAGE}`, import.meta.url),
];

export function probeScriptPath(): string {
  for (const candidate of PROBE_CANDIDATES) {
    const path = fileURLToPath(candidate);
    if (existsSync(path)) return path;
  }
  throw new ProbeError(
    `fingerprint probe not found (looked in ${PROBE_CANDIDATES.map((u) => fileURLToPath(u)).join(", ")}); ` +
      "reinstall repro-audit: harness/capture/repro_audit_capture/probe.py must ship with the package",
  );
}

let cachedScript: string | undefined;

export function probeScript(): string {
  cachedScript ??= readFileSync(probeScriptPath(), "utf8");
  return cachedScript;
}

/**
 * argv that runs the probe with `python` inside an image. The script travels as a
 * `-c` argument, so it needs no mount and works with --read-only and network none.
 * -B keeps the probe from leaving __pycache__ behind in the replay's working dir.
 */
export function probeCommand(python = "python3"): string[] {
  return [python, "-B", "-c", probeScript()];
}

/** argv for feeding the script on stdin instead (`docker run -i IMAGE python3 -`). */
export function probeStdinCommand(python = "python3"): string[] {
  return [python, "-B", "-"];
}

function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return zodIssueLines(issues.slice(0, 8), { prefix: "  - ", root: "(root)" })
    .concat(issues.length > 8 ? [`  - ... and ${issues.length - 8} more`] : [])
    .join("\n");
}

function excerpt(text: string): string {
  const oneLine = text.trim().replace(/\s+/g, " ");
  return oneLine.length > 200 ? `${oneLine.slice(0, 200)}...` : oneLine;
}

/**
 * Validate probe stdout and re-apply redaction: the probe already redacts, but an
 * old or tampered probe must not be able to push a secret into a report.
 */
export function parseProbeOutput(stdout: string, source = "fingerprint probe"): ContainerFingerprint {
  const lastLine = stdout
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .at(-1);
  if (lastLine === undefined) {
    throw new ProbeError(
      `${source} printed nothing; check that the image has python3 on PATH (the probe needs Python 3.8+)`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(lastLine);
  } catch (err) {
    throw new ProbeError(
      `${source} did not print JSON (${(err as Error).message}); got: ${excerpt(lastLine)}. ` +
        "Something in the image wrote to stdout before the probe (sitecustomize?), or python3 is not CPython 3.8+",
    );
  }
  const parsed = ContainerFingerprintSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ProbeError(
      `${source} output does not match the container fingerprint schema:\n${formatIssues(parsed.error.issues)}\n` +
        "The probe and the harness are probably from different versions; rebuild or reinstall repro-audit",
    );
  }
  return enforceRedaction(parsed.data);
}

export interface RunProbeOptions {
  /** Extra or replacement environment variables. */
  env?: Record<string, string | undefined>;
  /** Inherit process.env (default true), as a local replay would. */
  extendEnv?: boolean;
  cwd?: string;
  timeoutMs?: number;
}

/** Run the probe on this machine (the local executor's "container"). */
export async function runProbeLocally(
  python = "python3",
  options: RunProbeOptions = {},
): Promise<ContainerFingerprint> {
  const [file, ...args] = probeCommand(python);
  const result = await execa(file as string, args, {
    env: options.env ?? {},
    extendEnv: options.extendEnv ?? true,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    timeout: options.timeoutMs ?? 60_000,
    reject: false,
    stripFinalNewline: true,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.failed) {
    const why = result.timedOut
      ? `timed out after ${options.timeoutMs ?? 60_000} ms`
      : result.exitCode !== undefined
        ? `exited with ${result.exitCode}`
        : (result.originalMessage ?? "could not start");
    throw new ProbeError(
      `fingerprint probe with ${python} ${why}: ${excerpt(String(result.stderr ?? "")) || "(no stderr)"}. ` +
        `Check that ${python} is Python 3.8+ and on PATH`,
    );
  }
  return parseProbeOutput(String(result.stdout), `fingerprint probe (${python})`);
}
