import type { z } from "zod";

// One error model: every failure the harness expects (as opposed to a bug) is a
// ReproAuditError whose kind says what sort of failure it is. The CLI maps kinds to
// exit codes in one table and prints `kind: message`; nothing above this module has
// to know which module threw.

/** The words are what the CLI prints before the message: users and scripts read them. */
export const FAILURE_KINDS = [
  "bad input",
  "unreachable server",
  "access refused by the server",
  "tracking server error",
  "unexpected server answer",
  "container engine unavailable",
  "unexpected probe output",
  "interrupted",
] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

export abstract class ReproAuditError extends Error {
  abstract readonly kind: FailureKind;
}

/** What the user asked for cannot be done as asked; the message says how to fix it. */
export class BadInputError extends ReproAuditError {
  readonly kind = "bad input";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BadInputError";
  }
}

/** The kind of an expected failure; undefined for anything else (a bug). */
export function failureKindOf(err: unknown): FailureKind | undefined {
  return err instanceof ReproAuditError ? err.kind : undefined;
}

/**
 * zod's issues as one line each, `prefix path: message`: the one way a schema
 * failure is put into words. `root` names an empty path; `pathText` spells a path
 * another way (the tracking client writes `runs[3].info`).
 */
export function zodIssueLines(
  issues: readonly z.core.$ZodIssue[],
  opts: { prefix?: string; root?: string; pathText?: (path: readonly PropertyKey[]) => string } = {},
): string[] {
  const root = opts.root ?? "(top level)";
  const pathText = opts.pathText ?? ((path) => (path.length > 0 ? path.map(String).join(".") : root));
  return issues.map((issue) => `${opts.prefix ?? ""}${pathText(issue.path)}: ${issue.message}`);
}

/** The first issue's message alone, for values whose name the caller already prints. */
export function firstIssueMessage(error: z.ZodError): string {
  return error.issues[0]?.message ?? "invalid";
}
