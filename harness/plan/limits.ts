import { z } from "zod";

/** Resource limits for one replay, as a scenario or the CLI states them (seconds, MiB). */
export const LimitsSchema = z.object({
  timeoutSeconds: z.number().positive().max(7 * 24 * 3600),
  memoryMb: z.number().int().min(16),
  cpus: z.number().positive().max(1024),
  pids: z.number().int().min(16),
});
export type Limits = z.infer<typeof LimitsSchema>;

/** Defaults sized for the bundled scenarios on a 2-core machine. */
export const DEFAULT_LIMITS: Limits = { timeoutSeconds: 600, memoryMb: 2048, cpus: 1, pids: 256 };

export function mergeLimits(...layers: Array<Partial<Limits> | undefined>): Limits {
  let out: Limits = { ...DEFAULT_LIMITS };
  for (const layer of layers) if (layer) out = { ...out, ...definedOnly(layer) };
  return LimitsSchema.parse(out);
}

function definedOnly(l: Partial<Limits>): Partial<Limits> {
  return Object.fromEntries(Object.entries(l).filter(([, v]) => v !== undefined)) as Partial<Limits>;
}
