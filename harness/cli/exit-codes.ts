/** The harness's exit codes, as CI pipelines read them. */
export const ExitCode = {
  ok: 0,
  /** an audit found a run that did not reproduce */
  notReproduced: 1,
  /** bad input, unreachable server, or an infrastructure failure */
  usageOrInfra: 2,
} as const;

/** An error whose message is already written for the user: printed as is, exit 2. */
export class UserFacingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UserFacingError";
  }
}
