/**
 * The events a state machine handles (OTP's `EventType` and `EventContent`, carried together in one
 * object): calls, casts and plain messages from outside, the three kinds of timeout, events the machine
 * inserts itself, and state enter calls.
 */
import type { ReplyTo } from "@maquis/core";
import type { AnyProtocol, CallRequest, CastRequest, Protocol } from "@maquis/sys";

/** The name of a generic timeout (OTP's `{timeout, Name}`); names are compared with `===`. */
export type TimeoutName = string | number | symbol | boolean | bigint;

/** A call: answer it with the `reply(from, value)` action, now or from a later event. */
export interface CallEvent<Q = unknown> {
  readonly type: "call";
  readonly from: ReplyTo;
  readonly content: Q;
}

/** A cast (fire-and-forget request). */
export interface CastEvent<C = unknown> {
  readonly type: "cast";
  readonly content: C;
}

/** Any other message that reached the process (DOWNs, EXITs while trapping, plain sends). */
export interface InfoEvent {
  readonly type: "info";
  readonly content: unknown;
}

/** The event timeout fired: no event arrived within its time (OTP's `timeout`). */
export interface EventTimeoutEvent {
  readonly type: "timeout";
  readonly content: unknown;
}

/** The state timeout fired: the machine stayed in one state for its time (OTP's `state_timeout`). */
export interface StateTimeoutEvent {
  readonly type: "stateTimeout";
  readonly content: unknown;
}

/** A generic (named) timeout fired (OTP's `{timeout, Name}`). */
export interface GenericTimeoutEvent {
  readonly type: "genericTimeout";
  readonly name: TimeoutName;
  readonly content: unknown;
}

/** An event the machine inserted itself with `nextEvent("internal", …)`. */
export interface InternalEvent {
  readonly type: "internal";
  readonly content: unknown;
}

/**
 * A state enter call (only with `stateEnter` on): the machine entered the state it is now in, coming
 * from `oldState` (equal to the current state for the initial state and for `repeatState`).
 */
export interface EnterEvent<S = unknown> {
  readonly type: "enter";
  readonly oldState: S;
}

/**
 * Every event a state callback can receive, typed by the machine's protocol `P` (calls and casts) and
 * state type `S` (enter calls).
 *
 * @example
 * handleEvent(event: StatemEvent<DoorProtocol, DoorState>, state: DoorState, data: Data) {
 *   switch (event.type) {
 *     case "call": …   // event.from, event.content
 *     case "stateTimeout": …
 *   }
 * }
 */
export type StatemEvent<P extends Protocol = AnyProtocol, S = unknown> =
  | CallEvent<CallRequest<P>>
  | CastEvent<CastRequest<P>>
  | InfoEvent
  | EventTimeoutEvent
  | StateTimeoutEvent
  | GenericTimeoutEvent
  | InternalEvent
  | EnterEvent<S>;

/** The events that can be queued (every kind but enter calls, which only the engine makes). */
export type QueuedEvent = Exclude<StatemEvent, EnterEvent>;

/** The type tags of {@link StatemEvent}. */
export type EventType = StatemEvent["type"];
