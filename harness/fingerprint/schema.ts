import { z } from "zod";
import { ExecutorKindSchema } from "../exec/executors.js";

/**
 * Fingerprint schemas: what a machine, a container and a code checkout looked like
 * when a run (or a replay) executed. Every fingerprint that enters the harness
 * (probe stdout, journal lines, reports on disk) is parsed with these.
 */

const nullableString = z.string().nullable();

export const CpuFingerprintSchema = z.object({
  model: z.string(),
  vendor: z.string(),
  cores: z.number().int().nonnegative(),
  physicalCores: z.number().int().nonnegative(),
  /** Lower-cased, de-duplicated, sorted (see normaliseCpuFlags). */
  flags: z.array(z.string()),
  /** AVX2 / AVX-512 select different BLAS kernels, which changes floating-point results. */
  avx2: z.boolean(),
  avx512: z.boolean(),
});

export const GpuFingerprintSchema = z.object({
  vendor: z.string(),
  model: z.string(),
  vramMb: z.number().optional(),
  driver: z.string().optional(),
});

export const HostFingerprintSchema = z.object({
  cpu: CpuFingerprintSchema,
  memoryBytes: z.number().nonnegative(),
  os: z.object({
    platform: z.string(),
    distro: z.string(),
    release: z.string(),
    kernel: z.string(),
    arch: z.string(),
  }),
  gpus: z.array(GpuFingerprintSchema),
  docker: z
    .object({
      version: z.string(),
      apiVersion: z.string(),
    })
    .optional(),
});

export const BlasLibrarySchema = z.object({
  internal_api: z.string(),
  prefix: z.string(),
  filepath: z.string().optional(),
  version: z.string().optional(),
  num_threads: z.number().int(),
  threading_layer: z.string().optional(),
  architecture: z.string().optional(),
  user_api: z.string().optional(),
});

export const DistributionSchema = z.object({
  /** PEP 503-normalised name, so "scikit_learn" and "scikit-learn" compare equal. */
  name: z.string().min(1),
  version: z.string(),
});

/**
 * The machine as the probe sees it from inside (CPU from /proc/cpuinfo, memory, the
 * OS release of the image or host it runs in, GPUs through nvidia-smi, whether it is
 * a container). Absent from probes older than the capture plugin.
 */
export const ProbeSystemSchema = z.object({
  cpu: z.object({
    model: nullableString,
    vendor: nullableString,
    logicalCores: z.number().int().nonnegative().nullable(),
    physicalCores: z.number().int().nonnegative().nullable(),
    flags: z.array(z.string()),
  }),
  memoryBytes: z.number().nonnegative().nullable(),
  /** /etc/os-release: NAME, VERSION_ID, PRETTY_NAME, ID where present */
  os: z.record(z.string(), z.string()),
  kernel: z.string(),
  gpus: z.array(GpuFingerprintSchema),
  /** the image ID is not visible from inside; the harness records it on replays */
  container: z.object({ runtime: nullableString, id: nullableString }).nullable(),
});

export const ContainerFingerprintSchema = z.object({
  python: z.object({
    version: z.string(),
    implementation: z.string(),
    build: z.string(),
    compiler: z.string(),
    executable: z.string(),
  }),
  distributions: z.array(DistributionSchema),
  /** threadpoolctl's view of loaded BLAS/OpenMP libraries; [] when threadpoolctl is absent. */
  blas: z.array(BlasLibrarySchema),
  /** Modules the probe imported so that their BLAS libraries were loaded before asking threadpoolctl. */
  blasProbeImports: z.array(z.string()).optional(),
  numpy: z
    .object({
      version: z.string(),
      config: z.record(z.string(), z.unknown()).nullable(),
    })
    .nullable()
    .optional(),
  visibleCpus: z.array(z.number().int().nonnegative()).nullable(),
  cpuCount: z.number().int().nullable(),
  cgroup: z
    .object({
      cpuQuota: z.number().nullable(),
      memoryLimitBytes: z.number().nullable(),
    })
    .optional(),
  locale: z.object({
    language: nullableString,
    encoding: nullableString,
    preferredEncoding: nullableString,
    filesystemEncoding: nullableString,
    LANG: nullableString.optional(),
    LC_ALL: nullableString.optional(),
  }),
  timezone: z.object({
    TZ: nullableString,
    tzname: z.array(z.string()),
    utcOffsetSeconds: z.number(),
  }),
  pythonHashSeed: nullableString,
  threadEnv: z.record(z.string(), nullableString),
  /** Names of ALL environment variables, secret or not. */
  envNames: z.array(z.string()),
  /** Values by name; secret-looking names carry REDACTED, URLs lose their credentials. */
  env: z.record(z.string(), z.string()),
  platform: z.object({
    system: z.string(),
    release: z.string(),
    machine: z.string(),
    libc: nullableString,
  }),
  system: ProbeSystemSchema.optional(),
});

export const CodeFingerprintSchema = z.object({
  commit: z.string().optional(),
  /** null when the directory is not inside a git work tree. */
  dirty: z.boolean().nullable(),
  /** sha256 of `git diff HEAD --binary` (tracked changes only). */
  diffSha256: z.string().optional(),
  diffBytes: z.number().int().nonnegative().optional(),
  /** Untracked, non-ignored files: `git diff HEAD` does not see them, so they are hashed apart. */
  untracked: z
    .object({
      count: z.number().int().nonnegative(),
      sha256: z.string(),
    })
    .optional(),
  /** Credentials stripped. */
  repositoryUrl: z.string().optional(),
  branch: z.string().optional(),
});

export const FingerprintSchema = z.object({
  host: HostFingerprintSchema.optional(),
  container: ContainerFingerprintSchema.optional(),
  code: CodeFingerprintSchema.optional(),
  imageId: z.string().optional(),
  executor: ExecutorKindSchema,
  capturedAt: z.iso.datetime({ offset: true }),
});

export type GpuFingerprint = z.infer<typeof GpuFingerprintSchema>;
export type HostFingerprint = z.infer<typeof HostFingerprintSchema>;
export type BlasLibrary = z.infer<typeof BlasLibrarySchema>;
export type ContainerFingerprint = z.infer<typeof ContainerFingerprintSchema>;
export type ProbeSystem = z.infer<typeof ProbeSystemSchema>;
export type CodeFingerprint = z.infer<typeof CodeFingerprintSchema>;
export type Fingerprint = z.infer<typeof FingerprintSchema>;
