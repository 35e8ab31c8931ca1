import { request as httpsRequest } from "node:https";
import { request as httpRequest } from "node:http";
import { Readable } from "node:stream";

// MLFLOW_TRACKING_INSECURE_TLS=true turns off certificate checks, as MLflow's client
// does. Node's built-in fetch cannot be told that per request without the undici
// package, and setting NODE_TLS_REJECT_UNAUTHORIZED would switch it off for the whole
// process; so this one narrow fetch, used only when asked, goes through node:https with
// rejectUnauthorized: false. It supports what the client sends: string, Uint8Array and
// Blob bodies, and an AbortSignal.

export const insecureFetch: typeof fetch = async (input, init) => {
  const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
  const body = await bodyBytes(init?.body);
  const headers: Record<string, string> = {};
  new Headers(init?.headers).forEach((v, k) => {
    headers[k] = v;
  });
  if (body) headers["content-length"] = String(body.byteLength);
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;

  return new Promise<Response>((resolve, reject) => {
    const req = request(
      url,
      { method: init?.method ?? "GET", headers, rejectUnauthorized: false, signal: init?.signal ?? undefined },
      (res) => {
        const resHeaders = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          if (Array.isArray(v)) for (const x of v) resHeaders.append(k, x);
          else if (v !== undefined) resHeaders.set(k, v);
        }
        const status = res.statusCode ?? 500;
        const noBody = status === 204 || status === 304 || init?.method === "HEAD";
        const stream = noBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
        if (noBody) res.resume();
        resolve(new Response(stream, { status, statusText: res.statusMessage ?? "", headers: resHeaders }));
      },
    );
    // fetch reports network failures as TypeError("fetch failed", { cause }); match it so
    // the transport's retry logic treats both the same way.
    req.on("error", (err) => reject(new TypeError("fetch failed", { cause: err })));
    if (body) req.end(body);
    else req.end();
  });
};

async function bodyBytes(body: unknown): Promise<Uint8Array | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return Buffer.from(body, "utf8");
  if (body instanceof Uint8Array) return body;
  if (body instanceof Blob) return new Uint8Array(await body.arrayBuffer());
  throw new TypeError("insecureFetch: unsupported body type");
}
