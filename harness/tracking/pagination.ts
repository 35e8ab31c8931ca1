// MLflow search endpoints hand out a next_page_token until the last page; an empty or
// missing token ends the listing. A server that repeats a token would loop forever, so
// a repeated token is an error rather than a hang.

export interface Page<T> {
  items: T[];
  nextPageToken?: string | undefined;
}

export async function* pages<T>(fetchPage: (pageToken: string | undefined) => Promise<Page<T>>): AsyncGenerator<T[]> {
  const seen = new Set<string>();
  let token: string | undefined;
  for (;;) {
    const page = await fetchPage(token);
    yield page.items;
    const next = page.nextPageToken;
    if (!next) return;
    if (seen.has(next))
      throw new Error(
        `MLflow returned the page token ${JSON.stringify(next)} twice; stopping to avoid an endless listing`,
      );
    seen.add(next);
    token = next;
  }
}

/** Read every page and concatenate the items, in server order. */
export async function collectAll<T>(fetchPage: (pageToken: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const all: T[] = [];
  for await (const items of pages(fetchPage)) all.push(...items);
  return all;
}

/** What one request of a listing asks for. */
export interface PageRequest {
  pageToken: string | undefined;
  /** The page size, or fewer when only that many are left before the limit. */
  maxResults: number;
}

export interface ListingOptions {
  /** Items asked per request; each endpoint has its own server cap. */
  pageSize: number;
  /** Stop after this many items; all when unset. */
  limit?: number | undefined;
}

/**
 * The paging every search endpoint shares: ask for `pageSize` (fewer near the limit),
 * follow tokens, and stop at the limit without reading another page. Empty pages are
 * not yielded, so streaming callers see only pages with items.
 */
export async function* listPages<T>(
  opts: ListingOptions,
  fetchPage: (req: PageRequest) => Promise<Page<T>>,
): AsyncGenerator<T[]> {
  const limit = opts.limit ?? Number.POSITIVE_INFINITY;
  if (limit <= 0) return;
  let got = 0;
  for await (const items of pages<T>(async (pageToken) => {
    const page = await fetchPage({ pageToken, maxResults: Math.min(opts.pageSize, limit - got) });
    // A server may send more than asked; never hand out more than the limit.
    const kept = page.items.slice(0, limit - got);
    got += kept.length;
    return { items: kept, nextPageToken: got >= limit ? undefined : page.nextPageToken };
  })) {
    if (items.length > 0) yield items;
  }
}

/** `listPages`, concatenated in server order. */
export async function listAll<T>(
  opts: ListingOptions,
  fetchPage: (req: PageRequest) => Promise<Page<T>>,
): Promise<T[]> {
  const all: T[] = [];
  for await (const items of listPages(opts, fetchPage)) all.push(...items);
  return all;
}
