/**
 * The event-handler behaviour: one of the handlers an event manager feeds every event to, as a
 * callback module of OTP's `gen_event`.
 *
 * Contract (as `gen_event.erl` states it):
 * - `init(args)` runs in the manager when the handler is added: `ok(state)`, or any other value to
 *   refuse (the add rejects with it). A handler swapped in gets `[args2, terminateResultOfTheOldOne]`.
 * - `handleEvent(event, state)` for each `notify`/`syncNotify`, `handleInfo(message, state)` for any
 *   other message the manager gets: `ok(state)`, `swapHandler(…)` or `removeHandler()`.
 * - `handleCall(request, state)` for `GenEvent.call` to this handler: `reply(value, state)`,
 *   `swapHandler(…, reply)` or `removeHandler(reply)`.
 * - `terminate(arg, state)` when the handler goes; its result is what `deleteHandler` resolves with,
 *   or what the new handler's init gets on a swap.
 * - Callbacks may be async: the manager awaits each before the next handler or message.
 *
 * Failures are the handler's, never the manager's: a handler that throws an `Error` (or
 * `throw new Exit(reason)` from `@maquis/sys`), returns a bad value, or lacks `handleEvent`/`handleCall`
 * when one is needed is removed (its terminate gets `{ error: … }`, its supervisor a `GenEventExit`, the
 * node's logger an error report) while the manager and the other handlers carry on. Throwing any other
 * value returns it (Erlang's throw rule).
 *
 * @example
 * class Counter extends EventHandler<"tick", number, number, "count", number> {
 *   init(start: number) { return ok(start); }
 *   override handleEvent(_event: "tick", n: number) { return ok(n + 1); }
 *   override handleCall(_request: "count", n: number) { return reply(n, n); }
 * }
 * await GenEvent.addHandler(node, manager, Counter, 0);
 */
import type { ProcessContext } from "@maquis/core";
import type { SystemEvent } from "@maquis/sys";
import type { CallResult, EventResult, InitResult } from "./Results.js";

type MaybePromise<T> = T | PromiseLike<T>;

/**
 * Why a handler's `terminate` runs (Erlang's terminate `Arg`):
 * - the `args` given to `deleteHandler`;
 * - `"remove_handler"`: a callback returned `removeHandler()`;
 * - `"stop"`: the manager is stopping;
 * - `{ stop: reason }`: the process supervising this handler exited with `reason`;
 * - `{ error: { exit: reason } }`: a callback threw (an `Error`, or `Exit`'s reason) or is missing;
 * - `{ error: value }`: a callback returned the bad `value`;
 * - the `args` of a swap (`swapHandler(args, …)` or `GenEvent.swapHandler`'s old-handler args).
 */
export type TerminateArg = unknown;

/** What `formatStatus` receives: the handler's state and the manager's sys log. */
export interface StatusInfo<S> {
  readonly state: S;
  readonly log: readonly SystemEvent[];
}

/**
 * Base class of event handlers. Type parameters: `E` the events, `S` the state, `A` the init arguments,
 * `Q` the call requests and `R` the call replies.
 *
 * When to use: a handler is the unit you plug into an event manager (a logger, a metrics collector, an
 * alarm forwarder), so that producers `notify` one manager without knowing who listens. Handlers share
 * the manager's process: a slow handler delays all the others, and state is per handler.
 */
export abstract class EventHandler<E = unknown, S = unknown, A = undefined, Q = unknown, R = unknown> {
  /** Phantom: the events, requests and replies this handler takes (for type inference only). */
  declare readonly eventHandlerTypes?: {
    readonly event: E;
    readonly args: A;
    readonly request: Q;
    readonly reply: R;
  };

  /**
   * The manager process this handler runs in (send, monitor, timers…). Set before `init`. Gotcha:
   * calling the manager itself from a callback (`GenEvent.call(this.self, this.self.pid, …)`) deadlocks
   * until the call times out, as in OTP; `notify` to it is fine.
   */
  self!: ProcessContext;

  /** Sets the handler up when it is added or swapped in: `ok(state)`, or anything else to refuse. */
  abstract init(args: A): MaybePromise<InitResult<S>>;

  /**
   * Handles one event. Required if the manager gets events: a handler without it is removed, as a crash
   * (`undef`), at the first event.
   */
  handleEvent?(event: E, state: S): MaybePromise<EventResult<S>>;

  /**
   * Serves `GenEvent.call` for this handler. Required if it gets calls: a handler without it is removed
   * and the call rejects with `GenEventError({ exit: UndefinedCallbackError })`.
   */
  handleCall?(request: Q, state: S): MaybePromise<CallResult<S, R>>;

  /**
   * Any other message the manager gets: EXITs of linked processes (among them, the supervising process
   * of a supervised handler), monitors' DOWNs, plain sends. If missing, such messages are logged as a
   * warning and the handler stays.
   */
  handleInfo?(message: unknown, state: S): MaybePromise<EventResult<S>>;

  /** Cleans up when the handler goes ({@link TerminateArg} says why); its result is handed on. */
  terminate?(arg: TerminateArg, state: S): unknown;

  /**
   * Upgrades the state on `sys.changeCode` (while the manager is suspended). Return the new state, or
   * throw to refuse (no handler changes then).
   */
  codeChange?(oldVsn: unknown, state: S, extra: unknown): S;

  /** What `sys.getStatus` and error reports show as this handler's state (hide secrets, trim). */
  formatStatus?(status: StatusInfo<S>): unknown;
}

/** Any event handler, whatever its type parameters: the constraint for handler classes and ids. */
export type AnyEventHandler = EventHandler<unknown, unknown, unknown, unknown, unknown>;

/** The init argument type of a handler. */
export type HandlerArgs<H> = H extends { readonly eventHandlerTypes?: { readonly args: infer A } }
  ? A
  : never;

/** The event type of a handler. */
export type HandlerEvent<H> = H extends { readonly eventHandlerTypes?: { readonly event: infer E } }
  ? E
  : never;

/** The call request type of a handler. */
export type HandlerRequest<H> = H extends { readonly eventHandlerTypes?: { readonly request: infer Q } }
  ? Q
  : never;

/** The call reply type of a handler. */
export type HandlerReply<H> = H extends { readonly eventHandlerTypes?: { readonly reply: infer R } }
  ? R
  : never;
