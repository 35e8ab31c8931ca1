// The --accept levels as plain data, without zod: the CLI's option definitions read
// them at start, and `--help` should not pay for the schema library (drift/schema.ts
// builds its enum from this list).

/** The weakest metric verdict a run may have and still count as reproduced. */
export const ACCEPT_LEVELS = ["identical", "equivalent", "varies"] as const;
export type AcceptLevel = (typeof ACCEPT_LEVELS)[number];
export const DEFAULT_ACCEPT: AcceptLevel = "varies";
