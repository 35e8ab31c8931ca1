import { z } from "zod";
import { LIMIT_BOUNDS } from "./limit-bounds.js";
import { zodProblems } from "./zod-message.js";
import { BadInputError } from "../errors.js";

const bounded = (b: { min: number; max: number; unit: string }) =>
  z
    .number()
    .min(b.min, { error: `at least ${b.min} ${b.unit}` })
    .max(b.max, { error: `at most ${b.max} ${b.unit}` });

/** Resource limits for one replay, as a scenario or the CLI states them (seconds, MiB). */
export const LimitsSchema = z.object({
  timeoutSeconds: bounded(LIMIT_BOUNDS.timeoutSeconds),
  memoryMb: bounded(LIMIT_BOUNDS.memoryMb).int(),
  cpus: bounded(LIMIT_BOUNDS.cpus),
  pids: bounded(LIMIT_BOUNDS.pids).int(),
});
export type Limits = z.infer<typeof LimitsSchema>;

/** Defaults sized for the bundled scenarios on a 2-core machine. */
export const DEFAULT_LIMITS: Limits = { timeoutSeconds: 600, memoryMb: 2048, cpus: 1, pids: 256 };

/** Limits out of range (from a scenario file or a library caller); the message is ready to print. */
export class LimitsError extends BadInputError {
  constructor(message: string) {
    super(message);
    this.name = "LimitsError";
  }
}

export function mergeLimits(...layers: Array<Partial<Limits> | undefined>): Limits {
  let out: Limits = { ...DEFAULT_LIMITS };
  for (const layer of layers) if (layer) out = { ...out, ...definedOnly(layer) };
  const checked = LimitsSchema.safeParse(out);
  if (!checked.success)
    throw new LimitsError(
      `${zodProblems("replay limits", checked.error).join("; ")} (the scenario's limits or the --timeout/--memory/--cpus/--pids flags)`,
    );
  return checked.data;
}

function definedOnly(l: Partial<Limits>): Partial<Limits> {
  return Object.fromEntries(Object.entries(l).filter(([, v]) => v !== undefined)) as Partial<Limits>;
}
