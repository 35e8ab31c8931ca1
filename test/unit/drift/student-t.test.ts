import { describe, expect, it } from "vitest";
import { lnGamma, studentTCdf, studentTQuantile } from "../../../harness/drift/student-t.js";

// Two-sided 95% critical values t(0.975, df), from scipy.stats.t.ppf(0.975, df) (scipy 1.x).
const TABLE: Array<[number, number]> = [
  [1, 12.706204736174694],
  [2, 4.302652729749462],
  [3, 3.1824463052837078],
  [4, 2.7764451051977934],
  [5, 2.5705818356363146],
  [6, 2.4469118511449786],
  [7, 2.364624251592784],
  [9, 2.262157162798205],
  [10, 2.228138851986274],
  [20, 2.085963447265864],
  [30, 2.0422724563012378],
  [120, 1.9799304050824402],
];

describe("studentTQuantile", () => {
  it.each(TABLE)("t(0.975, %i) matches the table", (df, q) => {
    expect(studentTQuantile(0.975, df)).toBeCloseTo(q, 9);
  });
  it("approaches the normal quantile for large df", () => {
    expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(1.959963984540054, 5);
  });
  it("matches other levels: t(0.995, 4) and t(0.9, 1), and is odd around 0.5", () => {
    expect(studentTQuantile(0.995, 4)).toBeCloseTo(4.604094871349992, 9);
    expect(studentTQuantile(0.9, 1)).toBeCloseTo(3.0776835371752544, 9);
    expect(studentTQuantile(0.025, 3)).toBeCloseTo(-3.1824463052837078, 9);
    expect(studentTQuantile(0.5, 3)).toBe(0);
  });
  it("rejects nonsense arguments", () => {
    expect(() => studentTQuantile(1, 3)).toThrow(RangeError);
    expect(() => studentTQuantile(0.975, 0)).toThrow(RangeError);
  });
});

describe("studentTCdf and lnGamma", () => {
  it("cdf(1, df=1) is 3/4 (Cauchy) and cdf(0) is 1/2", () => {
    expect(studentTCdf(1, 1)).toBeCloseTo(0.75, 12);
    expect(studentTCdf(0, 7)).toBeCloseTo(0.5, 12);
    expect(studentTCdf(-1, 1)).toBeCloseTo(0.25, 12);
  });
  it("lnGamma hits factorials and Γ(1/2) = √π", () => {
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(lnGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
  });
});
