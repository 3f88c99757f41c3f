import { type ExitReason, describe } from "@maquis/core";

/**
 * Thrown from a behaviour callback to end the process with `reason`, running terminate first: the
 * `exit(Reason)` exception of Erlang. (Calling `self.exit(reason)` instead ends the process on the
 * spot, without terminate, because in JavaScript it cannot unwind through the behaviour.)
 *
 * @example throw new Exit({ shutdown: "bye" })
 */
export class Exit extends Error {
  readonly reason: ExitReason;
  constructor(reason: ExitReason) {
    super(`exit: ${describe(reason)}`);
    this.name = "Exit";
    this.reason = reason;
  }
}

/**
 * The exit reason for something a callback threw: an {@link Exit}'s reason (Erlang's exit class), or
 * the error itself (error class; the error carries its stack as Erlang's `{Reason, Stack}` does).
 * Non-Error throws are not failures in behaviours (see each behaviour's throw rule).
 */
export const exitReasonOf = (thrown: unknown): ExitReason =>
  thrown instanceof Exit ? thrown.reason : thrown;

/** A required callback is missing (Erlang's `undef`). */
export class UndefinedCallbackError extends Error {
  readonly _tag = "UndefinedCallbackError";
  readonly callback: string;
  constructor(module: string, callback: string) {
    super(`${module}.${callback} is not defined`);
    this.name = "UndefinedCallbackError";
    this.callback = callback;
  }
}
