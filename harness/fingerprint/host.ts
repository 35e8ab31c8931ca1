import Docker from "dockerode";
import si from "systeminformation";
import { HostFingerprintSchema, type GpuFingerprint, type HostFingerprint } from "./schema.js";

/** Whatever can tell the engine's version: a dockerode client, or a test double's shape. */
export interface DockerVersionSource {
  version(): Promise<{ Version?: string; ApiVersion?: string }>;
}

export interface HostFingerprintOptions {
  /** Engine to ask; default a dockerode client from DOCKER_HOST or the default socket. null: skip. */
  docker?: DockerVersionSource | null;
  /** Upper bound for each slow probe (graphics scans PCI, docker may hang on a dead socket). */
  timeoutMs?: number;
}

/** Flags as a sorted, lower-case, de-duplicated list; systeminformation gives one space-separated string. */
export function normaliseCpuFlags(flags: string): string[] {
  return [
    ...new Set(
      flags
        .toLowerCase()
        .split(/[\s,]+/)
        .filter((f) => f.length > 0),
    ),
  ].sort();
}

export function hasAvx512(flags: readonly string[]): boolean {
  return flags.some((f) => f.startsWith("avx512"));
}

/** Resolve to `fallback` when `promise` is slower than `ms` or fails: a fingerprint never blocks a replay. */
async function bounded<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise.catch(() => fallback), timeout]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

function toGpus(controllers: si.Systeminformation.GraphicsControllerData[]): GpuFingerprint[] {
  return controllers.map((c) => {
    const gpu: GpuFingerprint = { vendor: c.vendor || "", model: c.model || c.name || "" };
    const vram = c.memoryTotal ?? c.vram;
    if (typeof vram === "number" && vram > 0) gpu.vramMb = vram;
    if (c.driverVersion) gpu.driver = c.driverVersion;
    return gpu;
  });
}

async function dockerEngine(source: DockerVersionSource | null, timeoutMs: number): Promise<HostFingerprint["docker"]> {
  if (source === null) return undefined;
  const info = await bounded(source.version(), timeoutMs, null);
  if (!info?.Version) return undefined;
  return { version: info.Version, apiVersion: info.ApiVersion ?? "" };
}

/** Capture without caching; prefer hostFingerprint(). */
export async function captureHostFingerprint(options: HostFingerprintOptions = {}): Promise<HostFingerprint> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const dockerSource = options.docker === undefined ? new Docker() : options.docker;
  const emptyGraphics: si.Systeminformation.GraphicsData = { controllers: [], displays: [] };
  const [cpu, flags, mem, os, graphics, docker] = await Promise.all([
    si.cpu(),
    bounded(si.cpuFlags(), timeoutMs, ""),
    si.mem(),
    si.osInfo(),
    bounded(si.graphics(), timeoutMs, emptyGraphics),
    dockerEngine(dockerSource, timeoutMs),
  ]);
  const normalised = normaliseCpuFlags(flags || cpu.flags || "");
  const host: HostFingerprint = {
    cpu: {
      model: cpu.brand,
      vendor: cpu.manufacturer || cpu.vendor,
      cores: cpu.cores,
      physicalCores: cpu.physicalCores,
      flags: normalised,
      avx2: normalised.includes("avx2"),
      avx512: hasAvx512(normalised),
    },
    memoryBytes: mem.total,
    os: {
      platform: os.platform,
      distro: os.distro,
      release: os.release,
      kernel: os.kernel,
      arch: os.arch,
    },
    gpus: toGpus(graphics.controllers),
  };
  if (docker) host.docker = docker;
  return HostFingerprintSchema.parse(host);
}

// The host does not change while the process runs, and systeminformation's graphics
// and docker calls take seconds: capture once, share the promise.
let cached: Promise<HostFingerprint> | undefined;

export function hostFingerprint(options: HostFingerprintOptions = {}): Promise<HostFingerprint> {
  if (!cached) {
    cached = captureHostFingerprint(options);
    // A failed capture should not poison every later replay.
    cached.catch(() => {
      cached = undefined;
    });
  }
  return cached;
}

/** For tests and for long-lived processes that move to another engine. */
export function resetHostFingerprintCache(): void {
  cached = undefined;
}
