/**
 * The run queue shared by every node in this JavaScript realm.
 *
 * Runnable processes wait in one FIFO. The queue is drained synchronously, each process running at most
 * a budget of messages before going to the back (Erlang's reductions, coarsely). A drain starts from a
 * microtask, so a Promise continuation (an awaited call's reply) is served within the same event-loop
 * turn; after a time slice the drain yields to I/O with a macrotask. One task per message would cost
 * 5-50x (see docs/semantics.md, "Scheduling").
 */
export interface Runnable {
  /** Set while the runnable sits in the queue; owned by the scheduler. */
  scheduled: boolean;
  /** Runs one slice. */
  runSlice(): void;
}

/** Messages a process handles per slice before others get a turn. */
export const BUDGET = 1000;
/** Milliseconds of draining before yielding to I/O and timers. */
const SLICE_MS = 5;

type Macrotask = (fn: () => void) => void;

const macrotask: Macrotask = (() => {
  const g = globalThis as {
    setImmediate?: (fn: () => void) => unknown;
    MessageChannel?: typeof MessageChannel;
  };
  if (typeof g.setImmediate === "function") {
    const setImmediate = g.setImmediate;
    return (fn) => {
      setImmediate(fn);
    };
  }
  if (typeof g.MessageChannel === "function") {
    const channel = new g.MessageChannel();
    const pending: Array<() => void> = [];
    channel.port1.onmessage = () => pending.shift()?.();
    return (fn) => {
      pending.push(fn);
      channel.port2.postMessage(null);
    };
  }
  return (fn) => {
    setTimeout(fn, 0);
  };
})();

let queue: Array<Runnable | undefined> = new Array(1024);
let head = 0;
let length = 0;
let mask = 1023;
let kicked = false;
let draining = false;
// Drains are kicked with `resolved.then(drain)`: a microtask like queueMicrotask, without Node's
// per-call validation and async-context wrapping (measurable on every call round trip).
const resolved = Promise.resolve();

/** An async body was woken during this drain: its continuation is a microtask queued behind us. */
let wokeMicrotask = false;

/** Puts a runnable at the back of the queue and makes sure a drain is coming. */
export const schedule = (item: Runnable): void => {
  if (item.scheduled) return;
  item.scheduled = true;
  if (length > mask) grow();
  queue[(head + length) & mask] = item;
  length++;
  if (!kicked && !draining) {
    kicked = true;
    resolved.then(drain);
  }
};

const grow = (): void => {
  const next = new Array<Runnable | undefined>(queue.length * 2);
  for (let i = 0; i < length; i++) next[i] = queue[(head + i) & mask];
  queue = next;
  head = 0;
  mask = next.length - 1;
};

/**
 * When the current time slice began, or -1 when none is open. A slice spans every drain kicked by a
 * microtask (a process woken by a resolved promise kicks one), and closes only when a macrotask has run:
 * without that, work bouncing between a handler and an async body would chain microtask drains forever
 * and starve I/O and timers.
 */
let sliceStart = -1;
/** The slice ran out; stays set until a macrotask closes the slice. */
let sliceSpent = false;
let wakes = 0;

const closeSlice = (): void => {
  sliceStart = -1;
  sliceSpent = false;
};

const openSlice = (): void => {
  if (sliceStart >= 0) return;
  sliceStart = performance.now();
  macrotask(closeSlice);
};

const spent = (): boolean => {
  if (!sliceSpent && performance.now() - sliceStart > SLICE_MS) sliceSpent = true;
  return sliceSpent;
};

/**
 * Called before resolving the promise an async process awaits in `receive`. Returns true when the
 * caller may resolve it now: the drain then steps aside (to microtasks, not I/O) after the current
 * slice so the woken body runs first. Returns false once the time slice is spent: the caller hands the
 * message over through the run queue instead, which yields to I/O first. Without that check, two async
 * bodies bouncing a message would be an endless microtask chain.
 */
export const wakeAsync = (): boolean => {
  openSlice();
  if (sliceSpent || ((++wakes & 63) === 0 && spent())) return false;
  wokeMicrotask = true;
  return true;
};

const drain = (): void => {
  kicked = false;
  if (sliceStart < 0) openSlice();
  else if (spent()) {
    kicked = true;
    macrotask(drain); // runs after closeSlice, in a fresh slice
    return;
  }
  draining = true;
  let slices = 0;
  try {
    while (length > 0) {
      const item = queue[head]!;
      queue[head] = undefined;
      head = (head + 1) & mask;
      length--;
      item.scheduled = false;
      item.runSlice();
      if (wokeMicrotask) break;
      if ((++slices & 31) === 0 && spent()) break;
    }
  } finally {
    draining = false;
    if (length > 0 && !kicked) {
      kicked = true;
      // After waking an async body, continue behind its continuation (the entry check above still
      // ends the slice on time); otherwise the slice is spent: continue behind I/O.
      if (wokeMicrotask) resolved.then(drain);
      else macrotask(drain);
    }
    wokeMicrotask = false;
  }
};

/**
 * Drains the run queue now, from the caller's stack, rather than from the microtask that `schedule`
 * queued (which then finds nothing to do). For I/O callbacks that made processes runnable and want
 * their work done before returning. A no-op inside a drain or with nothing queued; the time slice
 * applies as usual.
 */
export const runNow = (): void => {
  if (!draining && length > 0) drain();
};

/** Number of runnables waiting (for introspection and tests). */
export const runQueueLength = (): number => length;

/**
 * Resolves once the run queue is empty after a macrotask turn, so every pending microtask (async
 * process bodies included) has run too. A synchronisation point for tests and shutdown, not a clock.
 */
export const whenIdle = async (maxTurns = 10_000): Promise<void> => {
  for (let turn = 0; turn < maxTurns; turn++) {
    await new Promise<void>((resolve) => macrotask(resolve));
    if (length === 0 && !kicked && !draining) return;
  }
};
