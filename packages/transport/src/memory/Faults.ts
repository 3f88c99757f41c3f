/**
 * Fault rules of the in-memory network: which frames to drop, delay, duplicate or reorder, chosen per
 * direction and channel, with seeded randomness so that a run can be replayed exactly.
 */
import { deriveSeed, SeededRandom } from "./random.js";

/**
 * One fault rule. `from`, `to` and `channel` choose the frames (left out: any); the other fields say
 * what happens to them. A rule applies to one direction: `{ from: "a", to: "b" }` leaves b's frames to
 * a alone. Closes are never dropped, duplicated or reordered (they do wait behind delayed frames).
 *
 * When several rules match a frame they apply in the order they were added: any one dropping it drops
 * it; delays add up; each rule may add one duplicate; any one may reorder it.
 *
 * @example
 * // 10% of a's frames to b on the "data" channel are lost, and the rest take 5 to 20 ms.
 * network.faults.add({ from: "a", to: "b", channel: "data", drop: 0.1, delay: [5, 20] });
 * // the next 3 frames b sends (to anyone, on any channel) are lost.
 * network.faults.add({ from: "b", drop: { next: 3 } });
 */
export interface FaultRule {
  /** Only frames sent by this node. */
  readonly from?: string;
  /** Only frames sent to this node. */
  readonly to?: string;
  /** Only frames on connections dialled for this channel (`DialInfo.channel`). */
  readonly channel?: string;
  /** Drop each frame with this probability (0 to 1), or exactly the next `next` matching frames. */
  readonly drop?: number | { readonly next: number };
  /**
   * Hold each frame this many ms, or a whole number of ms drawn uniformly from `[min, max]`. Delays keep
   * a connection's order (as TCP does: a late frame holds back the ones behind it); use `reorder` to
   * break it. Needs time to pass on the network's clock.
   */
  readonly delay?: number | readonly [min: number, max: number];
  /** Deliver an extra copy of each frame with this probability (0 to 1), right after the original. */
  readonly duplicate?: number;
  /**
   * With this probability (0 to 1) a frame overtakes the frame queued just ahead of it on the same
   * connection, when that one is still undelivered (it takes two frames in flight to reorder). The
   * overtaken frame can be overtaken again by the next one, so it may fall several places behind.
   */
  readonly reorder?: number;
  /**
   * The seed of this rule's random draws. Default: derived from the network's seed and how many rules
   * were added before this one, so the same program with the same network seed makes the same draws.
   */
  readonly seed?: number;
}

/** A rule in force, as returned by {@link Faults.add}. */
export interface FaultHandle {
  readonly rule: FaultRule;
  /** False once removed (by `remove()` or `clear()`). A used-up `drop: { next }` rule stays active. */
  readonly active: boolean;
  /** Takes the rule out; frames already delayed stay delayed. Idempotent. */
  remove(): void;
}

/** @internal What the rules decided for one frame. */
export interface FrameFaults {
  readonly drop: boolean;
  readonly delayMs: number;
  /** Extra copies to deliver after the frame. */
  readonly copies: number;
  readonly reorder: boolean;
}

const UNTOUCHED: FrameFaults = { drop: false, delayMs: 0, copies: 0, reorder: false };
const DROPPED: FrameFaults = { drop: true, delayMs: 0, copies: 0, reorder: false };

// Each fault kind draws from its own stream, so that adding a delay to a rule leaves its drops alone.
const DROP_STREAM = 1;
const DELAY_STREAM = 2;
const DUPLICATE_STREAM = 3;
const REORDER_STREAM = 4;

class ActiveRule implements FaultHandle {
  readonly rule: FaultRule;
  #active = true;
  #dropsLeft: number;
  readonly #owner: Faults;
  readonly #drops: SeededRandom;
  readonly #delays: SeededRandom;
  readonly #duplicates: SeededRandom;
  readonly #reorders: SeededRandom;

  constructor(owner: Faults, rule: FaultRule, seed: number) {
    this.rule = rule;
    this.#owner = owner;
    this.#dropsLeft = typeof rule.drop === "object" ? rule.drop.next : 0;
    this.#drops = new SeededRandom(deriveSeed(seed, DROP_STREAM));
    this.#delays = new SeededRandom(deriveSeed(seed, DELAY_STREAM));
    this.#duplicates = new SeededRandom(deriveSeed(seed, DUPLICATE_STREAM));
    this.#reorders = new SeededRandom(deriveSeed(seed, REORDER_STREAM));
  }

  get active(): boolean {
    return this.#active;
  }

