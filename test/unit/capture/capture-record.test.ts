import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { originalEnvironment } from "../../../harness/audit/original-environment.js";
import {
  MAX_CAPTURE_RECORD_BYTES,
  readCaptureRecord,
  systeminformationBrand,
} from "../../../harness/fingerprint/capture-record.js";
import {
  ContainerFingerprintSchema,
  FingerprintSchema,
  HostFingerprintSchema,
} from "../../../harness/fingerprint/schema.js";
import { environmentFacts } from "../../../harness/report/environment-facts.js";
import { Tags } from "../../../harness/tracking/tags.js";

// A record the plugin wrote (test/fixtures/capture/fingerprint.json: a real one, its
// environment trimmed, a CPU model, a GPU, a remote with credentials and a secret
// env value that a tampered record could carry put in), read as the audit reads it.
const fixtures = join(import.meta.dirname, "../../fixtures");
const recordText = readFileSync(join(fixtures, "capture/fingerprint.json"), "utf8");
const record = JSON.parse(recordText) as Record<string, unknown>;
const read = (value: unknown) => readCaptureRecord(JSON.stringify(value));

describe("readCaptureRecord", () => {
  it("turns the plugin's record into fingerprint parts", () => {
    const r = readCaptureRecord(recordText);
    if (!r.ok) throw new Error(r.why);
    expect(r.parts.container?.python.implementation).toBe("CPython");
    expect(r.parts.container?.blas.length).toBeGreaterThan(0);
    expect(r.parts.capturedAt).toBe("2026-12-03T09:00:00.123456+00:00");
    expect(r.parts.errors).toEqual([]);
    expect(HostFingerprintSchema.parse(r.parts.host)).toMatchObject({
      cpu: { model: "Xeon® Platinum 8375C", vendor: "Intel", avx2: true },
      os: { platform: "linux", distro: "Debian GNU/Linux", release: "12", arch: "x64" },
      gpus: [{ vendor: "NVIDIA", model: "NVIDIA H200", vramMb: 143771 }],
    });
    expect(r.parts.host?.memoryBytes).toBeGreaterThan(0);
    expect(r.parts.code).toMatchObject({ commit: "3f2c1e0d9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e", dirty: true });
  });

  it("re-applies redaction: a secret a record carries, and URL credentials, never come out", () => {
    const r = readCaptureRecord(recordText);
    if (!r.ok) throw new Error(r.why);
    expect(r.parts.container?.env["SERVICE_API_TOKEN"]).toBe("<redacted>");
    expect(r.parts.code?.repositoryUrl).toBe("https://git.example.invalid/team/repo.git");
    expect(JSON.stringify(r.parts)).not.toMatch(/leaked-if-not-redacted|ann:pw/);
  });

  it("says why a record cannot be read, and parses none that is not one", () => {
    expect(readCaptureRecord("{not json")).toMatchObject({ ok: false, why: expect.stringMatching(/^not JSON/) });
    expect(read({ ...record, schemaVersion: 2 })).toMatchObject({
      ok: false,
      why: expect.stringMatching(/schemaVersion/),
    });
    expect(read({ ...record, container: { python: 3 } })).toMatchObject({
      ok: false,
      why: expect.stringMatching(/container/),
    });
    expect(readCaptureRecord(" ".repeat(MAX_CAPTURE_RECORD_BYTES + 1))).toMatchObject({ ok: false });
  });

  it("keeps what the plugin could not capture, and leaves out a host it did not see", () => {
    const container = { ...(record["container"] as object), system: undefined };
    const r = read({ ...record, container, code: undefined, errors: ["git: git is not on PATH"] });
    if (!r.ok) throw new Error(r.why);
    expect(r.parts.errors).toEqual(["git: git is not on PATH"]);
    expect(r.parts.host).toBeUndefined();
    expect(r.parts.code).toBeUndefined();
    expect(ContainerFingerprintSchema.safeParse(r.parts.container).success).toBe(true);
  });
});

describe("systeminformationBrand (how replays' host fingerprints spell a CPU)", () => {
  it.each([
    ["Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", "Xeon® Platinum 8375C"],
    ["Intel(R) Core(TM) i7-10700K CPU @ 3.80GHz", "Core™ i7-10700K"],
    ["AMD EPYC", "EPYC"],
    ["AMD Ryzen 9 5950X 16-Core Processor", "Ryzen 9 5950X 16-Core Processor"],
    ["AMD EPYC 7B13 64-Core Processor", "EPYC 7B13 64-Core Processor"],
  ])("%s -> %s", (model, brand) => {
    expect(systeminformationBrand(model)).toBe(brand);
  });
});

describe("originalEnvironment of a plugin-recorded run", () => {
  const host = JSON.parse(readFileSync(join(fixtures, "fingerprint/host-skylake.json"), "utf8")) as unknown;
  const container = JSON.parse(readFileSync(join(fixtures, "fingerprint/container-venv.json"), "utf8")) as unknown;
  const replay = FingerprintSchema.parse({ host, container, executor: "docker", capturedAt: "2026-12-03T10:00:00Z" });
  const tags = {
    [Tags.captureVersion]: "0.1.0",
    [Tags.gitCommit]: "3f2c1e0d9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e",
    [Tags.reproGitDirty]: "true",
    [Tags.hostCpu]: "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz (2 cores)",
  };

  it("fills the fingerprint from the record, so every fact has an original value", () => {
    const env = originalEnvironment({ tags }, {}, recordText);
    expect(env.fingerprint?.container?.python.version).toMatch(/^3\./);
    expect(env.fingerprint?.host?.cpu.model).toBe("Xeon® Platinum 8375C");
    expect(env.fingerprint?.capturedAt).toBe("2026-12-03T09:00:00.123456+00:00");
    expect(env.recorded).toMatchObject({ [Tags.captureVersion]: "0.1.0", [Tags.hostCpu]: tags[Tags.hostCpu] });
    const facts = environmentFacts(env, [replay]);
    // The executor is how a replay ran: an original has none.
    expect(facts.facts.filter((f) => f.state === "not_recorded_original").map((f) => f.fact)).toEqual(["Executor"]);
    expect(facts.facts.find((f) => f.fact === "CPU")).toMatchObject({ original: "Xeon® Platinum 8375C (2 cores)" });
  });

  it("without a record, reads what the tags say and shows the facts as not recorded", () => {
    const env = originalEnvironment({ tags });
    expect(env.fingerprint).toEqual({ code: { commit: tags[Tags.gitCommit], dirty: true } });
    const facts = environmentFacts(env, [replay]);
    expect(facts.facts.find((f) => f.fact === "Python")?.state).toBe("not_recorded_original");
  });

  it("names a record it could not read, and goes on with the tags", () => {
    const env = originalEnvironment({ tags }, {}, "{}");
    expect(env.recorded["repro/fingerprint.json"]).toMatch(/^not read: /);
    expect(env.fingerprint?.code?.commit).toBe(tags[Tags.gitCommit]);
  });
});
