/**
 * The OR-set CRDT: the sequential and concurrent semantics, merge laws and convergence under random
 * operation sequences (a seeded PRNG, reproducible), no resurrection by stale states, the serialisable
 * form and its validator.
 */
import { describe, expect, it } from "vitest";
import { MAX_COUNTER, OrSet, type OrSetData } from "../src/membership/OrSet.js";

/** mulberry32: a small seeded PRNG, so every run (and every failure) is reproducible. */
const prng = (seed: number) => {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number): number => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    shuffle: <T>(items: readonly T[]): T[] => {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    },
  };
};
type Prng = ReturnType<typeof prng>;

const id = (s: string): string => s;
const empty = (): OrSet<string> => OrSet.empty<string>(id);
const isString = (v: unknown): v is string => typeof v === "string";
const ELEMENTS = ["e0", "e1", "e2", "e3", "e4"];

/**
 * The OR-set's specification by causal histories: each add is an event; a replica knows the adds it has
 * seen and which of them it has seen removed; a value is present iff some seen add of it is not removed.
 */
class Oracle {
  readonly seen = new Set<number>();
  readonly removed = new Set<number>();
  readonly events: Map<number, string>;
  constructor(events: Map<number, string>) {
    this.events = events;
  }
  add(element: string): void {
    const event = this.events.size;
    this.events.set(event, element);
    this.seen.add(event);
  }
  remove(element: string): void {
    for (const event of this.seen) if (this.events.get(event) === element) this.removed.add(event);
  }
  merge(other: Oracle): void {
    for (const event of other.seen) this.seen.add(event);
    for (const event of other.removed) this.removed.add(event);
  }
  values(): string[] {
    const present = new Set<string>();
    for (const event of this.seen) if (!this.removed.has(event)) present.add(this.events.get(event)!);
    return [...present].sort();
  }
}

interface Run {
  readonly replicas: OrSet<string>[];
  /** Every state each replica has been or merged in: all causally at or before its current state. */
  readonly observed: OrSet<string>[][];
  /** Every state any replica has been, for the merge laws. */
  readonly all: OrSet<string>[];
}

/** A random history on three replicas (actors r0–r2), checked against the oracle at every step. */
const randomRun = (rng: Prng, steps: number): Run => {
  const events = new Map<number, string>();
  const replicas = [empty(), empty(), empty()];
  const oracles = replicas.map(() => new Oracle(events));
  const observed: OrSet<string>[][] = replicas.map((r) => [r]);
  const all: OrSet<string>[] = [];
  for (let step = 0; step < steps; step++) {
    const i = rng.int(3);
    const roll = rng.next();
    if (roll < 0.4) {
      const element = rng.pick(ELEMENTS);
      replicas[i] = replicas[i]!.add(element, `r${i}`);
      oracles[i]!.add(element);
    } else if (roll < 0.65) {
      const present = replicas[i]!.values();
      if (present.length === 0) continue;
      const element = rng.pick(present);
      replicas[i] = replicas[i]!.remove(element);
      oracles[i]!.remove(element);
    } else {
      const j = rng.int(3);
      observed[i]!.push(replicas[j]!);
      replicas[i] = replicas[i]!.merge(replicas[j]!);
      oracles[i]!.merge(oracles[j]!);
    }
    observed[i]!.push(replicas[i]!);
    all.push(replicas[i]!);
    expect(replicas[i]!.values()).toEqual(oracles[i]!.values());
  }
  return { replicas, observed, all };
};

/** Merges `states` in a random order and grouping. */
const mergeRandomly = (rng: Prng, states: readonly OrSet<string>[]): OrSet<string> => {
  let pool = rng.shuffle(states);
  while (pool.length > 1) {
    const i = rng.int(pool.length - 1);
    const merged = rng.next() < 0.5 ? pool[i]!.merge(pool[i + 1]!) : pool[i + 1]!.merge(pool[i]!);
    pool = [...pool.slice(0, i), merged, ...pool.slice(i + 2)];
  }
  return pool[0]!;
};

