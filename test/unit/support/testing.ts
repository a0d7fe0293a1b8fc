/** Small helpers shared by the unit tests (not a test file: jest runs only *.spec.ts). */

/** A deterministic pseudo-random generator (mulberry32): the same inputs on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Milliseconds taken by `fn`. */
export function timed(fn: () => void): number {
  const start = Date.now();
  fn();
  return Date.now() - start;
}
