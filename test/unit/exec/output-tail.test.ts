import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OutputTail } from "../../../harness/exec/output-tail.js";

describe("OutputTail", () => {
  // ASCII text round-trips exactly; arbitrary bytes are checked on the raw tail.
  it("keeps exactly the last N bytes of whatever was pushed", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 30 }),
        fc.integer({ min: 0, max: 700 }),
        (chunks, limit) => {
          const t = new OutputTail(limit);
          for (const c of chunks) t.push(Buffer.from(c));
          const all = Buffer.concat(chunks.map((c) => Buffer.from(c)));
          expect(t.bytesSeen).toBe(all.length);
          expect(t.truncated).toBe(all.length > limit);
          expect(t.bytes().equals(all.subarray(Math.max(0, all.length - limit)))).toBe(true);
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 200, unit: "grapheme-ascii" }), { maxLength: 30 }),
        fc.integer({ min: 0, max: 500 }),
        (chunks, limit) => {
          const t = new OutputTail(limit);
          for (const c of chunks) t.push(c);
          const all = chunks.join("");
          expect(t.text()).toBe(all.slice(Math.max(0, all.length - limit)));
        },
      ),
    );
  });

  it("does not show a UTF-8 character cut in half by the limit", () => {
    const t = new OutputTail(4);
    t.push("aé€"); // a(1) é(2) €(3) = 6 bytes; the last 4 start inside é
    expect(t.truncated).toBe(true);
    expect(t.text()).toBe("€");
  });

  it("untruncated output is kept whole", () => {
    const t = new OutputTail(100);
    t.push("hello ");
    t.push(Buffer.from("wörld\n"));
    expect(t.truncated).toBe(false);
    expect(t.text()).toBe("hello wörld\n");
  });

  it("rejects a nonsense limit", () => {
    expect(() => new OutputTail(-1)).toThrow(/non-negative/);
  });
});
