import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { diffFingerprints, flattenFingerprint } from "../../../harness/fingerprint/diff.js";
import { FingerprintSchema, type Fingerprint } from "../../../harness/fingerprint/schema.js";

const read = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../fixtures/fingerprint/${name}`, import.meta.url), "utf8"));

function base(): Fingerprint {
  return FingerprintSchema.parse({
    executor: "docker",
    capturedAt: "2026-01-01T00:00:00.000Z",
    imageId: "sha256:aaa",
    host: read("host-skylake.json"),
    container: read("container-venv.json"),
    code: { commit: "0123abc", dirty: false, repositoryUrl: "https://example.com/r.git", branch: "main" },
  });
}

describe("diffFingerprints", () => {
  it("finds nothing between a fingerprint and itself, nor when only capturedAt and HOSTNAME differ", () => {
    const a = base();
    const b = structuredClone(a);
    b.capturedAt = "2026-06-01T12:00:00.000Z";
    b.container!.env["HOSTNAME"] = "ffffffffffff";
    const d = diffFingerprints(a, b);
    expect(d.identical).toBe(true);
    expect(d.changes).toEqual([]);
    expect(d.patch).toBe("");
  });

  it("reports changed, added and removed leaves with before/after", () => {
    const a = base();
    const b = structuredClone(a);
    const numpy = b.container!.distributions.find((x) => x.name === "numpy")!;
    const oldNumpy = numpy.version;
    numpy.version = "1.26.4";
    b.container!.distributions.push({ name: "zzz-new-pkg", version: "0.1" });
    b.container!.distributions = b.container!.distributions.filter((x) => x.name !== "pandas");
    const d = diffFingerprints(a, b);
    expect(d.identical).toBe(false);
    expect(d.changes).toContainEqual({
      path: "container.distributions.numpy",
      kind: "changed",
      category: "packages",
      before: oldNumpy,
      after: "1.26.4",
    });
    expect(d.changes).toContainEqual(
      expect.objectContaining({ path: "container.distributions.zzz-new-pkg", kind: "added", after: "0.1" }),
    );
    expect(d.changes).toContainEqual(
      expect.objectContaining({ path: "container.distributions.pandas", kind: "removed" }),
    );
    expect(d.changes).toHaveLength(3);
    expect(d.patch).toContain("--- original");
    expect(d.patch).toContain("+++ replay");
    expect(d.patch).toMatch(/^\+\s+"version": "1.26.4"/m);
    expect(d.patch).toMatch(/^-\s+"name": "pandas"/m);
  });

  it("puts SIMD flags, BLAS, packages, python and threads before the rest", () => {
    const a = base();
    const b = structuredClone(a);
    b.host!.cpu.flags = b.host!.cpu.flags.filter((f) => !f.startsWith("avx512"));
    b.host!.cpu.avx512 = false;
    b.host!.memoryBytes = 1;
    b.container!.env["LANG"] = "C";
    b.container!.threadEnv["OMP_NUM_THREADS"] = "2";
    b.container!.env["OMP_NUM_THREADS"] = "2";
    b.container!.python.version = "3.12.0";
    b.container!.blas[0]!.num_threads = 16;
    b.container!.distributions[0]!.version = "9.9";
    b.code!.commit = "fff";
    const d = diffFingerprints(a, b);
    const categories = d.changes.map((c) => c.category);
    expect(categories).toEqual([
      "cpu-simd",
      "cpu-simd",
      "cpu-simd",
      "blas",
      "packages",
      "python",
      "threads",
      "code",
      "hardware",
      "env",
    ]);
    expect(d.changes[0]).toMatchObject({ path: "host.cpu.avx512", before: true, after: false });
    expect(d.changes.map((c) => c.path)).toContain("host.cpu.flags.avx512f");
    // OMP_NUM_THREADS is reported once, under threadEnv, not again under env.
    expect(d.changes.filter((c) => c.path.endsWith("OMP_NUM_THREADS"))).toHaveLength(1);
  });

  it("keys BLAS libraries by owner, so numpy's and scipy's OpenBLAS stay apart", () => {
    const flat = flattenFingerprint(base());
    const blasKeys = [...flat.keys()].filter((k) => k.startsWith("container.blas.") && k.endsWith(".num_threads"));
    expect(blasKeys).toEqual(expect.arrayContaining(["container.blas.openblas.numpy.libs.num_threads"]));
    expect(new Set(blasKeys).size).toBe(base().container!.blas.length);
  });

  it("treats a missing part as removed leaves, and honours extra ignores", () => {
    const a = base();
    const b = structuredClone(a);
    delete b.code;
    const d = diffFingerprints(a, b);
    expect(d.changes.every((c) => c.kind === "removed" && c.category === "code")).toBe(true);
    expect(d.changes.map((c) => c.path)).toContain("code.commit");
    expect(diffFingerprints(a, b, { ignore: ["code"] }).identical).toBe(true);
  });

  it("lists secret-named variables that exist only by name", () => {
    const a = base();
    const b = structuredClone(a);
    b.container!.envNames.push("ONLY_NAME_KNOWN");
    const d = diffFingerprints(a, b);
    expect(d.changes).toEqual([
      { path: "container.envNames.ONLY_NAME_KNOWN", kind: "added", category: "env", after: true },
    ]);
  });
});
