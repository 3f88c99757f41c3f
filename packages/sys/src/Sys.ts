/**
 * The `sys` client API (Erlang's `sys` module): inspect and control any behaviour process.
 *
 * Every function takes the caller (a process or a node), the target (pid or name) and an optional
 * timeout (default 5000 ms, as in Erlang). A dead target fails with a `CallError` whose reason is
 * `noproc`.
 */
import { BadArgError, CallError, type Destination, describe, type ExitReason } from "@maquis/core";
import { type Caller, nodeOf } from "./Caller.js";
import type { DebugFn, Statistics, SystemEvent } from "./Debug.js";
import { SystemMessage, type SystemReply, type SystemRequest } from "./SystemMessage.js";
import type { SystemStatus } from "./SystemProcess.js";

const DEFAULT_TIMEOUT = 5000;

const systemCall = async <T>(
  caller: Caller,
  to: Destination,
  request: SystemRequest,
  timeout: number,
  fn: string,
): Promise<T> => {
  const reply = await caller.request<SystemReply>(to, (from) => new SystemMessage(from, request), timeout, {
    module: "sys",
    function: fn,
    args: [to, request.kind, timeout],
  });
  if (reply.ok) return reply.value as T;
  throw reply.error;
};

/** The process's state (a behaviour's state, a statem's `{ state, data }`). */
export const getState = <S = unknown>(
  caller: Caller,
  to: Destination,
  timeout = DEFAULT_TIMEOUT,
): Promise<S> => systemCall(caller, to, { kind: "getState" }, timeout, "getState");

/**
 * Replaces the state with `fn(state)` and returns the new state. If `fn` throws, the call fails with
 * `CallbackFailedError` and the state is unchanged.
 */
export const replaceState = <S = unknown>(
  caller: Caller,
  to: Destination,
  fn: (state: S) => S,
  timeout = DEFAULT_TIMEOUT,
): Promise<S> =>
  systemCall(
    caller,
    to,
    { kind: "replaceState", fn: fn as (s: unknown) => unknown },
    timeout,
    "replaceState",
  );

/** Status: behaviour, module, running or suspended, parent, debug flags and the behaviour's own part. */
export const getStatus = (
  caller: Caller,
  to: Destination,
  timeout = DEFAULT_TIMEOUT,
): Promise<SystemStatus> => systemCall(caller, to, { kind: "getStatus" }, timeout, "getStatus");

/**
 * Suspends the process: it serves only system messages (and its parent's EXIT) until resumed; other
 * messages wait in its mailbox. Idempotent.
 */
export const suspend = (caller: Caller, to: Destination, timeout = DEFAULT_TIMEOUT): Promise<void> =>
  systemCall(caller, to, { kind: "suspend" }, timeout, "suspend");

/** Resumes a suspended process. Idempotent. */
export const resume = (caller: Caller, to: Destination, timeout = DEFAULT_TIMEOUT): Promise<void> =>
  systemCall(caller, to, { kind: "resume" }, timeout, "resume");

/**
 * Runs the behaviour's code-change callback. Only while suspended (as in Erlang); otherwise it fails
 * with `UnknownSystemMessageError`.
 */
export const changeCode = (
  caller: Caller,
  to: Destination,
  oldVsn: unknown,
  extra: unknown,
  timeout = DEFAULT_TIMEOUT,
): Promise<void> => systemCall(caller, to, { kind: "changeCode", oldVsn, extra }, timeout, "changeCode");

/**
 * Turns statistics on or off, or reads them (`"get"` gives the counts, or `"no_statistics"` if off).
 */
export function statistics(
  caller: Caller,
  to: Destination,
  flag: "get",
  timeout?: number,
): Promise<Statistics | "no_statistics">;
export function statistics(caller: Caller, to: Destination, flag: boolean, timeout?: number): Promise<void>;
export function statistics(
  caller: Caller,
  to: Destination,
  flag: boolean | "get",
  timeout = DEFAULT_TIMEOUT,
): Promise<unknown> {
  return systemCall(caller, to, { kind: "statistics", flag }, timeout, "statistics");
}

