import type { FailureKind } from "../errors.js";

/** The harness's exit codes, as CI pipelines read them. */
export const ExitCode = {
  ok: 0,
  /** an audit found a run that did not reproduce */
  notReproduced: 1,
  /** a scan found reproducibility hazards: the same "the check found a problem" code */
  hazardsFound: 1,
  /** bad input, unreachable server, or an infrastructure failure */
  usageOrInfra: 2,
} as const;

/** The one table from a failure's kind to the exit code CI reads. */
export const EXIT_CODE_BY_KIND: Record<FailureKind, number> = {
  "bad input": ExitCode.usageOrInfra,
  "unreachable server": ExitCode.usageOrInfra,
  "access refused by the server": ExitCode.usageOrInfra,
  "tracking server error": ExitCode.usageOrInfra,
  "unexpected server answer": ExitCode.usageOrInfra,
  "container engine unavailable": ExitCode.usageOrInfra,
  "unexpected probe output": ExitCode.usageOrInfra,
  interrupted: ExitCode.usageOrInfra,
};
