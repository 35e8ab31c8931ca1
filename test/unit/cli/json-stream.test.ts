import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { jsonPieces, writeJsonDocument } from "../../../harness/cli/json-stream.js";

// The streamed document must be the very text JSON.stringify(doc, null, 2) gives.

describe("jsonPieces / writeJsonDocument", () => {
  const doc = {
    schema: "repro-audit/trace",
    skipped: undefined,
    runs: [{ runId: "a", items: [{ id: "x", detail: "line\nbreak" }], empty: [], nested: { n: 1 } }, { runId: "b" }],
    score: { value: 0.5, coverage: [] },
    nothing: null,
  };

  it("joins to JSON.stringify(doc, null, 2), with and without the array, empty docs included", () => {
    expect([...jsonPieces(doc, "runs")].join("")).toBe(JSON.stringify(doc, null, 2));
    expect([...jsonPieces({ ...doc, runs: [] }, "runs")].join("")).toBe(JSON.stringify({ ...doc, runs: [] }, null, 2));
    expect([...jsonPieces({}, "runs")].join("")).toBe(JSON.stringify({}, null, 2));
    // One piece per run, not one for the whole array.
    expect([...jsonPieces(doc, "runs")].filter((p) => p.includes('"runId"'))).toHaveLength(2);
  });

  it("writes the document and a newline, with terminal escapes, through backpressure", async () => {
    const big = { runs: Array.from({ length: 2000 }, (_, i) => ({ runId: String(i), name: "x\u202Ey".repeat(20) })) };
    const out = new PassThrough({ highWaterMark: 1024 });
    const chunks: Buffer[] = [];
    out.on("data", (c: Buffer) => chunks.push(c));
    await writeJsonDocument(out, big, "runs");
    const text = Buffer.concat(chunks).toString("utf8");
    expect(text).toBe(`${JSON.stringify(big, null, 2).replace(/\u202E/g, "\\u202e")}\n`);
    expect(JSON.parse(text)).toEqual(big);
  });
});
