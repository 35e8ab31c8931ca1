import { readFileSync } from "node:fs";

// Loads the answers recorded from a real MLflow server by
// test/python/record_tracking_fixtures.py, and serves them from a fake fetch.

export interface Recorded {
  request: {
    method: string;
    path: string;
    query: Record<string, unknown> | null;
    body: Record<string, unknown> | null;
  };
  status: number;
  body: unknown;
}

const dir = new URL("../../fixtures/tracking/", import.meta.url);

export function recorded(name: string): Recorded {
  return JSON.parse(readFileSync(new URL(`${name}.json`, dir), "utf8")) as Recorded;
}

export function fixtureIds(): Record<string, string> {
  return JSON.parse(readFileSync(new URL("ids.json", dir), "utf8")) as Record<string, string>;
}

export interface SeenRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: unknown;
}

export type Responder = (req: SeenRequest) => Response | Promise<Response>;

/** A fetch that records every request and answers with `responder`. */
export function fakeFetch(responder: Responder): { fetch: typeof fetch; seen: SeenRequest[] } {
  const seen: SeenRequest[] = [];
  const impl = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    const raw = init?.body;
    const body = typeof raw === "string" ? (JSON.parse(raw) as unknown) : raw;
    const req: SeenRequest = { method: init?.method ?? "GET", url, headers: new Headers(init?.headers), body };
    seen.push(req);
    return responder(req);
  }) as typeof fetch;
  return { fetch: impl, seen };
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

export function answer(rec: Recorded): Response {
  return jsonResponse(rec.status, rec.body);
}

/** Serve recorded pages: picks the fixture whose recorded page_token equals the request's. */
export function pagedResponder(names: string[], tokenOf: (req: SeenRequest) => string | undefined): Responder {
  const recs = names.map(recorded);
  return (req) => {
    const token = tokenOf(req);
    const rec = recs.find((r) => {
      const t = (r.request.body?.["page_token"] ?? r.request.query?.["page_token"]) as string | undefined;
      return t === token;
    });
    if (!rec)
      return jsonResponse(400, {
        error_code: "INVALID_PARAMETER_VALUE",
        message: `no recorded page for token ${token}`,
      });
    return answer(rec);
  };
}
