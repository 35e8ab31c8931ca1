import { execFileSync } from "node:child_process";
import os from "node:os";
import { describe, expect, it } from "vitest";
import {
  captureHostFingerprint,
  hostFingerprint,
  resetHostFingerprintCache,
} from "../../../harness/fingerprint/host.js";
import { HostFingerprintSchema } from "../../../harness/fingerprint/schema.js";

function dockerServerVersion(): string | undefined {
  try {
    return execFileSync("docker", ["version", "--format", "{{.Server.Version}}"], {
      encoding: "utf8",
      timeout: 10_000,
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return undefined;
  }
}

describe("host fingerprint (real machine)", () => {
  it("matches what the OS reports and is cached per process", async () => {
    resetHostFingerprintCache();
    const first = hostFingerprint();
    const second = hostFingerprint();
    expect(second).toBe(first);
    const fp = await first;
    expect(HostFingerprintSchema.safeParse(fp).success).toBe(true);
    expect(fp.cpu.cores).toBe(os.cpus().length);
    expect(fp.memoryBytes).toBe(os.totalmem());
    expect(fp.os.kernel).toBe(os.release());
    expect(fp.cpu.flags).toEqual([...fp.cpu.flags].sort());
    expect(fp.cpu.avx2).toBe(fp.cpu.flags.includes("avx2"));
    if (process.platform === "linux") {
      const cpuinfo = execFileSync("cat", ["/proc/cpuinfo"], { encoding: "utf8" });
      const line = cpuinfo.split("\n").find((l) => l.startsWith("flags"));
      if (line) expect(fp.cpu.avx2).toBe(/\bavx2\b/.test(line));
    }
  });

  it("records the Docker engine version when an engine answers", async () => {
    const expected = dockerServerVersion();
    if (!expected) console.warn("[fingerprint] no Docker engine: checking that host.docker is left out instead");
    const fp = await captureHostFingerprint();
    if (expected) {
      expect(fp.docker?.version).toBe(expected);
      expect(fp.docker?.apiVersion).toMatch(/^\d+\.\d+$/);
    } else {
      expect(fp.docker).toBeUndefined();
    }
  });

  it("leaves docker out, quickly, when the engine hangs", async () => {
    const hanging = { version: () => new Promise<never>(() => {}) };
    const started = Date.now();
    const fp = await captureHostFingerprint({ docker: hanging, timeoutMs: 300 });
    expect(fp.docker).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
