import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { notebookSource } from "../../harness/scan/notebook.js";
import { extractFacts } from "../../harness/scan/python-facts.js";

// The real Python parser (host python3) over the scan fixtures, against the facts
// recorded for the classifier's unit tests (test/fixtures/scan-facts/facts.json):
// the unit tests classify what the extractor really says. REPRO_AUDIT_RECORD=1
// rewrites the recording after a deliberate change to extract.py.

const FIXTURES = new URL("../fixtures/scan/", import.meta.url).pathname;
const RECORDED = new URL("../fixtures/scan-facts/facts.json", import.meta.url).pathname;
const RECORDED_FILES = [
  "tracking/aliases.py",
  "tracking/hazards.ipynb",
  "hazards/rng.py",
  "hazards/gpu.py",
  "hazards/download.py",
  "seeded/train.py",
  "broken/py2.py",
];

function sourceOf(file: string): string {
  const text = readFileSync(join(FIXTURES, file), "utf8");
  if (!file.endsWith(".ipynb")) return text;
  const nb = notebookSource(text);
  if (typeof nb === "string") throw new Error(nb);
  return nb.source;
}

describe("scan: Python's ast over the fixtures (extract.py)", () => {
  const saved = process.env["REPRO_AUDIT_HOST_PYTHON"];
  afterEach(() => {
    if (saved === undefined) delete process.env["REPRO_AUDIT_HOST_PYTHON"];
    else process.env["REPRO_AUDIT_HOST_PYTHON"] = saved;
  });

  it("answers what the recording says, one process for the batch", async () => {
    let progress = 0;
    const facts = await extractFacts(
      RECORDED_FILES.map((id) => ({ id, source: sourceOf(id) })),
      (n) => {
        progress = n;
      },
    );
    expect(progress).toBe(RECORDED_FILES.length);
    const answered = Object.fromEntries(RECORDED_FILES.map((f) => [f, facts.get(f)]));
    if (process.env["REPRO_AUDIT_RECORD"] === "1") writeFileSync(RECORDED, `${JSON.stringify(answered, null, 1)}\n`);
    expect(answered).toEqual(JSON.parse(readFileSync(RECORDED, "utf8")));
    expect(facts.get("broken/py2.py")).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^syntax error at line 1/),
    });
  });

  it("says how to fix a missing python", async () => {
    process.env["REPRO_AUDIT_HOST_PYTHON"] = "/nonexistent/python3";
    await expect(extractFacts([{ id: "a", source: "x = 1" }])).rejects.toThrow(
      /cannot run \/nonexistent\/python3 .*set REPRO_AUDIT_HOST_PYTHON/,
    );
  });
});
