import type { z } from "zod";
import { BadInputError, type FailureKind, ReproAuditError, zodIssueLines } from "../errors.js";

// Errors carry what the client was doing ("searching runs in experiment 1") and the
// endpoint, so that a message printed at the top of the CLI tells the user both what
// failed and where, without a stack trace.

export interface RequestContext {
  /** What was being done, in words: "getting run abc123". */
  action: string;
  /** HTTP method and path (no query secrets; the client never puts credentials in URLs). */
  method: string;
  endpoint: string;
}

/** The server answered with an error status; MLflow's error_code is kept when it sent one. */
export class MlflowError extends ReproAuditError {
  override readonly name = "MlflowError";
  readonly kind: FailureKind;
  readonly errorCode: string;
  readonly status: number;
  readonly action: string;
  readonly endpoint: string;
  readonly serverMessage: string;

  constructor(ctx: RequestContext, status: number, errorCode: string | undefined, serverMessage: string) {
    const code = errorCode ?? `HTTP_${status}`;
    super(
      `MLflow error while ${ctx.action}: ${code} (HTTP ${status}) from ${ctx.method} ${ctx.endpoint}: ${serverMessage}`,
    );
    this.errorCode = code;
    this.status = status;
    this.action = ctx.action;
    this.endpoint = ctx.endpoint;
    this.serverMessage = serverMessage;
    this.kind = status === 401 || status === 403 ? "access refused by the server" : "tracking server error";
  }

  /** MLflow answers RESOURCE_DOES_NOT_EXIST (404) for missing experiments, runs, models. */
  get isNotFound(): boolean {
    return this.errorCode === "RESOURCE_DOES_NOT_EXIST" || this.status === 404;
  }
}

/** No answer at all: connection refused, DNS, TLS, timeout; after retries were spent. */
export class MlflowUnreachableError extends ReproAuditError {
  override readonly name = "MlflowUnreachableError";
  readonly kind = "unreachable server";
  readonly baseUrl: string;
  readonly action: string;
  readonly endpoint: string;
  readonly attempts: number;

  constructor(baseUrl: string, ctx: RequestContext, attempts: number, cause: unknown) {
    const why = describeCause(cause);
    super(
      `MLflow tracking server at ${baseUrl} is unreachable while ${ctx.action} ` +
        `(${ctx.method} ${ctx.endpoint}, ${attempts} attempt${attempts === 1 ? "" : "s"}): ${why}. ` +
        `Check MLFLOW_TRACKING_URI and that the server is running (repro-audit server start).`,
      { cause },
    );
    this.baseUrl = baseUrl;
    this.action = ctx.action;
    this.endpoint = ctx.endpoint;
    this.attempts = attempts;
  }
}

/** The server answered 2xx but the body did not have the shape this client relies on. */
export class MlflowSchemaError extends ReproAuditError {
  override readonly name = "MlflowSchemaError";
  readonly kind = "unexpected server answer";
  readonly action: string;
  readonly endpoint: string;
  /** Each mismatch as "runs[3].info.start_time: expected number, received boolean". */
  readonly problems: string[];

  constructor(ctx: RequestContext, issues: readonly z.core.$ZodIssue[]) {
    const problems = zodIssueLines(issues, { pathText: formatPath });
    super(
      `Unexpected answer from MLflow while ${ctx.action} (${ctx.method} ${ctx.endpoint}): ` +
        `${problems.slice(0, 5).join("; ")}${problems.length > 5 ? `; and ${problems.length - 5} more` : ""}. ` +
        `The server may run an MLflow version this client does not support.`,
    );
    this.action = ctx.action;
    this.endpoint = ctx.endpoint;
    this.problems = problems;
  }
}

/** A path from the server or the user that would escape its directory or is malformed. */
export class UnsafePathError extends BadInputError {
  override readonly name = "UnsafePathError";
  readonly path: string;
  constructor(path: string, reason: string) {
    super(`Refusing artifact path ${JSON.stringify(path)}: ${reason}`);
    this.path = path;
  }
}

/** Bad configuration (MLFLOW_TRACKING_URI and friends). */
export class MlflowConfigError extends BadInputError {
  override readonly name = "MlflowConfigError";
}

export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(root)";
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    // undici wraps the socket error: "fetch failed" with cause ECONNREFUSED.
    const inner = (cause as { cause?: unknown }).cause;
    if (inner instanceof Error) {
      const code = (inner as { code?: string }).code;
      return code ? `${code} (${inner.message})` : inner.message;
    }
    return cause.message;
  }
  return String(cause);
}
