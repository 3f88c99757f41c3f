/**
 * The in-memory network's run queue: everything due to reach an end (frames and close notifications),
 * in one FIFO for the whole network, delivered automatically on microtasks or one at a time by hand.
 */

/**
 * How a network delivers what is due:
 *
 * - `"auto"`: on a microtask after the send. Each flush delivers what was queued when it started, so a
 *   frame sent while handling a delivery goes out in the next flush, as on a real network, and other
 *   microtasks (a process woken by the previous frame) run in between. Microtasks rather than macrotasks
 *   because a round trip then costs no event-loop turn; a chain of flushes yields to a macrotask every
 *   {@link FLUSHES_PER_MACROTASK} flushes, so endpoints answering each frame with a frame cannot starve
 *   timers and I/O.
 * - `"manual"`: nothing is delivered until `step()` or `runUntilIdle()`, for simulations that
 *   interleave deliveries exactly.
 */
export type DeliveryMode = "auto" | "manual";

/** @internal Consecutive automatic flushes before one waits for a macrotask. */
export const FLUSHES_PER_MACROTASK = 64;

/** @internal One thing to deliver. */
export interface Delivery {
  /** False while it must wait (its connection's owner has not set a handler yet); later ones may pass it. */
  readonly ready: boolean;
  deliver(): void;
}

const resolved = Promise.resolve();

/** A macrotask without depending on a host's typings: `setImmediate` where it exists, else `setTimeout`. */
const macrotask = (fn: () => void): void => {
  const host = globalThis as {
    setImmediate?: (fn: () => void) => unknown;
    setTimeout?: (fn: () => void, ms: number) => unknown;
  };
  if (typeof host.setImmediate === "function") host.setImmediate(fn);
  else if (typeof host.setTimeout === "function") host.setTimeout(fn, 0);
  else resolved.then(fn);
};

/**
 * A handler that throws during an automatic flush must not stop the other deliveries; it surfaces the
 * way an exception in a socket's event handler does, as an unhandled error.
 */
const reportUncaught = (error: unknown): void => {
  void Promise.reject(error);
};

/** @internal */
export class DeliveryQueue {
  #mode: DeliveryMode;
  #items: Array<Delivery | undefined> = [];
  /** Index of the first live item: taking from the front is O(1), the array is compacted now and then. */
  #head = 0;
  #flushScheduled = false;
  #chainedFlushes = 0;

  constructor(mode: DeliveryMode) {
    this.#mode = mode;
  }

  get mode(): DeliveryMode {
    return this.#mode;
  }

  set mode(mode: DeliveryMode) {
    this.#mode = mode;
    this.kick();
  }

  /** Deliveries waiting, ready or not. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  push(delivery: Delivery): void {
    this.#items.push(delivery);
    this.kick();
  }

  /** Makes sure an automatic flush is coming if anything waits (after a delivery became ready). */
  kick(): void {
    if (this.#mode === "auto" && !this.#flushScheduled && this.length > 0) {
      this.#flushScheduled = true;
      resolved.then(this.#flush);
    }
  }

  /** Delivers the first ready delivery; false when none is ready. Exceptions from handlers propagate. */
  step(): boolean {
    const next = this.#take();
    if (next === undefined) return false;
    next.deliver();
    return true;
  }

  /** Steps until nothing is ready; throws after `maxSteps` deliveries, as the sign of a livelock. */
  runUntilIdle(maxSteps: number): number {
    for (let steps = 0; ; steps++) {
      if (steps === maxSteps && this.#hasReady()) {
        throw new Error(`the network is still busy after ${steps} deliveries (endpoints in a livelock?)`);
      }
      if (!this.step()) return steps;
    }
  }

  /** Takes out every waiting delivery that `doomed` selects and returns them, in order. */
  remove(doomed: (delivery: Delivery) => boolean): Delivery[] {
    const removed: Delivery[] = [];
    const kept: Array<Delivery | undefined> = [];
    for (let i = this.#head; i < this.#items.length; i++) {
      const item = this.#items[i]!;
      (doomed(item) ? removed : kept).push(item);
    }
    this.#items = kept;
    this.#head = 0;
    return removed;
  }

  #hasReady(): boolean {
    for (let i = this.#head; i < this.#items.length; i++) if (this.#items[i]!.ready) return true;
    return false;
  }

  #take(): Delivery | undefined {
    const items = this.#items;
    for (let i = this.#head; i < items.length; i++) {
      const item = items[i]!;
      if (!item.ready) continue;
      if (i === this.#head) {
        items[i] = undefined; // let it be collected
        this.#head++;
        if (this.#head === items.length) {
          this.#items = [];
          this.#head = 0;
        } else if (this.#head >= 1024 && this.#head * 2 >= items.length) {
          this.#items = items.slice(this.#head);
          this.#head = 0;
        }
      } else items.splice(i, 1); // rare: it overtakes deliveries still waiting for their owner
      return item;
    }
    return undefined;
  }

  readonly #flush = (): void => {
    // `#flushScheduled` stays set while delivering, so that what handlers send does not kick a second
    // flush: this one schedules the next when it is done.
    let delivered = 0;
    if (this.#mode === "auto") {
      let budget = this.length;
      while (budget-- > 0) {
        const next = this.#take();
        if (next === undefined) break;
        delivered++;
        try {
          next.deliver();
        } catch (error) {
          reportUncaught(error);
        }
      }
    }
    this.#flushScheduled = false;
    // Nothing delivered means what waits is not ready: the owner setting a handler kicks again.
    if (this.#mode !== "auto" || this.length === 0 || delivered === 0) {
      this.#chainedFlushes = 0;
      return;
    }
    this.#flushScheduled = true;
    if (++this.#chainedFlushes < FLUSHES_PER_MACROTASK) resolved.then(this.#flush);
    else {
      this.#chainedFlushes = 0;
      macrotask(this.#flush);
    }
  };
}
