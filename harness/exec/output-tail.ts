/**
 * Keeps only the last `limit` bytes of a stream: a replay may print gigabytes, the report needs
 * the end (where the traceback is). Memory stays O(limit) whatever the process writes.
 */
export class OutputTail {
  private chunks: Buffer[] = [];
  private held = 0;
  private total = 0;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 0)
      throw new Error(`output limit must be a non-negative integer, got ${limit}`);
  }

  push(chunk: Buffer | string): void {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    this.total += buf.length;
    if (this.limit === 0) return;
    if (buf.length >= this.limit) {
      this.chunks = [Buffer.from(buf.subarray(buf.length - this.limit))];
      this.held = this.limit;
      return;
    }
    this.chunks.push(buf);
    this.held += buf.length;
    while (this.held - (this.chunks[0]?.length ?? 0) >= this.limit) {
      this.held -= this.chunks.shift()?.length ?? 0;
    }
  }

  /** Bytes seen in total, kept or not. */
  get bytesSeen(): number {
    return this.total;
  }

  get truncated(): boolean {
    return this.total > this.limit;
  }

  /** The kept tail, raw. */
  bytes(): Buffer {
    const buf = Buffer.concat(this.chunks);
    return buf.length > this.limit ? buf.subarray(buf.length - this.limit) : buf;
  }

  /** The kept tail as text; a UTF-8 sequence cut by the limit is dropped rather than shown as garbage. */
  text(): string {
    const buf = this.bytes();
    let start = 0;
    if (this.truncated) while (start < buf.length && start < 3 && ((buf[start] ?? 0) & 0xc0) === 0x80) start++;
    return buf.subarray(start).toString("utf8");
  }
}
