import { describe, expect, it } from "vitest";
import { nextUp, sameBits, ulpDistance } from "../../../harness/drift/ulps.js";

describe("ulpDistance", () => {
  it("is 0 for equal values and for +0 / -0", () => {
    expect(ulpDistance(1.5, 1.5)).toBe(0);
    expect(ulpDistance(0, -0)).toBe(0);
  });
  it("counts adjacent doubles as 1 apart, including across zero", () => {
    expect(ulpDistance(1, 1 + Number.EPSILON)).toBe(1);
    expect(ulpDistance(0, Number.MIN_VALUE)).toBe(1);
    expect(ulpDistance(-Number.MIN_VALUE, Number.MIN_VALUE)).toBe(2);
    expect(ulpDistance(-0, Number.MIN_VALUE)).toBe(1);
  });
  it("knows 0.1 + 0.2 is one ULP from 0.3", () => {
    expect(ulpDistance(0.1 + 0.2, 0.3)).toBe(1);
  });
  it("counts the doubles in [1, 2): 2^52", () => {
    expect(ulpDistance(1, 2)).toBe(2 ** 52);
    expect(ulpDistance(-1, -2)).toBe(2 ** 52);
  });
  it("treats NaN explicitly and Infinity as one step past MAX_VALUE", () => {
    expect(ulpDistance(Number.NaN, Number.NaN)).toBe(0);
    expect(ulpDistance(Number.NaN, 1)).toBe(Number.POSITIVE_INFINITY);
    expect(ulpDistance(1, Number.NaN)).toBe(Number.POSITIVE_INFINITY);
    expect(ulpDistance(Number.MAX_VALUE, Number.POSITIVE_INFINITY)).toBe(1);
  });
  it("nextUp steps by one representable value", () => {
    expect(nextUp(1)).toBe(1 + Number.EPSILON);
    expect(nextUp(-Number.MIN_VALUE)).toBe(-0);
    expect(nextUp(0)).toBe(Number.MIN_VALUE);
  });
});

describe("sameBits", () => {
  it("distinguishes +0 from -0 but equates NaNs", () => {
    expect(sameBits(0, -0)).toBe(false);
    expect(sameBits(Number.NaN, Number.NaN)).toBe(true);
    expect(sameBits(0.3, 0.1 + 0.2)).toBe(false);
    expect(sameBits(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY)).toBe(true);
  });
});
