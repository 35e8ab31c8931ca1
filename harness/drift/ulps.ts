/**
 * Float64 bit-level comparisons: "bitwise the same?" and "how many
 * representable doubles apart?" (ULP distance).
 */

const buf = new DataView(new ArrayBuffer(8));
const SIGN = 0x8000000000000000n;

/**
 * Maps a double's bit pattern onto a signed integer line where adjacent doubles
 * are adjacent integers and +0 and -0 both land on 0. Positive doubles keep their
 * bits (IEEE 754 orders them like integers); negative ones are mirrored.
 */
function ordinal(x: number): bigint {
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  return (bits & SIGN) === 0n ? bits : -(bits & ~SIGN & 0xffffffffffffffffn);
}

/**
 * Number of representable float64 values between a and b: 0 iff a == b
 * numerically (so +0 and -0 are 0 apart), 1 for neighbours. ±Infinity sits one
 * step beyond ±MAX_VALUE, as in IEEE 754. NaN is not on the line: two NaNs are
 * 0 apart (same "value" for our purposes), NaN and anything else are Infinity
 * apart. Results above 2^53 are rounded to the nearest double.
 */
export function ulpDistance(a: number, b: number): number {
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  if (an || bn) return an && bn ? 0 : Number.POSITIVE_INFINITY;
  if (a === b) return 0; // fast path; also covers +0 / -0
  const d = ordinal(a) - ordinal(b);
  return Number(d < 0n ? -d : d);
}

/**
 * Bitwise equality as reports mean it: the same 64 bits, except that every NaN
 * equals every NaN (JavaScript engines may canonicalise NaN payloads, so payload
 * bits are not observable reliably). +0 and -0 are NOT bitwise equal.
 * This is exactly Object.is.
 */
export function sameBits(a: number, b: number): boolean {
  return Object.is(a, b);
}

/** The next representable double above x (for tests and tolerance edges). */
export function nextUp(x: number): number {
  if (Number.isNaN(x) || x === Number.POSITIVE_INFINITY) return x;
  if (x === 0) return Number.MIN_VALUE;
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  buf.setBigUint64(0, x > 0 ? bits + 1n : bits - 1n);
  return buf.getFloat64(0);
}
