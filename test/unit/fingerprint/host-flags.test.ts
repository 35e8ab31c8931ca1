import { describe, expect, it } from "vitest";
import { hasAvx512, normaliseCpuFlags } from "../../../harness/fingerprint/host.js";

describe("normaliseCpuFlags", () => {
  it("lower-cases, de-duplicates and sorts", () => {
    expect(normaliseCpuFlags("SSE4_2 avx2  fma avx2\tAVX512F")).toEqual(["avx2", "avx512f", "fma", "sse4_2"]);
  });

  it("gives [] for an empty string", () => {
    expect(normaliseCpuFlags("")).toEqual([]);
  });
});

describe("hasAvx512", () => {
  it("is true for any avx512 sub-feature and false without", () => {
    expect(hasAvx512(["avx2", "avx512vl"])).toBe(true);
    expect(hasAvx512(["avx", "avx2", "fma"])).toBe(false);
  });
});
