import type { z } from "zod";
import { BadInputError, zodIssueLines } from "../errors.js";

/** Raised when a file the user gave does not fit its schema; the message is ready to print. */
export class FileFormatError extends BadInputError {
  constructor(message: string) {
    super(message);
    this.name = "FileFormatError";
  }
}

/** One line per problem: `file: path.to.field: what is wrong`. */
export function zodProblems(label: string, error: z.ZodError): string[] {
  return zodIssueLines(error.issues, { prefix: `${label}: ` });
}

export function fileFormatError(label: string, error: z.ZodError, hint?: string): FileFormatError {
  const lines = zodProblems(label, error);
  if (hint) lines.push(hint);
  return new FileFormatError(lines.join("\n"));
}
