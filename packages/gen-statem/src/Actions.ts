/**
 * Transition actions (OTP's `action()`): what a state callback asks the engine to do besides choosing
 * the next state. Return one action or an array; they run in order, and among the ones that set an
 * option (postpone, hibernate, a timeout of one kind) the last one wins.
 *
 * @example
 * return nextState("open", data, [reply(event.from, "ok"), stateTimeout(10_000, "lock")]);
 */
import type { ReplyTo } from "@maquis/core";
import type { GenericTimeoutEvent, QueuedEvent, TimeoutName } from "./Events.js";

/** Send `value` to the caller `to` (OTP's `{reply, From, Reply}`); sent at once, before the transition ends. */
export interface ReplyAction {
  readonly kind: "reply";
  readonly to: ReplyTo;
  readonly value: unknown;
}

/** Keep the current event and retry it after the next real state change (OTP's `postpone`). */
export interface PostponeAction {
  readonly kind: "postpone";
  readonly postpone: boolean;
}

/** Accepted for OTP compatibility; hibernation is a no-op in JavaScript (see docs/semantics.md). */
export interface HibernateAction {
  readonly kind: "hibernate";
  readonly hibernate: boolean;
}

/** Insert `event` to be handled before anything queued (OTP's `{next_event, Type, Content}`). */
export interface NextEventAction {
  readonly kind: "nextEvent";
  readonly event: QueuedEvent;
}

/** Which timer a {@link TimeoutAction} sets. */
export type TimerKind = "timeout" | "stateTimeout" | "genericTimeout";

/**
 * Start, restart, cancel or update a timer (OTP's `{timeout, T, Msg}`, `{state_timeout, T, Msg}` and
 * `{{timeout, Name}, T, Msg}`, with `cancel` and `update`).
 */
export interface TimeoutAction {
  readonly kind: "setTimeout";
  readonly timer: TimerKind;
  /** The generic timer's name (generic timeouts only). */
  readonly name: TimeoutName | undefined;
  /** ms (relative), a node-clock time (`abs`), `Infinity` or `"cancel"`, or `"update"`. */
  readonly time: number | "cancel" | "update";
  readonly message: unknown;
  readonly abs: boolean;
}

/** Replace the callback module (OTP's `change_callback_module`, `push_callback_module`, `pop_callback_module`). */
export interface CallbackModuleAction {
  readonly kind: "changeCallbackModule" | "pushCallbackModule" | "popCallbackModule";
  readonly module: object | undefined;
}

/**
 * One transition action. A bare number `t` is an event timeout of `t` ms whose content is `t` (OTP's
 * integer action); `"postpone"` and `"hibernate"` are the boolean options turned on.
 */
export type Action =
  | ReplyAction
  | PostponeAction
  | HibernateAction
  | NextEventAction
  | TimeoutAction
  | CallbackModuleAction
  | number
  | "postpone"
  | "hibernate";

/** One action or several, in order. */
export type Actions = Action | readonly Action[];

/** Options of a timeout action. */
export interface TimeoutOptions {
  /** `time` is an absolute time on the node's clock (`node.clock.now()` ms) instead of a delay. */
  readonly abs?: boolean;
}

/** Reply `value` to the caller `to` (OTP's `{reply, From, Reply}`). */
export const reply = (to: ReplyTo, value: unknown): ReplyAction => ({ kind: "reply", to, value });

/**
 * Postpone the current event: it is retried, in its original order, after the next real state change
 * (OTP's `postpone`). Not allowed in a state enter call; ignored in init.
 */
export const postpone = (on = true): PostponeAction => ({ kind: "postpone", postpone: on });

/** Accepted for OTP compatibility; a no-op (JavaScript has no per-process heap to compact). */
export const hibernate = (on = true): HibernateAction => ({ kind: "hibernate", hibernate: on });

/**
 * Insert an event to be handled next, before anything already queued (OTP's `next_event`); several
 * run in the order given. Not allowed in a state enter call.
 *
 * @example nextEvent("internal", "flush") · nextEvent({ type: "call", from, content: request })
 */
export function nextEvent(
  type: "internal" | "cast" | "info" | "timeout" | "stateTimeout",
  content: unknown,
): NextEventAction;
export function nextEvent(event: QueuedEvent): NextEventAction;
export function nextEvent(
  typeOrEvent: QueuedEvent["type"] | QueuedEvent,
  content?: unknown,
): NextEventAction {
  const event =
    typeof typeOrEvent === "string" ? ({ type: typeOrEvent, content } as QueuedEvent) : typeOrEvent;
  return { kind: "nextEvent", event };
}

const timeoutAction = (
  timer: TimerKind,
  name: TimeoutName | undefined,
  time: number | "cancel" | "update",
  message: unknown,
  options: TimeoutOptions | undefined,
): TimeoutAction => ({ kind: "setTimeout", timer, name, time, message, abs: options?.abs === true });

/**
 * The event timeout (OTP's `{timeout, Time, Msg}`): fires `{ type: "timeout", content: message }`
 * unless any event comes first. `"cancel"` (or `Infinity`) stops it; `"update"` replaces the message
 * without restarting the timer (with no timer running, it fires at once).
 *
 * Gotcha: with events already queued it never starts (the next event would cancel it), and `0` fires
 * only when nothing at all is queued.
 */
export const eventTimeout = (
  time: number | "cancel" | "update",
  message?: unknown,
  options?: TimeoutOptions,
): TimeoutAction => timeoutAction("timeout", undefined, time, message, options);

/**
 * The state timeout (OTP's `{state_timeout, Time, Msg}`): fires `{ type: "stateTimeout", content:
 * message }` unless the state changes first. Setting it again restarts it; `"cancel"`/`Infinity`
 * stops it; `"update"` replaces the message and keeps the deadline. Set in a transition that changes
 * state, it belongs to the new state.
 */
export const stateTimeout = (
  time: number | "cancel" | "update",
  message?: unknown,
  options?: TimeoutOptions,
): TimeoutAction => timeoutAction("stateTimeout", undefined, time, message, options);

/**
 * A generic timeout named `name` (OTP's `{{timeout, Name}, Time, Msg}`): fires `{ type:
 * "genericTimeout", name, content: message }`. It survives state changes and other events; setting
 * the same name again restarts it.
 */
export const genericTimeout = (
  name: GenericTimeoutEvent["name"],
  time: number | "cancel" | "update",
  message?: unknown,
  options?: TimeoutOptions,
): TimeoutAction => timeoutAction("genericTimeout", name, time, message, options);

/**
 * Hand the machine to another callback module from the next callback on (OTP's
 * `change_callback_module`); the state enter call of this transition already goes to it. `module` is
 * an object with the state callbacks (typically another `GenStatem` instance).
 */
export const changeCallbackModule = (module: object): CallbackModuleAction => ({
  kind: "changeCallbackModule",
  module,
});

/** Like {@link changeCallbackModule}, remembering the current module for {@link popCallbackModule}. */
export const pushCallbackModule = (module: object): CallbackModuleAction => ({
  kind: "pushCallbackModule",
  module,
});

/** Return to the module saved by {@link pushCallbackModule}; with none saved, the machine crashes. */
export const popCallbackModule = (): CallbackModuleAction => ({
  kind: "popCallbackModule",
  module: undefined,
});
