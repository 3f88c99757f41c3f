/**
 * A small seeded pseudo-random generator, so that fault injection is reproducible: the same seed gives
 * the same sequence on every JavaScript engine (only 32-bit integer arithmetic, no `Math.random`).
 */

/**
 * Mulberry32: 32 bits of state, a period of 2^32, fast, and good enough to decide which frames a
 * simulated network drops or delays. Not for cryptography.
 *
 * @example
 * const random = new SeededRandom(42);
 * random.next(); // the same float in [0, 1) on every run
 */
export class SeededRandom {
  #state: number;

  /** Only the low 32 bits of `seed` count (`seed >>> 0`), so use integers. */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** True with probability `p` (always consumes one draw, so streams stay aligned whatever `p` is). */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** An integer in [min, max], both ends included (both must be integers). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
}

/**
 * Derives an independent 32-bit seed from `seed` and a path of small integers (a rule's number, a fault
 * kind), so every stream of random numbers has its own seed and adding one stream never shifts another.
 */
export const deriveSeed = (seed: number, ...path: readonly number[]): number => {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const part of path) {
    // murmur3's finaliser: every input bit affects every output bit.
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
};
