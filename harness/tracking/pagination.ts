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
    if (seen.has(next)) throw new Error(`MLflow returned the page token ${JSON.stringify(next)} twice; stopping to avoid an endless listing`);
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
