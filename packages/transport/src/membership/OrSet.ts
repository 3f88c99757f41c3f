/**
 * An observed-remove set (OR-set), the CRDT that holds a cluster's membership: replicas change their own
 * copy, exchange whole states, and `merge` makes them agree whatever the order, duplication or delay of
 * the exchanges.
 */

/**
 * The serialisable form of an {@link OrSet}: plain arrays only, so it crosses the wire codec as is.
 *
 * - `actors[i]` is a replica identity and `clock[i]` the highest counter of its adds this state has seen
 *   (its version vector, one entry per actor).
 * - Each entry is `[value, dots]`, where `dots` lists the adds that keep `value` in the set as flat pairs
 *   `actorIndex, counter` (`[0, 3, 2, 1]` is the dots `(actors[0], 3)` and `(actors[2], 1)`).
 *
 * Equal sets have identical data: actors, entries (by key) and dots are sorted.
 */
export interface OrSetData<T> {
  readonly actors: readonly string[];
  readonly clock: readonly number[];
  readonly entries: ReadonlyArray<readonly [value: T, dots: readonly number[]]>;
}

/** The highest counter an actor may reach (2^48: at a million adds a second, nine years). */
export const MAX_COUNTER = 2 ** 48;

/** How a value is identified: equal values must have equal keys, different values different keys. */
export type KeyOf<T> = (value: T) => string;

interface Entry<T> {
  readonly value: T;
  /** Actor → counter: each add that keeps the value in the set (at most one per actor, see `add`). */
  readonly dots: ReadonlyMap<string, number>;
}

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const isCounter = (value: unknown, max: number): value is number =>
  typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= max;

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/**
 * An add-wins observed-remove set with causal-context removal (the "optimised OR-set" of Bieniusa et
 * al., 2012, in its delta-state form without the deltas).
 *
 * Each add is tagged with a unique dot `(actor, counter)`; the state also carries a version vector, the
 * dots it has seen. A remove drops the value's dots but keeps them in the version vector, so no
 * tombstones are stored and a state that has seen a dot and lacks it knows the dot was removed:
 * merging an older state (stale gossip) cannot bring a removed value back. An add concurrent with a
 * remove wins, because the remover never saw its dot.
 *
 * When to use: replicated sets whose replicas exchange whole states, each replica adding under an actor
 * identity no other replica (and no earlier life of this one) uses. Instances are immutable; every
 * operation returns a new set (`remove` and `removeWhere` return the same set when nothing goes).
 *
 * Gotchas:
 * - Actor identities must be unique per replica life: a replica that restarts under an old actor
 *   restarts its counter and its new adds look already seen (and removed) to everyone else. Use the
 *   node name with the incarnation, and keep the counter across resets of one life with `freshFor`.
 * - Correctness relies on exchanging whole states (each version vector entry then covers every counter
 *   up to it). Do not merge hand-made partial states.
 * - The version vector keeps one entry per actor ever seen, forever; it grows by one per replica life.
 *
 * @example
 * const a = OrSet.empty<string>((s) => s).add("x", "a#1");
 * const b = a.remove("x");                 // b saw a's add of "x", then removed it
 * b.merge(a).has("x");                     // false: a is older than b's remove
 * a.add("x", "a#1").merge(b).has("x");     // true: a's new add is one b never saw
 */
export class OrSet<T> {
  readonly #keyOf: KeyOf<T>;
  readonly #clock: ReadonlyMap<string, number>;
  readonly #entries: ReadonlyMap<string, Entry<T>>;

  private constructor(
    keyOf: KeyOf<T>,
    clock: ReadonlyMap<string, number>,
    entries: ReadonlyMap<string, Entry<T>>,
  ) {
    this.#keyOf = keyOf;
    this.#clock = clock;
    this.#entries = entries;
  }

  /** The empty set of values identified by `keyOf` (sets merged together must use the same `keyOf`). */
  static empty<T>(keyOf: KeyOf<T>): OrSet<T> {
    return new OrSet(keyOf, new Map(), new Map());
  }

  /** How many values are in the set. */
  get size(): number {
    return this.#entries.size;
  }

