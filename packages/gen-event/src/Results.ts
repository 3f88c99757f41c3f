/**
 * What event-handler callbacks return: the counterparts of OTP's `{ok, S}`, `{ok, Reply, S}`,
 * `{swap_handler, …}` and `remove_handler` tuples, built with the helpers below.
 */
import type { HandlerId } from "./HandlerId.js";

/**
 * Accepted for OTP compatibility (`{ok, State, hibernate}`) and otherwise ignored: JavaScript has no
 * per-process heap to compact, so hibernation is a no-op.
 */
export type Hibernate = "hibernate";

/** Keep the handler with `state` (Erlang's `{ok, State[, hibernate]}`). */
export interface Ok<S> {
  readonly kind: "ok";
  readonly state: S;
  readonly hibernate: boolean;
}

/** Reply to a call and keep the handler with `state` (Erlang's `{ok, Reply, State[, hibernate]}`). */
export interface Reply<S, R> {
  readonly kind: "reply";
  readonly reply: R;
  readonly state: S;
  readonly hibernate: boolean;
}

/**
 * Replace this handler by another one (Erlang's `{swap_handler, [Reply,] Args1, State, Handler2, Args2}`):
 * this handler's `terminate(args, state)` runs, then `handler`'s `init([handlerArgs, terminateResult])`.
 */
export interface SwapHandler<S, R = unknown> {
  readonly kind: "swap";
  readonly args: unknown;
  readonly state: S;
  readonly handler: HandlerId;
  readonly handlerArgs: unknown;
  /** The call's reply, when returned from `handleCall`; ignored elsewhere. */
  readonly reply: R;
}

/** Remove this handler: its `terminate("remove_handler", state)` runs (Erlang's `remove_handler`). */
export interface RemoveHandler<R = unknown> {
  readonly kind: "remove";
  /** The call's reply, when returned from `handleCall` (`{remove_handler, Reply}`); ignored elsewhere. */
  readonly reply: R;
}

/**
 * What `init` returns: `ok(state)`. Anything else refuses the handler: `addHandler` rejects with a
 * `GenEventError` whose reason is that value; `{ error: reason }` is the conventional refusal
 * (Erlang's `{error, Reason}`).
 */
export type InitResult<S> = Ok<S> | { readonly error: unknown };

/** What `handleEvent` and `handleInfo` return. */
export type EventResult<S> = Ok<S> | SwapHandler<S> | RemoveHandler;

/** What `handleCall` returns: every kind carries the reply. */
export type CallResult<S, R> = Reply<S, R> | SwapHandler<S, R> | RemoveHandler<R>;

/** Keep the handler with `state`; `"hibernate"` is accepted and ignored (Erlang's `{ok, State[, hibernate]}`). */
export const ok = <S>(state: S, hibernate?: Hibernate): Ok<S> => ({
  kind: "ok",
  state,
  hibernate: hibernate === "hibernate",
});

/** From `handleCall`: reply `value` and keep the handler with `state` (Erlang's `{ok, Reply, State}`). */
export const reply = <R, S>(value: R, state: S, hibernate?: Hibernate): Reply<S, R> => ({
  kind: "reply",
  reply: value,
  state,
  hibernate: hibernate === "hibernate",
});

/**
 * Replace this handler by `handler` (a class, or `{ handler: Class, id }`): `terminate(args, state)`
 * runs on this one, then `handler`'s `init([handlerArgs, terminateResult])`. The new handler takes this
 * one's place in the dispatch order and its supervisor, if any.
 *
 * From `handleCall`, pass the reply last (Erlang's `{swap_handler, Reply, Args1, State, H2, Args2}`):
 * the caller gets it once the swap is done, even if the new handler's init fails.
 *
 * Gotcha: if the new handler's init fails, both handlers are gone (the old one has terminated).
 */
export function swapHandler<S>(
  args: unknown,
  state: S,
  handler: HandlerId,
  handlerArgs: unknown,
): SwapHandler<S>;
export function swapHandler<S, R>(
  args: unknown,
  state: S,
  handler: HandlerId,
  handlerArgs: unknown,
  reply: R,
): SwapHandler<S, R>;
export function swapHandler<S, R>(
  args: unknown,
  state: S,
  handler: HandlerId,
  handlerArgs: unknown,
  reply?: R,
): SwapHandler<S, R | undefined> {
  return { kind: "swap", args, state, handler, handlerArgs, reply };
}

/**
 * Remove this handler: `terminate("remove_handler", state)` runs and a supervised handler's supervisor
 * gets a `GenEventExit` with reason `"normal"`. From `handleCall`, pass the reply (Erlang's
 * `{remove_handler, Reply}`).
 */
export function removeHandler(): RemoveHandler<undefined>;
export function removeHandler<R>(reply: R): RemoveHandler<R>;
export function removeHandler<R>(reply?: R): RemoveHandler<R | undefined> {
  return { kind: "remove", reply };
}