/** Prints each event (`*DBG* name got call … from …`) through the node's logger, at debug level. */
export const trace = (
  caller: Caller,
  to: Destination,
  on: boolean,
  timeout = DEFAULT_TIMEOUT,
): Promise<void> => systemCall(caller, to, { kind: "trace", on }, timeout, "trace");

/**
 * Keeps the last N events (`true` = 10, a number = that many, `false` = off), or returns them (`"get"`).
 */
export function log(
  caller: Caller,
  to: Destination,
  flag: "get" | "print",
  timeout?: number,
): Promise<SystemEvent[]>;
export function log(caller: Caller, to: Destination, flag: boolean | number, timeout?: number): Promise<void>;
export function log(
  caller: Caller,
  to: Destination,
  flag: boolean | number | "get" | "print",
  timeout = DEFAULT_TIMEOUT,
): Promise<unknown> {
  return systemCall(caller, to, { kind: "log", flag }, timeout, "log");
}

/**
 * Installs a debug function, called on every event with its own state (Erlang's `sys:install`). Keyed
 * by `id` (the function itself when omitted): installing the same key twice keeps the first.
 */
export const install = (
  caller: Caller,
  to: Destination,
  fn: DebugFn,
  state: unknown,
  options: { readonly id?: unknown; readonly timeout?: number } = {},
): Promise<void> =>
  systemCall(
    caller,
    to,
    { kind: "install", id: "id" in options ? options.id : fn, fn, state },
    options.timeout ?? DEFAULT_TIMEOUT,
    "install",
  );

/** Removes a debug function by id or by the function itself. */
export const remove = (
  caller: Caller,
  to: Destination,
  idOrFn: unknown,
  timeout = DEFAULT_TIMEOUT,
): Promise<void> => systemCall(caller, to, { kind: "remove", id: idOrFn }, timeout, "remove");

/** Turns every debug option off. */
export const noDebug = (caller: Caller, to: Destination, timeout = DEFAULT_TIMEOUT): Promise<void> =>
  systemCall(caller, to, { kind: "noDebug" }, timeout, "noDebug");

const sameReason = (a: ExitReason, b: ExitReason): boolean => a === b || describe(a) === describe(b);

/**
 * Stops the process: it runs its terminate callback and exits with `reason` (Erlang's
 * `proc_lib:stop/3`, used by every behaviour's `stop`). Resolves once it is dead.
 *
 * Fails with a bare `CallError` (no call site, as Erlang's bare exit): `noproc` if it is not running,
 * `timeout` if it did not stop in time, or the reason it actually exited with if that differs (its
 * terminate crashed, say). An invalid timeout throws `BadArgError` and leaves the process running.
 */
export const stop = async (
  caller: Caller,
  to: Destination,
  reason: ExitReason = "normal",
  timeout = Number.POSITIVE_INFINITY,
): Promise<void> => {
  if (!(typeof timeout === "number" && timeout >= 0))
    throw new BadArgError(`invalid timeout: ${String(timeout)}`);
  const clock = nodeOf(caller).clock;
  const started = clock.now();
  // Whether the request reached a live process: `noproc` (or `calling_self`) before that is a failure
  // even when it equals `reason`, as is the deadline passing, whatever `reason` is.
  let sent = false;
  try {
    await caller.request(
      to,
      (from) => {
        sent = true;
        return new SystemMessage(from, { kind: "terminate", reason });
      },
      timeout,
    );
  } catch (error) {
    if (!(error instanceof CallError)) throw error;
    const timedOut = error.reason === "timeout" && clock.now() - started >= timeout;
    if (sent && !timedOut && sameReason(error.reason, reason)) return;
    throw new CallError(error.reason);
  }
  throw new CallError("unexpected reply to a terminate request");
};

/** Erlang's `sys:terminate/2,3`: the same as {@link stop}, with the default reason `normal`. */
export const terminate = stop;
