/**
 * Runs a callback once every microtask queued so far, and every one those queue, has run: Node's and
 * Bun's `setImmediate`, which comes right after the I/O callbacks of the current event-loop turn.
 * Where there is no `setImmediate` (browsers, Deno), a microtask: a browser's macrotasks can be clamped
 * to milliseconds. The outbox sends signals no one waits for (demonitors) there, so that they join
 * whatever the turn's promise chains send next.
 */
const setImmediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;

export const afterMicrotasks = (fn: () => void): void => {
  if (setImmediate !== undefined) setImmediate(fn);
  else queueMicrotask(fn);
};