  remove(): void {
    if (!this.#active) return;
    this.#active = false;
    this.#owner.detach(this);
  }

  matches(from: string, to: string, channel: string): boolean {
    const { rule } = this;
    return (
      (rule.from === undefined || rule.from === from) &&
      (rule.to === undefined || rule.to === to) &&
      (rule.channel === undefined || rule.channel === channel)
    );
  }

  drops(): boolean {
    const { drop } = this.rule;
    if (drop === undefined) return false;
    if (typeof drop === "number") return this.#drops.chance(drop);
    if (this.#dropsLeft === 0) return false;
    this.#dropsLeft--;
    return true;
  }

  delayMs(): number {
    const { delay } = this.rule;
    if (delay === undefined) return 0;
    if (typeof delay === "number") return delay;
    return this.#delays.int(delay[0], delay[1]);
  }

  duplicates(): number {
    const { duplicate } = this.rule;
    return duplicate !== undefined && this.#duplicates.chance(duplicate) ? 1 : 0;
  }

  reorders(): boolean {
    const { reorder } = this.rule;
    return reorder !== undefined && this.#reorders.chance(reorder);
  }
}

/**
 * The fault rules of one network (`network.faults`). Rules take effect for frames sent after `add`;
 * frames already in flight keep the fate they were given when sent.
 */
export class Faults {
  readonly #seed: number;
  #rules: readonly ActiveRule[] = [];
  /** Rules ever added: the default seed of each rule derives from its number. */
  #added = 0;

  /** @internal Made by the network. */
  constructor(seed: number) {
    this.#seed = seed;
  }

  /** Puts `rule` in force and returns a handle to remove it. Throws `RangeError` for an invalid rule. */
  add(rule: FaultRule): FaultHandle {
    validate(rule);
    const number = ++this.#added;
    const active = new ActiveRule(this, rule, rule.seed ?? deriveSeed(this.#seed, number));
    this.#rules = [...this.#rules, active];
    return active;
  }

  /** Removes every rule (partitions are separate: see `MemoryNetwork.heal`). */
  clear(): void {
    for (const rule of this.#rules) rule.remove();
  }

  /** The rules in force, in the order they apply. */
  get rules(): readonly FaultRule[] {
    return this.#rules.map((r) => r.rule);
  }

  /** @internal */
  detach(rule: FaultHandle): void {
    this.#rules = this.#rules.filter((r) => r !== rule);
  }

  /** @internal Decides the fate of one frame from `from` to `to` on `channel`, drawing from the rules' streams. */
  decide(from: string, to: string, channel: string): FrameFaults {
    if (this.#rules.length === 0) return UNTOUCHED;
    let delayMs = 0;
    let copies = 0;
    let reorder = false;
    let matched = false;
    for (const rule of this.#rules) {
      if (!rule.matches(from, to, channel)) continue;
      matched = true;
      if (rule.drops()) return DROPPED;
      delayMs += rule.delayMs();
      copies += rule.duplicates();
      if (rule.reorders()) reorder = true;
    }
    return matched ? { drop: false, delayMs, copies, reorder } : UNTOUCHED;
  }
}

const validate = (rule: FaultRule): void => {
  const fail = (what: string): never => {
    throw new RangeError(`invalid fault rule ${JSON.stringify(rule)}: ${what}`);
  };
  const probability = (name: string, p: number | undefined) => {
    if (p !== undefined && !(typeof p === "number" && p >= 0 && p <= 1)) fail(`${name} must be from 0 to 1`);
  };
  const { drop, delay } = rule;
  if (
    drop === undefined &&
    delay === undefined &&
    rule.duplicate === undefined &&
    rule.reorder === undefined
  ) {
    fail("it needs at least one of drop, delay, duplicate, reorder");
  }
  if (typeof drop === "object") {
    if (!(Number.isInteger(drop.next) && drop.next >= 0)) fail("drop.next must be a whole number");
  } else probability("drop", drop);
  probability("duplicate", rule.duplicate);
  probability("reorder", rule.reorder);
  if (typeof delay === "number") {
    if (!(Number.isFinite(delay) && delay >= 0)) fail("delay must be a finite number of ms, 0 or more");
  } else if (delay !== undefined) {
    const [min, max] = delay;
    if (!(Number.isInteger(min) && Number.isInteger(max) && min >= 0 && min <= max)) {
      fail("a delay range must be [min, max] whole ms with 0 <= min <= max");
    }
  }
  for (const key of ["from", "to", "channel"] as const) {
    if (rule[key] !== undefined && typeof rule[key] !== "string") fail(`${key} must be a string`);
  }
  if (rule.seed !== undefined && !Number.isInteger(rule.seed)) fail("seed must be an integer");
};