describe("OrSet: sequential semantics", () => {
  it("adds, removes and lists values sorted by key", () => {
    const set = empty().add("b", "r").add("a", "r").add("c", "r").remove("c");
    expect(set.values()).toEqual(["a", "b"]);
    expect(set.size).toBe(2);
    expect(set.has("a")).toBe(true);
    expect(set.has("c")).toBe(false);
    expect(set.counter("r")).toBe(3);
    expect(set.counter("other")).toBe(0);
  });

  it("returns the same set when a remove finds nothing", () => {
    const set = empty().add("a", "r");
    expect(set.remove("zz")).toBe(set);
    expect(set.removeWhere(() => false)).toBe(set);
    expect(set.removeWhere((v) => v === "a").values()).toEqual([]);
  });

  it("rejects an empty actor", () => {
    expect(() => empty().add("a", "")).toThrow(TypeError);
  });

  it("is immutable: operations return new sets", () => {
    const a = empty().add("x", "r");
    const b = a.add("y", "r");
    a.remove("x");
    expect(a.values()).toEqual(["x"]);
    expect(b.values()).toEqual(["x", "y"]);
  });
});

describe("OrSet: concurrent semantics", () => {
  it("an add concurrent with a remove wins", () => {
    const base = empty().add("x", "a");
    const removed = base.remove("x"); // replica b removes what it saw
    const readded = base.add("x", "a"); // replica a adds again, concurrently
    expect(removed.merge(readded).values()).toEqual(["x"]);
    expect(readded.merge(removed).values()).toEqual(["x"]);
  });

  it("a remove wins over the adds it observed, from any replica", () => {
    const a = empty().add("x", "a");
    const b = empty().add("x", "b");
    const both = a.merge(b);
    const removed = both.remove("x");
    expect(removed.merge(a).merge(b).values()).toEqual([]);
  });

  it("merging a state older than a remove does not resurrect the value (Partisan #191)", () => {
    const old = empty().add("x", "a").add("y", "a");
    const later = old.remove("x");
    expect(later.merge(old).values()).toEqual(["y"]);
    expect(old.merge(later).values()).toEqual(["y"]);
    // Through a third replica that only ever saw the old state.
    const third = empty().add("z", "c").merge(old);
    expect(third.merge(later).values()).toEqual(["y", "z"]);
  });

  it("Partisan's present-but-removed and no-dots-left cases end empty", () => {
    // present_but_removed_test
    const a = empty().add("z", "a");
    const c = a;
    const a2 = a.remove("z");
    const b = empty().add("z", "b");
    const a3 = b.merge(a2);
    const b2 = b.remove("z");
    expect([c, b2].reduce((acc, s) => s.merge(acc), a3).values()).toEqual([]);
    // no_dots_left_test
    const a4 = empty().add("z", "a");
    const b4 = empty().add("z", "b");
    const c4 = a4;
    const a5 = a4.remove("z").merge(b4);
    const b5 = b4.remove("z").merge(c4);
    expect([b5, c4].reduce((acc, s) => s.merge(acc), a5).values()).toEqual([]);
  });

  it("freshFor keeps only the actor's counter, so its next dots are new to everyone", () => {
    const cluster = empty().add("self", "me").add("peer", "me").add("other", "o");
    const fresh = cluster.freshFor("me");
    expect(fresh.values()).toEqual([]);
    expect(fresh.counter("me")).toBe(2);
    expect(fresh.counter("o")).toBe(0);
    const back = fresh.add("self", "me");
    // The cluster never saw dot (me, 3): the rejoin is an add, not an echo of the old one.
    expect(cluster.remove("self").merge(back).has("self")).toBe(true);
    // The fresh state claims nothing about other actors' adds.
    expect(back.merge(cluster).has("other")).toBe(true);
  });
});

