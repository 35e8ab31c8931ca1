import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { USAGE_DIR, USAGE_FILE, measuredCommand, parseUsage } from "../../../harness/exec/usage.js";

// The usage wrapper compare runs each execution under: run for real with the host's
// python3 (the same stdlib-only code runs in the image), and its file's parsing.

describe("usage wrapper", () => {
  it("runs the shell command, keeps its exit code, and writes CPU, peak RSS and bytes written", () => {
    const dir = mkdtempSync(join(tmpdir(), "repro-usage-"));
    try {
      const argv = measuredCommand(
        `python3 -c "x = bytearray(64 * 1024 * 1024); s = sum(range(3_000_000)); open('${dir}/f', 'wb').write(b'0' * 200_000)"; exit 3`,
      ).map((a) => a.replace(`${USAGE_DIR}/${USAGE_FILE}`, join(dir, USAGE_FILE)));
      let code = 0;
      try {
        execFileSync(argv[0] as string, argv.slice(1), { stdio: "pipe" });
      } catch (err) {
        code = (err as { status: number }).status;
      }
      expect(code).toBe(3);
      const parsed = parseUsage(readFileSync(join(dir, USAGE_FILE), "utf8"));
      if (!("usage" in parsed)) throw new Error(parsed.error);
      expect(parsed.usage.cpuSeconds).toBeGreaterThan(0);
      expect(parsed.usage.peakRssBytes).toBeGreaterThan(64 * 1024 * 1024);
      expect(parsed.usage.writtenBytes).toBeGreaterThanOrEqual(0);
      expect(parsed.usage.wallSeconds).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says why when the file is absent, not JSON, or not usage", () => {
    expect(parseUsage(undefined)).toMatchObject({ error: expect.stringMatching(/wrote nothing/) });
    expect(parseUsage("{")).toMatchObject({ error: expect.stringMatching(/not JSON/) });
    expect(parseUsage('{"cpuSeconds": -1}')).toMatchObject({ error: expect.stringMatching(/does not hold usage/) });
  });
});
