/**
 * What state callbacks and init return: OTP's `{next_state, …}`, `{keep_state, …}`,
 * `{repeat_state, …}`, `{stop, …}` and `{stop_and_reply, …}` tuples, built with the helpers below.
 */
import type { ExitReason } from "@maquis/core";
import type { Actions, ReplyAction } from "./Actions.js";

/** init succeeded: start in `state` with `data`, then run `actions` (OTP's `{ok, State, Data, Actions}`). */
export interface Ok<S, D> {
  readonly kind: "ok";
  readonly state: S;
  readonly data: D;
  readonly actions: Actions | undefined;
}
/** init declines: start gives `ignore` and the process exits normally. */
export interface Ignore {
  readonly kind: "ignore";
}
/** init fails with `reason` and the process exits normally (OTP 26's `{error, Reason}`). */
export interface InitError {
  readonly kind: "error";
  readonly reason: ExitReason;
}

/** Go to `state` (OTP's `{next_state, State, Data, Actions}`); the same state is not a change. */
export interface NextState<S, D> {
  readonly kind: "nextState";
  readonly state: S;
  readonly data: D;
  readonly actions: Actions | undefined;
}
/** Stay in the current state (OTP's `keep_state*`): no enter call, postponed events stay postponed. */
export interface KeepState<D> {
  readonly kind: "keepState";
  /** false: keep the current data (`keepStateAndData`). */
  readonly hasData: boolean;
  readonly data: D | undefined;
  readonly actions: Actions | undefined;
}
/** Stay in the current state but run its enter call again (OTP's `repeat_state*`). */
export interface RepeatState<D> {
  readonly kind: "repeatState";
  readonly hasData: boolean;
  readonly data: D | undefined;
  readonly actions: Actions | undefined;
}
/** Stop (OTP's `stop`, `{stop, R[, D]}` and `{stop_and_reply, R, Replies[, D]}`). */
export interface Stop<D> {
  readonly kind: "stop";
  readonly reason: ExitReason;
  readonly hasData: boolean;
  readonly data: D | undefined;
  /** Sent before terminate runs. */
  readonly replies: readonly ReplyAction[] | undefined;
}

/** What `init` returns. */
export type InitResult<S, D> = Ok<S, D> | Ignore | InitError | Stop<D>;
/** What a state callback (or `handleEvent`) returns. */
export type StateResult<S, D> = NextState<S, D> | KeepState<D> | RepeatState<D> | Stop<D>;
/** What a state enter call returns: the same, but `nextState` must name the current state. */
export type EnterResult<S, D> = StateResult<S, D>;

/** init succeeded (OTP's `{ok, State, Data[, Actions]}`); init's actions may not postpone (ignored). */
export const ok = <S, D>(state: S, data: D, actions?: Actions): Ok<S, D> => ({
  kind: "ok",
  state,
  data,
  actions,
});

/** init declines to start: start gives `ignore` and the process exits normally. */
export const ignore = (): Ignore => ({ kind: "ignore" });

/** init fails with `reason`, the process exiting normally (OTP 26's `{error, Reason}`). */
export const initError = (reason: ExitReason): InitError => ({ kind: "error", reason });

/** Go to `state` with `data` (OTP's `{next_state, State, Data[, Actions]}`). */
export const nextState = <S, D>(state: S, data: D, actions?: Actions): NextState<S, D> => ({
  kind: "nextState",
  state,
  data,
  actions,
});

/** Stay in the current state with new `data` (OTP's `{keep_state, Data[, Actions]}`). */
export const keepState = <D>(data: D, actions?: Actions): KeepState<D> => ({
  kind: "keepState",
  hasData: true,
  data,
  actions,
});

/** Stay in the current state with the same data (OTP's `keep_state_and_data`). */
export const keepStateAndData = (actions?: Actions): KeepState<never> => ({
  kind: "keepState",
  hasData: false,
  data: undefined,
  actions,
});

/** Stay, with new `data`, and run the state enter call again (OTP's `{repeat_state, Data[, Actions]}`). */
export const repeatState = <D>(data: D, actions?: Actions): RepeatState<D> => ({
  kind: "repeatState",
  hasData: true,
  data,
  actions,
});

/** Stay with the same data and run the state enter call again (OTP's `repeat_state_and_data`). */
export const repeatStateAndData = (actions?: Actions): RepeatState<never> => ({
  kind: "repeatState",
  hasData: false,
  data: undefined,
  actions,
});

/**
 * Stop with `reason` (default `"normal"`): terminate runs, then the process exits. From init, start
 * fails with `reason`. Pass `data` to hand terminate new data.
 */
export function stop(reason?: ExitReason): Stop<never>;
export function stop<D>(reason: ExitReason, data: D): Stop<D>;
export function stop<D>(reason: ExitReason = "normal", ...rest: [D?]): Stop<D> {
  return { kind: "stop", reason, hasData: rest.length > 0, data: rest[0], replies: undefined };
}

/**
 * Send `replies`, then stop with `reason` (OTP's `{stop_and_reply, Reason, Replies[, Data]}`).
 * Gotcha (unlike gen-server's stopAndReply): the replies go out **before** terminate runs.
 */
export function stopAndReply(reason: ExitReason, replies: ReplyAction | readonly ReplyAction[]): Stop<never>;
export function stopAndReply<D>(
  reason: ExitReason,
  replies: ReplyAction | readonly ReplyAction[],
  data: D,
): Stop<D>;
export function stopAndReply<D>(
  reason: ExitReason,
  replies: ReplyAction | readonly ReplyAction[],
  ...rest: [D?]
): Stop<D> {
  const list = Array.isArray(replies) ? (replies as readonly ReplyAction[]) : [replies as ReplyAction];
  return { kind: "stop", reason, hasData: rest.length > 0, data: rest[0], replies: list };
}
