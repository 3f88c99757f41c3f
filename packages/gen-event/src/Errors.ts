/**
 * The one error the handler operations reject with when OTP's `gen_event` would *return* an error
 * value (`{error, X}` or `{'EXIT', R}`) instead of exiting the caller.
 */
import { describe } from "@maquis/core";

/** The operation that failed: the `GenEvent` function's name. */
export type GenEventOperation =
  | "addHandler"
  | "addSupHandler"
  | "deleteHandler"
  | "swapHandler"
  | "swapSupHandler"
  | "call";

/**
 * A handler operation failed, and the manager is fine. `reason`, as OTP returns it:
 *
 * | operation | `reason` | OTP returns |
 * |---|---|---|
 * | `addHandler`, `addSupHandler` | what `init` returned instead of `ok(…)` (e.g. `{ error: x }`) | that value |
 * | | `{ exit: r }`: init threw (an `Error` as `r`, or an `Exit`'s reason) or is missing | `{'EXIT', R}` |
 * | `deleteHandler` | `"module_not_found"`: no such handler | `{error, module_not_found}` |
 * | | `{ exit: r }`: its terminate threw (the handler is removed anyway) | `{'EXIT', R}` |
 * | `swapHandler`, `swapSupHandler` | the new handler's init failure, as for `addHandler` | `{error, X}` |
 * | `call` | `"bad_module"`: no such handler | `{error, bad_module}` |
 * | | `{ exit: r }`: handleCall threw or is missing (the handler is removed) | `{error, {'EXIT', R}}` |
 * | | the bad value handleCall returned (the handler is removed) | `{error, Value}` |
 *
 * A missing manager, a dead one or a timeout is not a `GenEventError` but core's `CallError`, as for a
 * gen-server call.
 */
export class GenEventError extends Error {
  readonly _tag = "GenEventError";
  readonly reason: unknown;
  readonly operation: GenEventOperation;
  constructor(reason: unknown, operation: GenEventOperation) {
    super(`GenEvent.${operation} failed: ${describe(reason)}`);
    this.name = "GenEventError";
    this.reason = reason;
    this.operation = operation;
  }
}
