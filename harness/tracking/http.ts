import type { z } from "zod";
import { authorizationHeader, type Credentials } from "./auth.js";
import { ErrorBodySchema } from "./schemas.js";
import { MlflowError, MlflowSchemaError, MlflowUnreachableError, type RequestContext } from "./errors.js";
import { backoffDelayMs, DEFAULT_RETRY_POLICY, isRetryableStatus, sleep, type RetryPolicy } from "./retry.js";

// One place that turns "call this endpoint" into a checked, typed answer: auth header,
// retries with backoff, error mapping (MLflow's error_code kept), and schema validation
// of the body. Everything above it deals in typed values only.

export interface TransportOptions extends Credentials {
  baseUrl: string;
  fetchImpl?: typeof fetch | undefined;
  retry?: { [K in keyof RetryPolicy]?: RetryPolicy[K] | undefined } | undefined;
  /** Per-attempt timeout; MLflow's client default is 120 s. */
  timeoutMs?: number | undefined;
}

export type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

export interface RawRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path below the base URL, starting with /api/. Already URL-encoded. */
  path: string;
  query?: Query | undefined;
  /** A JSON body (serialised here) or raw bytes (sent as application/octet-stream). */
  json?: unknown;
  bytes?: Blob | Uint8Array | undefined;
  action: string;
}

export class HttpTransport {
  readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly policy: RetryPolicy;
  private readonly auth: string | undefined;
  private readonly timeoutMs: number;

  constructor(opts: TransportOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, "");
    this.fetchImpl = opts.fetchImpl ?? fetch;
    const r = opts.retry ?? {};
    this.policy = {
      retries: r.retries ?? DEFAULT_RETRY_POLICY.retries,
      baseDelayMs: r.baseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
      maxDelayMs: r.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
    };
    this.auth = authorizationHeader(opts);
    this.timeoutMs = opts.timeoutMs ?? 120_000;
  }

  /** Send a request and validate its JSON answer against `schema`. */
  async json<S extends z.ZodType>(req: RawRequest, schema: S): Promise<z.output<S>> {
    const res = await this.send(req);
    const ctx = this.context(req);
    const text = await res.text();
    let body: unknown;
    try {
      body = text.trim() === "" ? {} : JSON.parse(text);
    } catch {
      throw new MlflowSchemaError(ctx, [
        { code: "custom", path: [], message: `answer is not JSON: ${text.slice(0, 120)}`, input: text },
      ]);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new MlflowSchemaError(ctx, parsed.error.issues);
    return parsed.data;
  }

  /**
   * Send with retries; returns the successful (2xx) Response with its body unread.
   * Non-retryable error statuses, and retryable ones once retries are spent, become
   * MlflowError; network failures become MlflowUnreachableError.
   */
  async send(req: RawRequest): Promise<Response> {
    const url = this.url(req.path, req.query);
    const ctx = this.context(req);
    const headers: Record<string, string> = {};
    if (this.auth) headers["authorization"] = this.auth;
    let body: string | Blob | Uint8Array | undefined;
    if (req.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(req.json);
    } else if (req.bytes !== undefined) {
      headers["content-type"] = "application/octet-stream";
      body = req.bytes;
    }

    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        const init: RequestInit = { method: req.method, headers, signal: AbortSignal.timeout(this.timeoutMs) };
        if (body !== undefined) init.body = body as NonNullable<RequestInit["body"]>;
        res = await this.fetchImpl(url, init);
      } catch (err) {
        if (attempt <= this.policy.retries) {
          await sleep(backoffDelayMs(this.policy, attempt));
          continue;
        }
        throw new MlflowUnreachableError(this.baseUrl, ctx, attempt, err);
      }
      if (res.ok) return res;
      if (isRetryableStatus(res.status) && attempt <= this.policy.retries) {
        // Release the connection; not awaited, as cancelling a body need not settle promptly.
        res.body?.cancel().catch(() => undefined);
        await sleep(backoffDelayMs(this.policy, attempt, res.headers.get("retry-after")));
        continue;
      }
      throw await toMlflowError(ctx, res);
    }
  }

  url(path: string, query?: Query): string {
    const u = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const item of v) u.searchParams.append(k, String(item));
      else u.searchParams.set(k, String(v));
    }
    return u.toString();
  }

  private context(req: RawRequest): RequestContext {
    return { action: req.action, method: req.method, endpoint: req.path };
  }
}

async function toMlflowError(ctx: RequestContext, res: Response): Promise<MlflowError> {
  const text = await res.text().catch(() => "");
  let code: string | undefined;
  let message = text.trim().slice(0, 500) || res.statusText;
  try {
    const parsed = ErrorBodySchema.safeParse(JSON.parse(text));
    if (parsed.success) {
      code = parsed.data.error_code;
      if (parsed.data.message) message = parsed.data.message;
    }
  } catch {
    // Not JSON (a proxy's HTML error page, say): keep the raw text as the message.
  }
  return new MlflowError(ctx, res.status, code, message);
}