  /** Whether a value with `value`'s key is in the set. */
  has(value: T): boolean {
    return this.#entries.has(this.#keyOf(value));
  }

  /** The values in the set, sorted by key (the same order on every replica). */
  values(): T[] {
    return [...this.#entries.keys()].sort(compareStrings).map((key) => this.#entries.get(key)!.value);
  }

  /** The highest counter of `actor`'s adds this state has seen (0 if none). */
  counter(actor: string): number {
    return this.#clock.get(actor) ?? 0;
  }

  /**
   * Adds `value` as `actor`, with a new dot. Adding a value already present is meaningful: the new dot
   * makes it survive removes concurrent with this add (the value's older dots seen here are replaced).
   * Throws a `TypeError` for an empty actor and a `RangeError` past {@link MAX_COUNTER}.
   */
  add(value: T, actor: string): OrSet<T> {
    if (typeof actor !== "string" || actor.length === 0) throw new TypeError("OrSet.add: empty actor");
    const counter = this.counter(actor) + 1;
    if (counter > MAX_COUNTER) throw new RangeError(`OrSet.add: actor ${actor} is past the highest counter`);
    const clock = new Map(this.#clock).set(actor, counter);
    const entries = new Map(this.#entries).set(this.#keyOf(value), {
      value,
      dots: new Map([[actor, counter]]),
    });
    return new OrSet(this.#keyOf, clock, entries);
  }

  /** Removes `value` (the adds of it this state has seen); returns this same set if it is absent. */
  remove(value: T): OrSet<T> {
    const key = this.#keyOf(value);
    if (!this.#entries.has(key)) return this;
    const entries = new Map(this.#entries);
    entries.delete(key);
    return new OrSet(this.#keyOf, this.#clock, entries);
  }

  /** Removes every value for which `predicate` holds; returns this same set if none does. */
  removeWhere(predicate: (value: T) => boolean): OrSet<T> {
    let entries: Map<string, Entry<T>> | undefined;
    for (const [key, entry] of this.#entries) {
      if (!predicate(entry.value)) continue;
      entries ??= new Map(this.#entries);
      entries.delete(key);
    }
    return entries === undefined ? this : new OrSet(this.#keyOf, this.#clock, entries);
  }

  /**
   * The least state that has seen everything either state has: a dot survives if both states have it,
   * or if one has it and the other never saw it. Commutative, associative and idempotent.
   */
  merge(other: OrSet<T>): OrSet<T> {
    const clock = new Map(this.#clock);
    for (const [actor, counter] of other.#clock)
      if (counter > (clock.get(actor) ?? 0)) clock.set(actor, counter);
    const entries = new Map<string, Entry<T>>();
    const keep = (
      mine: Entry<T> | undefined,
      theirs: Entry<T> | undefined,
      theirClock: OrSet<T>,
      into: Map<string, number>,
    ) => {
      if (mine === undefined) return;
      for (const [actor, counter] of mine.dots) {
        if (theirs?.dots.get(actor) === counter || counter > theirClock.counter(actor)) {
          // Valid states never keep two dots of one actor for a value; the max keeps merge commutative anyway.
          into.set(actor, Math.max(counter, into.get(actor) ?? 0));
        }
      }
    };
    for (const key of new Set([...this.#entries.keys(), ...other.#entries.keys()])) {
      const mine = this.#entries.get(key);
      const theirs = other.#entries.get(key);
      const dots = new Map<string, number>();
      keep(mine, theirs, other, dots);
      keep(theirs, mine, this, dots);
      if (dots.size > 0) entries.set(key, { value: (mine ?? theirs)!.value, dots });
    }
    return new OrSet(this.#keyOf, clock, entries);
  }

  /** Whether both states are the same: same version vector, same values with the same dots. */
  equals(other: OrSet<T>): boolean {
    if (this === other) return true;
    if (this.#clock.size !== other.#clock.size || this.#entries.size !== other.#entries.size) return false;
    for (const [actor, counter] of this.#clock) if (other.#clock.get(actor) !== counter) return false;
    for (const [key, entry] of this.#entries) {
      const theirs = other.#entries.get(key);
      if (theirs === undefined || theirs.dots.size !== entry.dots.size) return false;
      for (const [actor, counter] of entry.dots) if (theirs.dots.get(actor) !== counter) return false;
    }
    return true;
  }

  /**
   * An empty set that remembers only `actor`'s counter: for a replica that starts over (a node that left
   * and may rejoin) without a new identity, so that its next adds still get dots nobody has seen.
   */
  freshFor(actor: string): OrSet<T> {
    const counter = this.counter(actor);
    return new OrSet(this.#keyOf, counter > 0 ? new Map([[actor, counter]]) : new Map(), new Map());
  }

  /** The serialisable form (see {@link OrSetData}); deterministic, so equal sets give identical data. */
  toData(): OrSetData<T> {
    const actors = [...this.#clock.keys()].sort(compareStrings);
    const index = new Map(actors.map((actor, i) => [actor, i]));
    const clock = actors.map((actor) => this.#clock.get(actor)!);
    const entries = [...this.#entries.keys()].sort(compareStrings).map((key) => {
      const entry = this.#entries.get(key)!;
      const dots = [...entry.dots]
        .map(([actor, counter]) => [index.get(actor)!, counter] as const)
        .sort((a, b) => a[0] - b[0])
        .flat();
      return [entry.value, dots] as const;
    });
    return { actors, clock, entries };
  }

  /**
   * The set `data` describes. `data` must satisfy {@link OrSet.isData} (check it first when it comes off
   * the wire); `keyOf` must be the one the data was built with.
   */
  static fromData<T>(data: OrSetData<T>, keyOf: KeyOf<T>): OrSet<T> {
    const clock = new Map(data.actors.map((actor, i) => [actor, data.clock[i]!]));
    const entries = new Map<string, Entry<T>>();
    for (const [value, flat] of data.entries) {
      const dots = new Map<string, number>();
      for (let i = 0; i < flat.length; i += 2) dots.set(data.actors[flat[i]!]!, flat[i + 1]!);
      entries.set(keyOf(value), { value, dots });
    }
    return new OrSet(keyOf, clock, entries);
  }

  /**
   * Whether `data` is a well-formed {@link OrSetData} of values that satisfy `isValue`: unique non-empty
   * actors with counters from 1 to {@link MAX_COUNTER}; unique values (by `keyOf`); each with at least
   * one dot, at most one per actor, every dot within the version vector and no dot on two values. Use
   * it on anything decoded off the wire before `fromData`: a malformed state could otherwise break the
   * merge laws on every replica it reaches.
   */
  static isData<T>(
    data: unknown,
    isValue: (value: unknown) => value is T,
    keyOf: KeyOf<T>,
  ): data is OrSetData<T> {
    if (!isPlainObject(data)) return false;
    const { actors, clock, entries } = data;
    if (Object.keys(data).length !== 3 || !Array.isArray(actors) || !Array.isArray(clock)) return false;
    if (!Array.isArray(entries) || actors.length !== clock.length) return false;
    if (!actors.every((actor) => typeof actor === "string" && actor.length > 0)) return false;
    if (new Set(actors).size !== actors.length || !clock.every((c) => isCounter(c, MAX_COUNTER)))
      return false;
    const keys = new Set<string>();
    const dotsSeen = new Set<string>();
    for (const entry of entries) {
      if (!Array.isArray(entry) || entry.length !== 2) return false;
      const [value, flat] = entry as unknown[];
      if (!isValue(value) || !Array.isArray(flat) || flat.length === 0 || flat.length % 2 !== 0) return false;
      const key = keyOf(value);
      if (keys.has(key)) return false;
      keys.add(key);
      const actorsOfValue = new Set<number>();
      for (let i = 0; i < flat.length; i += 2) {
        const actor: unknown = flat[i];
        const counter: unknown = flat[i + 1];
        if (typeof actor !== "number" || !Number.isInteger(actor) || actor < 0 || actor >= actors.length)
          return false;
        if (!isCounter(counter, clock[actor] as number) || actorsOfValue.has(actor)) return false;
        actorsOfValue.add(actor);
        const dot = `${actor}:${counter}`;
        if (dotsSeen.has(dot)) return false;
        dotsSeen.add(dot);
      }
    }
    return true;
  }
}
