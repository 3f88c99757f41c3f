/** The seeded generator behind fault injection: reproducible, in range, and seeds that do not collide. */
import { describe, expect, it } from "vitest";
import { deriveSeed, SeededRandom } from "../src/memory/random.js";

const draws = (random: SeededRandom, n: number) => Array.from({ length: n }, () => random.next());

describe("SeededRandom", () => {
  it("gives the same sequence for the same seed, on every run", () => {
    expect(draws(new SeededRandom(42), 5)).toEqual(draws(new SeededRandom(42), 5));
    // Pinned: a change here changes every seeded fault outcome users may have recorded.
    expect(draws(new SeededRandom(42), 3).map((x) => Math.floor(x * 1e6))).toEqual([601103, 448290, 852465]);
    expect(draws(new SeededRandom(43), 5)).not.toEqual(draws(new SeededRandom(42), 5));
  });

  it("stays in [0, 1), and int(min, max) covers both ends and nothing else", () => {
    const random = new SeededRandom(7);
    const floats = draws(random, 10_000);
    expect(Math.min(...floats)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...floats)).toBeLessThan(1);
    const ints = new Set(Array.from({ length: 1000 }, () => random.int(3, 6)));
    expect([...ints].sort((x, y) => x - y)).toEqual([3, 4, 5, 6]);
  });

  it("chance(p) is true about p of the time", () => {
    const random = new SeededRandom(1);
    const hits = Array.from({ length: 10_000 }, () => random.chance(0.3)).filter(Boolean).length;
    expect(hits).toBeGreaterThan(2800);
    expect(hits).toBeLessThan(3200);
    expect(random.chance(0)).toBe(false);
    expect(random.chance(1)).toBe(true);
  });
});

describe("deriveSeed", () => {
  it("is deterministic, and different paths give different seeds", () => {
    expect(deriveSeed(5, 1, 2)).toBe(deriveSeed(5, 1, 2));
    const seeds = new Set<number>();
    for (let rule = 1; rule <= 50; rule++)
      for (let kind = 1; kind <= 4; kind++) seeds.add(deriveSeed(0, rule, kind));
    expect(seeds.size).toBe(200);
    expect(deriveSeed(1, 1)).not.toBe(deriveSeed(2, 1));
  });
});
