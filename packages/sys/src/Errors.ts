import { describe, type ExitReason } from "@maquis/core";

/**
 * A start failed: the `{error, Reason}` (or `ignore`) of Erlang's start functions.
 *
 * `reason` is what init failed with: the value of a `stop`/`error` result, the thrown error, `"timeout"`
 * for a start timeout, or `{ alreadyStarted: pid }` when the name is taken. An init that returned
 * `ignore` gives `ignored === true` (and `reason === "ignore"`).
 */
export class StartError extends Error {
  readonly _tag = "StartError";
  readonly reason: ExitReason;
  constructor(reason: ExitReason) {
    super(reason === "ignore" ? "init returned ignore" : `start failed: ${describe(reason)}`);
    this.name = "StartError";
    this.reason = reason;
  }

  get ignored(): boolean {
    return this.reason === "ignore";
  }
}

/**
 * A callback run on a system request failed (Erlang's `{callback_failed, {Mod, Fun}, {Class, Reason}}`),
 * e.g. the function given to `replaceState` threw. The process keeps running with its state unchanged.
 */
export class CallbackFailedError extends Error {
  readonly _tag = "CallbackFailedError";
  /** The callback that failed, e.g. `"GenServer.systemReplaceState"`. */
  readonly callback: string;
  constructor(callback: string, cause: unknown) {
    super(`${callback} failed: ${describe(cause)}`, { cause });
    this.name = "CallbackFailedError";
    this.callback = callback;
  }
}

/** A system request the process does not serve (`changeCode` while not suspended, for instance). */
export class UnknownSystemMessageError extends Error {
  readonly _tag = "UnknownSystemMessageError";
  readonly request: unknown;
  constructor(request: unknown) {
    super(`unknown system message: ${describe(request)}`);
    this.name = "UnknownSystemMessageError";
    this.request = request;
  }
}
