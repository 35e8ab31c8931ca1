import { z } from "zod";
import { zodIssueLines } from "../errors.js";
import { enforceRedaction, stripUrlCredentials } from "./redact.js";
import {
  CodeFingerprintSchema,
  ContainerFingerprintSchema,
  type CodeFingerprint,
  type ContainerFingerprint,
  type HostFingerprint,
  type ProbeSystem,
} from "./schema.js";

// What the capture plugin (harness/capture) recorded when the original run started:
// its repro/fingerprint.json artifact, read as hostile input (it came from a
// tracking server), turned into the parts of a fingerprint the report compares with
// each replay's. PURE: the text in, typed parts (or why not) out.

/** A record larger than this is not parsed (a real one is tens of KiB: the probe's env and numpy config). */
export const MAX_CAPTURE_RECORD_BYTES = 1024 * 1024;

export const CaptureRecordSchema = z.object({
  schemaVersion: z.literal(1),
  captureVersion: z.string(),
  capturedAt: z.string(),
  container: ContainerFingerprintSchema.optional(),
  code: CodeFingerprintSchema.optional(),
  command: z
    .object({ argv: z.array(z.string()).optional(), text: z.string().optional(), cwd: z.string().optional() })
    .optional(),
  errors: z.array(z.string()).optional(),
});

export interface CapturedParts {
  container?: ContainerFingerprint;
  host?: HostFingerprint;
  code?: CodeFingerprint;
  /** when the run started, as the plugin's clock said (ISO 8601 with offset); absent when unreadable */
  capturedAt?: string;
  /** what the plugin itself said it could not capture */
  errors: string[];
}

export type CaptureReading = { ok: true; parts: CapturedParts } | { ok: false; why: string };

/** The plugin's record as fingerprint parts; `{ ok: false, why }` when it is not one. */
export function readCaptureRecord(text: string): CaptureReading {
  if (text.length > MAX_CAPTURE_RECORD_BYTES) return { ok: false, why: `over ${MAX_CAPTURE_RECORD_BYTES} bytes` };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, why: `not JSON (${(err as Error).message})` };
  }
  const parsed = CaptureRecordSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, why: zodIssueLines(parsed.error.issues.slice(0, 3), { root: "(root)" }).join("; ") };
  }
  const record = parsed.data;
  const parts: CapturedParts = { errors: record.errors ?? [] };
  if (z.iso.datetime({ offset: true }).safeParse(record.capturedAt).success) parts.capturedAt = record.capturedAt;
  if (record.container !== undefined) {
    // The plugin redacts with the probe's rules; re-applied here, as for a replay's probe output.
    parts.container = enforceRedaction(record.container);
    const host = hostFromProbe(parts.container);
    if (host !== undefined) parts.host = host;
  }
  if (record.code !== undefined) {
    const { repositoryUrl, ...code } = record.code;
    parts.code = repositoryUrl !== undefined ? { ...code, repositoryUrl: stripUrlCredentials(repositoryUrl) } : code;
  }
  return { ok: true, parts };
}

/**
 * systeminformation's CPU brand, which replays' host fingerprints carry: the model
 * name before "@", (R)/(TM)/(C) as symbols, "CPU" dropped, the vendor word dropped
 * ("Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz" -> "Xeon® Platinum 8375C").
 */
export function systeminformationBrand(modelName: string): string {
  const words = (modelName.split("@")[0] ?? "")
    .replace(/\(R\)+/g, "®")
    .replace(/\(TM\)+/g, "™")
    .replace(/\(C\)+/g, "©")
    .replace(/CPU+/g, "")
    .replace(/\s+/g, " ")
    .trim()
    .split(" ");
  words.shift();
  return words.join(" ");
}

/** systeminformation's manufacturer for a model name (the vendors it knows; else the name). */
function manufacturer(modelName: string): string {
  const lower = modelName.toLowerCase();
  for (const [needle, name] of [
    ["intel", "Intel"],
    ["amd", "AMD"],
    ["qemu", "QEMU"],
    ["hygon", "Hygon"],
  ] as const) {
    if (lower.includes(needle)) return name;
  }
  return modelName;
}

/** Python's platform.machine() as Node's process.arch names it (what systeminformation reports). */
const NODE_ARCH: Readonly<Record<string, string>> = {
  x86_64: "x64",
  amd64: "x64",
  aarch64: "arm64",
  arm64: "arm64",
  i386: "ia32",
  i686: "ia32",
  armv7l: "arm",
  ppc64le: "ppc64",
  s390x: "s390x",
};

/** The host part of a fingerprint from what the probe saw, spelled as host.ts (systeminformation) spells it. */
export function hostFromProbe(container: ContainerFingerprint): HostFingerprint | undefined {
  const system: ProbeSystem | undefined = container.system;
  if (system === undefined || system.cpu.model === null) return undefined;
  const flags = [...new Set(system.cpu.flags.map((f) => f.toLowerCase()))].sort();
  const cores = system.cpu.logicalCores ?? container.cpuCount ?? 0;
  const machine = container.platform.machine;
  return {
    cpu: {
      model: systeminformationBrand(system.cpu.model),
      vendor: manufacturer(system.cpu.model),
      cores,
      physicalCores: system.cpu.physicalCores ?? cores,
      flags,
      avx2: flags.includes("avx2"),
      avx512: flags.some((f) => f.startsWith("avx512")),
    },
    memoryBytes: system.memoryBytes ?? 0,
    os: {
      platform: container.platform.system.toLowerCase(),
      distro: system.os["NAME"] ?? container.platform.system,
      release: system.os["VERSION_ID"] ?? "",
      kernel: system.kernel,
      arch: NODE_ARCH[machine.toLowerCase()] ?? machine,
    },
    gpus: system.gpus,
  };
}
