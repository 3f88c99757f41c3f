/**
 * A FIFO of messages on a growable ring buffer (power-of-two capacity, so wrap-around is a mask).
 * `shift` is O(1); selective `take` scans from the oldest message and closes the gap from the nearer
 * end, so a match near either end is cheap. Never `Array#shift`, which is O(n) per message.
 */
const SHRINK_ABOVE = 1023;

export class Mailbox {
  private items: unknown[];
  private head = 0;
  private mask: number;
  size = 0;

  constructor(capacity = 8) {
    this.items = new Array(capacity);
    this.mask = capacity - 1;
  }

  push(message: unknown): void {
    if (this.size > this.mask) this.grow();
    this.items[(this.head + this.size) & this.mask] = message;
    this.size++;
  }

  /** The oldest message, or `undefined` when empty. */
  shift(): unknown {
    if (this.size === 0) return undefined;
    const items = this.items;
    const message = items[this.head];
    items[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    if (--this.size === 0 && this.mask > SHRINK_ABOVE) this.reset();
    return message;
  }

  /** Drops a large emptied buffer: a burst must not leave a huge array for the GC to scan forever. */
  private reset(): void {
    this.items = new Array(8);
    this.mask = 7;
    this.head = 0;
  }

  /** Removes and returns the oldest message `match` accepts; `undefined` if none does. */
  take(match: (message: unknown) => boolean): unknown {
    const { items, mask, head, size } = this;
    for (let i = 0; i < size; i++) {
      const message = items[(head + i) & mask];
      if (match(message)) {
        this.removeAt(i);
        return message;
      }
    }
    return undefined;
  }

  /** Removes every message `match` accepts; returns how many. */
  removeAll(match: (message: unknown) => boolean): number {
    const { items, mask, head, size } = this;
    let kept = 0;
    for (let i = 0; i < size; i++) {
      const message = items[(head + i) & mask];
      if (!match(message)) items[(head + kept++) & mask] = message;
    }
    for (let i = kept; i < size; i++) items[(head + i) & mask] = undefined;
    this.size = kept;
    return size - kept;
  }

  /** A copy of the queued messages, oldest first (for introspection). */
  toArray(): unknown[] {
    const out = new Array(this.size);
    for (let i = 0; i < this.size; i++) out[i] = this.items[(this.head + i) & this.mask];
    return out;
  }

  private removeAt(index: number): void {
    const { items, mask, head } = this;
    if (index < this.size >>> 1) {
      for (let i = index; i > 0; i--) items[(head + i) & mask] = items[(head + i - 1) & mask];
      items[head] = undefined;
      this.head = (head + 1) & mask;
    } else {
      for (let i = index; i < this.size - 1; i++) items[(head + i) & mask] = items[(head + i + 1) & mask];
      items[(head + this.size - 1) & mask] = undefined;
    }
    this.size--;
  }

  private grow(): void {
    const old = this.items;
    const capacity = old.length * 2;
    const next = new Array(capacity);
    for (let i = 0; i < this.size; i++) next[i] = old[(this.head + i) & this.mask];
    this.items = next;
    this.head = 0;
    this.mask = capacity - 1;
  }
}
