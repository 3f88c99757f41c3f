/** A network partition on the in-memory network: two groups of nodes that cannot reach each other. */
import type { CloseInfo } from "../Connection.js";

/**
 * How a partition closes the connections it cuts, at both ends (`local: false`: neither end chose it).
 * 1006 is WebSocket's "connection lost without a close frame".
 */
export const PARTITIONED: Omit<CloseInfo, "local"> = { code: 1006, reason: "partitioned" };

/**
 * A partition in force, as returned by `MemoryNetwork.partition`. While it is active, connections
 * between its two sides are cut and new ones are refused; nodes on neither side are unaffected, and
 * nodes on the same side still reach each other.
 *
 * @example
 * const split = network.partition(["a"], ["b", "c"]); // a alone on one side
 * // ... a's connections to b and c closed with reason "partitioned"; connects across refused
 * split.heal(); // connects across work again (cut connections stay closed: redial them)
 */
export class Partition {
  /** One side. */
  readonly sideA: ReadonlySet<string>;
  /** The other side; `undefined` means every node not in `sideA`. */
  readonly sideB: ReadonlySet<string> | undefined;
  #active = true;
  readonly #onHeal: (partition: Partition) => void;

  /** @internal Made by `MemoryNetwork.partition`. */
  constructor(sideA: Iterable<string>, sideB: Iterable<string> | undefined, onHeal: (p: Partition) => void) {
    this.sideA = new Set(sideA);
    this.sideB = sideB === undefined ? undefined : new Set(sideB);
    this.#onHeal = onHeal;
    if (this.sideA.size === 0) throw new RangeError("a partition needs at least one node on its first side");
    for (const node of this.sideB ?? []) {
      if (this.sideA.has(node)) throw new RangeError(`node ${node} cannot be on both sides of a partition`);
    }
  }

  /** False once healed. */
  get active(): boolean {
    return this.#active;
  }

  /** Ends this partition (other partitions stay). Idempotent. */
  heal(): void {
    if (!this.#active) return;
    this.#active = false;
    this.#onHeal(this);
  }

  /** Whether this partition, while active, keeps `a` and `b` apart. */
  separates(a: string, b: string): boolean {
    if (!this.#active) return false;
    const aInA = this.sideA.has(a);
    const bInA = this.sideA.has(b);
    if (this.sideB === undefined) return aInA !== bInA;
    return (aInA && this.sideB.has(b)) || (bInA && this.sideB.has(a));
  }
}
