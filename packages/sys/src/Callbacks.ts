/**
 * How a behaviour's engine runs a callback that may be async: the pieces every engine shares.
 *
 * A callback returns a result or a promise of one; the engine handles a synchronous result on the spot
 * and, for a promise, continues once it settles, unless the process ended meanwhile (killed, say): a
 * killed Erlang process runs nothing more, so neither does the continuation. A rejection with a
 * non-Error value is Erlang's throw rule: the value is the callback's return value.
 */
import type { ProcessContext } from "@maquis/core";

/** What an engine step returns: nothing when it ran synchronously, or a promise while a callback runs. */
export type Step = void | PromiseLike<void>;

/** Whether `value` is a promise (any thenable). Check result kinds first: a plain result should not pay for this. */
export const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === "object" && value !== null && typeof (value as PromiseLike<unknown>).then === "function";

/** Whether the process has ended, e.g. while an async callback was pending. */
export const processGone = (self: ProcessContext): boolean => !self.node.isAlive(self.pid);

/**
 * Continues after an async callback: `onResult` with its value (or a thrown non-Error value, by the
 * throw rule), `onError` with a thrown `Error`; neither if the process has ended meanwhile.
 */
export const afterCallback = (
  pending: PromiseLike<unknown>,
  self: ProcessContext,
  onResult: (value: unknown) => Step,
  onError: (error: Error) => Step,
): PromiseLike<void> =>
  pending.then(
    (value) => (processGone(self) ? undefined : onResult(value)),
    (thrown: unknown) =>
      processGone(self) ? undefined : thrown instanceof Error ? onError(thrown) : onResult(thrown),
  );