describe("OrSet: properties over random histories (seeded)", () => {
  const SEEDS = 150;

  it("every replica matches the causal-history specification at every step", () => {
    for (let seed = 1; seed <= SEEDS; seed++) randomRun(prng(seed), 80);
  });

  it("replicas converge whatever the merge order and grouping", () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const rng = prng(seed);
      const { replicas } = randomRun(rng, 80);
      const reference = mergeRandomly(rng, replicas);
      for (let k = 0; k < 5; k++) {
        const other = mergeRandomly(rng, replicas);
        expect(other.equals(reference)).toBe(true);
        expect(other.toData()).toEqual(reference.toData());
      }
      // Anti-entropy in a random order, pairwise, until all agree.
      const gossiping = [...replicas];
      for (let round = 0; round < 3; round++) {
        for (const [i, j] of rng.shuffle([0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => [i, j] as const)))) {
          gossiping[i] = gossiping[i]!.merge(gossiping[j]!);
        }
      }
      for (const replica of gossiping) expect(replica.equals(reference)).toBe(true);
    }
  });

  it("merge is commutative, associative and idempotent", () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const rng = prng(seed);
      const { all } = randomRun(rng, 60);
      for (let k = 0; k < 20; k++) {
        const [a, b, c] = [rng.pick(all), rng.pick(all), rng.pick(all)];
        expect(a.merge(b).equals(b.merge(a))).toBe(true);
        expect(
          a
            .merge(b)
            .merge(c)
            .equals(a.merge(b.merge(c))),
        ).toBe(true);
        expect(a.merge(a).equals(a)).toBe(true);
        // Merging is also an upper bound: merging either input again changes nothing.
        expect(a.merge(b).merge(a).equals(a.merge(b))).toBe(true);
      }
    }
  });

  it("a remove followed by merging any state the replica had observed does not resurrect", () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const rng = prng(seed);
      const { replicas, observed } = randomRun(rng, 80);
      for (let i = 0; i < 3; i++) {
        for (const element of replicas[i]!.values()) {
          const removed = replicas[i]!.remove(element);
          for (const old of observed[i]!) {
            expect(removed.merge(old).has(element)).toBe(false);
            expect(old.merge(removed).has(element)).toBe(false);
          }
        }
      }
    }
  });

  it("the serialisable form round-trips through JSON and passes the validator", () => {
    for (let seed = 1; seed <= 50; seed++) {
      const { all } = randomRun(prng(seed), 60);
      for (const set of all) {
        const wire: unknown = JSON.parse(JSON.stringify(set.toData()));
        expect(OrSet.isData(wire, isString, id)).toBe(true);
        if (!OrSet.isData(wire, isString, id)) continue;
        expect(OrSet.fromData(wire, id).equals(set)).toBe(true);
      }
    }
  });
});

describe("OrSet: serialisable form", () => {
  it("is compact and deterministic", () => {
    const a = empty().add("y", "b").add("x", "a");
    const b = empty().add("x", "a").merge(empty().add("y", "b"));
    expect(a.toData()).toEqual({
      actors: ["a", "b"],
      clock: [1, 1],
      entries: [
        ["x", [0, 1]],
        ["y", [1, 1]],
      ],
    });
    expect(b.toData()).toEqual(a.toData());
  });

  it("keeps removes in the version vector without tombstones", () => {
    const data = empty().add("x", "a").add("y", "a").remove("x").toData();
    expect(data).toEqual({ actors: ["a"], clock: [2], entries: [["y", [0, 2]]] });
  });

  const valid: OrSetData<string> = {
    actors: ["a", "b"],
    clock: [2, 1],
    entries: [
      ["x", [0, 1, 1, 1]],
      ["y", [0, 2]],
    ],
  };

  it.each<[string, unknown]>([
    ["not an object", [1, 2]],
    ["null", null],
    ["an extra field", { ...valid, extra: 1 }],
    ["a missing field", { actors: valid.actors, clock: valid.clock }],
    ["actors and clock of different lengths", { ...valid, clock: [2] }],
    ["a duplicate actor", { ...valid, actors: ["a", "a"] }],
    ["an empty actor", { ...valid, actors: ["", "b"] }],
    ["a zero counter", { ...valid, clock: [0, 1] }],
    ["a fractional counter", { ...valid, clock: [1.5, 1] }],
    ["a counter past MAX_COUNTER", { ...valid, clock: [MAX_COUNTER + 1, 1] }],
    ["an entry that is not a pair", { ...valid, entries: [["x"]] }],
    ["an invalid value", { ...valid, entries: [[42, [0, 1]]] }],
    ["a value without dots", { ...valid, entries: [["x", []]] }],
    ["an odd dot list", { ...valid, entries: [["x", [0, 1, 1]]] }],
    ["an actor index out of range", { ...valid, entries: [["x", [2, 1]]] }],
    ["a negative actor index", { ...valid, entries: [["x", [-1, 1]]] }],
    ["a dot beyond the version vector", { ...valid, entries: [["x", [1, 2]]] }],
    ["two dots of one actor on a value", { ...valid, entries: [["x", [0, 1, 0, 2]]] }],
    [
      "one dot on two values",
      {
        ...valid,
        entries: [
          ["x", [0, 1]],
          ["y", [0, 1]],
        ],
      },
    ],
    [
      "a duplicate value",
      {
        ...valid,
        entries: [
          ["x", [0, 1]],
          ["x", [0, 2]],
        ],
      },
    ],
  ])("the validator rejects %s", (_, data) => {
    expect(OrSet.isData(valid, isString, id)).toBe(true);
    expect(OrSet.isData(data, isString, id)).toBe(false);
  });
});
