/**
 * What callbacks return: the counterparts of OTP's `{ok, S}`, `{reply, R, S}`, `{noreply, S}`,
 * `{stop, Reason, S}` tuples, built with the helpers below.
 */
import type { ExitReason } from "@maquis/core";

/**
 * What happens after a callback: a timeout in ms (`handleInfo` gets `"timeout"` unless a message
 * arrives first), `"hibernate"` (accepted; a no-op in JavaScript), `{ continue: value }`
 * (`handleContinue(value)` runs before any queued message), or `{ timeout, message }` (the timeout
 * delivers `message` instead of `"timeout"`).
 */
export type Next =
  | number
  | "hibernate"
  | { readonly continue: unknown }
  | { readonly timeout: number; readonly message: unknown };

export interface Ok<S> {
  readonly kind: "ok";
  readonly state: S;
  readonly next: Next | undefined;
}
export interface Ignore {
  readonly kind: "ignore";
}
export interface InitError {
  readonly kind: "error";
  readonly reason: ExitReason;
}
export interface Reply<S, R> {
  readonly kind: "reply";
  readonly reply: R;
  readonly state: S;
  readonly next: Next | undefined;
}
export interface NoReply<S> {
  readonly kind: "noreply";
  readonly state: S;
  readonly next: Next | undefined;
}
export interface Stop<S> {
  readonly kind: "stop";
  readonly reason: ExitReason;
  readonly state: S;
  readonly hasReply: boolean;
  readonly reply: unknown;
}

/** What `init` returns. `stop(reason)` ends the process with that reason; `initError` exits normally. */
export type InitResult<S> = Ok<S> | Ignore | Stop<S | undefined> | InitError;
/** What `handleCall` returns. */
export type CallResult<S, R> = Reply<S, R> | NoReply<S> | Stop<S>;
/** What `handleCast`, `handleInfo` and `handleContinue` return. */
export type NoReplyResult<S> = NoReply<S> | Stop<S>;

/** init succeeded with `state` (Erlang's `{ok, State[, Next]}`). */
export const ok = <S>(state: S, next?: Next): Ok<S> => ({ kind: "ok", state, next });

/** init declines to start: start gives `ignore` and the process exits normally. */
export const ignore = (): Ignore => ({ kind: "ignore" });

/** init fails with `reason` but the process exits normally (Erlang's `{error, Reason}` from init, OTP 26). */
export const initError = (reason: ExitReason): InitError => ({ kind: "error", reason });

/** Reply `value` and continue with `state` (Erlang's `{reply, Reply, State[, Next]}`). */
export const reply = <R, S>(value: R, state: S, next?: Next): Reply<S, R> => ({
  kind: "reply",
  reply: value,
  state,
  next,
});

/** Continue with `state`; a call's reply comes later through `GenServer.reply(from, …)` or never. */
export const noreply = <S>(state: S, next?: Next): NoReply<S> => ({ kind: "noreply", state, next });

/**
 * Stop with `reason`: terminate runs, then the process exits (from init: start fails with `reason`).
 * The state is optional so that `init` can return `stop(reason)`.
 */
export const stop = <S = undefined>(reason: ExitReason, state?: S): Stop<S> => ({
  kind: "stop",
  reason,
  state: state as S,
  hasReply: false,
  reply: undefined,
});

/**
 * Stop with `reason` and reply `value` to the caller. Gotcha (as in OTP): terminate runs **before**
 * the reply is sent, and the reply is sent even if terminate crashes.
 */
export const stopAndReply = <S, R>(reason: ExitReason, value: R, state: S): Stop<S> => ({
  kind: "stop",
  reason,
  state,
  hasReply: true,
  reply: value,
});
