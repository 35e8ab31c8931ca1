/**
 * PURE, a leaf: mulberry32, a small seeded generator in [0, 1) that gives the same
 * sequence on every machine. The one copy: compare's bootstrap intervals, the
 * benchmarks' synthetic audits and the stopping rule's simulations all draw from it.
 */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
