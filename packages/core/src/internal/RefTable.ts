/**
 * Entries keyed by the ref they hold, looked up by `ref.id` and then `equals`, so that no lookup builds
 * the ref's string `key` (a remote call's monitor and demonitor each look one up on the callee's side,
 * and the refs come fresh off the wire). Refs of different nodes or incarnations may share an id: those
 * entries share a slot.
 */
import type { Ref } from "../Ref.js";

export class RefTable<V extends { readonly ref: Ref }> {
  /** One entry, or (rarely) the entries whose refs share this id. */
  readonly #byId = new Map<number, V | V[]>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Adds `entry`, replacing one with an equal ref. */
  set(entry: V): void {
    const id = entry.ref.id;
    const slot = this.#byId.get(id);
    if (slot === undefined) {
      this.#byId.set(id, entry);
      this.#size++;
    } else if (!Array.isArray(slot)) {
      if (slot.ref.equals(entry.ref)) this.#byId.set(id, entry);
      else {
        this.#byId.set(id, [slot, entry]);
        this.#size++;
      }
    } else {
      const at = slot.findIndex((e) => e.ref.equals(entry.ref));
      if (at >= 0) slot[at] = entry;
      else {
        slot.push(entry);
        this.#size++;
      }
    }
  }

  get(ref: Ref): V | undefined {
    const slot = this.#byId.get(ref.id);
    if (slot === undefined) return undefined;
    if (!Array.isArray(slot)) return slot.ref.equals(ref) ? slot : undefined;
    return slot.find((e) => e.ref.equals(ref));
  }

  /** Removes the entry whose ref equals `ref`; true if there was one. */
  delete(ref: Ref): boolean {
    const slot = this.#byId.get(ref.id);
    if (slot === undefined) return false;
    if (!Array.isArray(slot)) {
      if (!slot.ref.equals(ref)) return false;
      this.#byId.delete(ref.id);
    } else {
      const at = slot.findIndex((e) => e.ref.equals(ref));
      if (at < 0) return false;
      slot.splice(at, 1);
      if (slot.length === 1) this.#byId.set(ref.id, slot[0]!);
    }
    this.#size--;
    return true;
  }

  /** Removes every entry `remove` accepts. */
  deleteWhere(remove: (entry: V) => boolean): void {
    for (const entry of [...this.values()]) if (remove(entry)) this.delete(entry.ref);
  }

  *values(): IterableIterator<V> {
    for (const slot of this.#byId.values()) {
      if (Array.isArray(slot)) yield* slot;
      else yield slot;
    }
  }
}
