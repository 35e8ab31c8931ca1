import type { z } from "zod";

/** Raised when a file the user gave does not fit its schema; the message is ready to print. */
export class FileFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FileFormatError";
  }
}

/** One line per problem: `file: path.to.field: what is wrong`. */
export function zodProblems(label: string, error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.map(String).join(".") : "(top level)";
    return `${label}: ${path}: ${issue.message}`;
  });
}

export function fileFormatError(label: string, error: z.ZodError, hint?: string): FileFormatError {
  const lines = zodProblems(label, error);
  if (hint) lines.push(hint);
  return new FileFormatError(lines.join("\n"));
}
