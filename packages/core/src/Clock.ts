/** An opaque handle for a scheduled clock callback. */
export type ClockHandle = unknown;

/**
 * Time as the runtime sees it: a monotonic millisecond clock and one-shot callbacks.
 *
 * Timers (`sendAfter`, receive timeouts) go through the node's clock, so tests can hand
 * `Node.start({ clock: new VirtualClock() })` a clock they advance by hand and never sleep.
 */
export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Calls `fire` once, `delayMs` from now. */
  schedule(delayMs: number, fire: () => void): ClockHandle;
  /** Cancels a scheduled callback; a no-op when it has fired or was cancelled. */
  cancel(handle: ClockHandle): void;
}

// setTimeout's limit; longer delays are re-armed in steps.
const MAX_DELAY = 2_147_483_647;

/** The real clock: `performance.now()` and `setTimeout`, available in Node, Bun, Deno and browsers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  schedule(delayMs, fire) {
    const handle: { timer: unknown | undefined } = { timer: undefined };
    const due = performance.now() + delayMs;
    const arm = (delay: number) => {
      handle.timer = setTimeout(
        () => {
          const left = due - performance.now();
          if (left > 1 && delay === MAX_DELAY) arm(Math.min(left, MAX_DELAY));
          else fire();
        },
        Math.max(0, Math.min(delay, MAX_DELAY)),
      );
    };
    arm(delayMs);
    return handle;
  },
  cancel(handle) {
    clearTimeout((handle as { timer: unknown | undefined }).timer);
  },
};

interface VirtualTimer {
  readonly due: number;
  readonly seq: number;
  readonly fire: () => void;
  cancelled: boolean;
}

/**
 * A clock that only moves when told to, for deterministic tests.
 *
 * `advance(ms)` fires every callback due within the window in time order (ties in scheduling order),
 * including ones scheduled by callbacks during the advance. Processes react to those timers on the
 * scheduler as usual, so a test typically advances, then awaits a message.
 */
export class VirtualClock implements Clock {
  private time: number;
  private seq = 0;
  private heap: VirtualTimer[] = [];

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  schedule(delayMs: number, fire: () => void): ClockHandle {
    const timer: VirtualTimer = {
      due: this.time + Math.max(0, delayMs),
      seq: this.seq++,
      fire,
      cancelled: false,
    };
    this.push(timer);
    return timer;
  }

  cancel(handle: ClockHandle): void {
    (handle as VirtualTimer).cancelled = true;
  }

  /** Moves time forward by `ms`, firing what falls due. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      const next = this.heap[0];
      if (next === undefined || next.due > target) break;
      this.pop();
      if (next.cancelled) continue;
      this.time = next.due;
      next.fire();
    }
    this.time = target;
  }

  /** Milliseconds until the next pending callback, or `undefined` when none is pending. */
  nextDelay(): number | undefined {
    while (this.heap[0]?.cancelled) this.pop();
    const next = this.heap[0];
    return next === undefined ? undefined : next.due - this.time;
  }

  /** Number of callbacks still pending. */
  get pending(): number {
    return this.heap.filter((t) => !t.cancelled).length;
  }

  private before(a: VirtualTimer, b: VirtualTimer): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  private push(timer: VirtualTimer): void {
    const heap = this.heap;
    let i = heap.push(timer) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && this.before(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && this.before(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  }
}
