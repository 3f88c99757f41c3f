/**
 * The gen-statem behaviour: an event-driven state machine in a process, as OTP's `gen_statem`.
 *
 * Contract (as `gen_statem.erl` states it):
 * - `callbackMode()` says how events are dispatched: `"stateFunctions"` (a method per state, named by
 *   the state: `locked(event, data)`) or `"handleEvent"` (one `handleEvent(event, state, data)`, any
 *   state type); `["stateFunctions", "stateEnter"]` / `["handleEvent", "stateEnter"]` add state enter
 *   calls. It is read again after a code change or a change of callback module.
 * - `init(args)` runs in the new process before start returns: `ok(state, data[, actions])`,
 *   `ignore()`, `stop(reason)` or `initError(reason)`.
 * - A state callback gets one event (call, cast, info, timeout, stateTimeout, genericTimeout,
 *   internal, or enter) and returns `nextState`, `keepState`/`keepStateAndData`,
 *   `repeatState`/`repeatStateAndData`, `stop` or `stopAndReply`, with actions (replies, postpone,
 *   inserted events, timeouts).
 * - `terminate(reason, state, data)` runs when the machine stops by a result, a crash,
 *   `GenStatem.stop`, or its parent's exit while trapping exits; never on `kill`.
 * - Callbacks may be async; the machine still handles one event at a time.
 * - Throwing an `Error` crashes the machine; `throw new Exit(reason)` stops it with `reason`; throwing
 *   any other value returns that value (Erlang's throw rule).
 *
 * @example
 * class Switch extends GenStatem<"off" | "on", number> {
 *   callbackMode() { return "stateFunctions" as const; }
 *   init() { return ok("off", 0); }
 *   off(event: StatemEvent, flips: number) {
 *     return event.type === "cast" ? nextState("on", flips + 1) : keepStateAndData();
 *   }
 *   on(event: StatemEvent, flips: number) {
 *     return event.type === "cast" ? nextState("off", flips + 1) : keepStateAndData();
 *   }
 * }
 */
import type { ExitReason, ProcessContext, Ref } from "@maquis/core";
import type { AnyProtocol, Caller, Protocol, ServerPid, StartOptions, SystemEvent } from "@maquis/sys";
import { call, cast, sendReply, stopStatem } from "./Client.js";
import type { StatemEvent } from "./Events.js";
import { type EnterLoopOptions, enterLoop, type StatemClass, startStatem } from "./internal/start.js";
import type { InitResult, StateResult } from "./Results.js";

type MaybePromise<T> = T | PromiseLike<T>;

/** How events are dispatched (OTP's `state_functions` and `handle_event_function`). */
export type CallbackModeName = "stateFunctions" | "handleEvent";

/** What `callbackMode()` returns; add `"stateEnter"` for state enter calls. */
export type CallbackMode = CallbackModeName | readonly [CallbackModeName, "stateEnter"];

/** What `formatStatus` receives (OTP's `format_status/1` map). */
export interface StatemStatus<S, D> {
  readonly state: S;
  readonly data: D;
  /** Events postponed in the current state, oldest first. */
  readonly postponed: readonly StatemEvent[];
  /** Running timers: `[kind or name, message]`. */
  readonly timeouts: ReadonlyArray<readonly [unknown, unknown]>;
  readonly log: readonly SystemEvent[];
  /** Why the machine is terminating (for error reports). */
  readonly reason?: ExitReason;
  /** Events queued but not handled yet (for error reports), the current one first. */
  readonly queue?: readonly StatemEvent[];
}

/** A machine's state and data together, as `sys.getState` returns them and `codeChange` gives them back. */
export interface StateAndData<S, D> {
  readonly state: S;
  readonly data: D;
}

/** The start arguments after the caller: `args` (optional when the machine takes none) and options. */
export type StartArgs<A> = undefined extends A
  ? [args?: A, options?: StartOptions]
  : [args: A, options?: StartOptions];

export abstract class GenStatem<S = unknown, D = unknown, A = undefined, P extends Protocol = AnyProtocol> {
  /** Phantom: the protocol this machine speaks (for type inference only). */
  declare readonly protocol?: P;

  /** The process this machine runs in. Set before `init` runs. */
  self!: ProcessContext;

  /** How events are dispatched; read at start, and again after a code change or module change. */
  abstract callbackMode(): CallbackMode;

  /** Chooses the initial state and data (runs in the new process; start waits for it). */
  abstract init(args: A): MaybePromise<InitResult<S, D>>;

  /** The single event handler (`"handleEvent"` mode). In `"stateFunctions"` mode, write a method per state instead. */
  handleEvent?(event: StatemEvent<P, S>, state: S, data: D): MaybePromise<StateResult<S, D>>;

  /** Cleans up when the machine stops (not on `kill`); gets the bare reason. A throw here becomes the exit reason. */
  terminate?(reason: ExitReason, state: S, data: D): MaybePromise<void>;

  /** Upgrades state and data on `sys.changeCode` (while suspended); return both, or throw to refuse. */
  codeChange?(oldVsn: unknown, state: S, data: D, extra: unknown): StateAndData<S, D>;

  /** Shapes what `sys.getStatus` and error reports show (hide secrets, trim large data). */
  formatStatus?(status: StatemStatus<S, D>): unknown;

  /**
   * Starts the machine without a link (Erlang's `gen_statem:start`) and resolves once `init` is done.
   * Rejects with `StartError` if init fails, returns ignore, or the name is taken.
   */
  static start<T extends GenStatem<unknown, unknown, unknown, Protocol>>(
    this: StatemClass<T>,
    caller: Caller,
    ...rest: StartArgs<StatemArgsOf<T>>
  ): Promise<ServerPid<ProtocolOfStatem<T>>> {
    return startStatem(caller, "start", this, rest[0], rest[1]).then((s) => s.pid);
  }

  /** Starts the machine linked to the calling process (the parent), as a supervisor does. */
  static startLink<T extends GenStatem<unknown, unknown, unknown, Protocol>>(
    this: StatemClass<T>,
    caller: ProcessContext,
    ...rest: StartArgs<StatemArgsOf<T>>
  ): Promise<ServerPid<ProtocolOfStatem<T>>> {
    return startStatem(caller, "startLink", this, rest[0], rest[1]).then((s) => s.pid);
  }

  /** Starts the machine monitored by the calling process: resolves with its pid and the monitor ref. */
  static startMonitor<T extends GenStatem<unknown, unknown, unknown, Protocol>>(
    this: StatemClass<T>,
    caller: ProcessContext,
    ...rest: StartArgs<StatemArgsOf<T>>
  ): Promise<[ServerPid<ProtocolOfStatem<T>>, Ref]> {
    return startStatem(caller, "startMonitor", this, rest[0], rest[1]).then((s) => [s.pid, s.monitor!]);
  }

  /**
   * Turns the calling process into this machine in `state` with `data`, without init (Erlang's
   * `gen_statem:enter_loop`); never returns. Call it from the async init (or body) of a process
   * started with `@maquis/sys`'s `startProcess`, after acknowledging the start.
   *
   * Gotcha: the process exits `process_was_not_started_by_proc_lib` if sys did not start it, and
   * `process_not_registered` (`{ processNotRegisteredVia }`) if `options.name` is not its name.
   */
  static enterLoop<T extends GenStatem<unknown, unknown, unknown, Protocol>>(
    this: StatemClass<T>,
    self: ProcessContext,
    state: StatemStateOf<T>,
    data: StatemDataOf<T>,
    options?: EnterLoopOptions,
  ): Promise<never> {
    return enterLoop(self, this, state, data, options);
  }

  /** {@link call}: a call with the reply type inferred; waits forever by default, as in OTP. */
  static readonly call = call;

  /** {@link cast}: fire-and-forget; never throws. */
  static readonly cast = cast;

  /** Replies to a call from outside its transition (Erlang's `gen_statem:reply`); from any process. */
  static readonly reply = sendReply;

  /**
   * Stops a machine: terminate runs with `reason` (default `"normal"`), and this resolves once it has
   * exited (Erlang's `gen_statem:stop`).
   */
  static readonly stop = stopStatem;
}

/** The init argument type of a machine class. */
export type StatemArgsOf<T> = T extends GenStatem<unknown, unknown, infer A, Protocol> ? A : never;

/** The state type of a machine class. */
export type StatemStateOf<T> = T extends GenStatem<infer S, unknown, never, Protocol> ? S : never;

/** The data type of a machine class. */
export type StatemDataOf<T> = T extends GenStatem<unknown, infer D, never, Protocol> ? D : never;

/** The protocol a machine class speaks. */
export type ProtocolOfStatem<T> = T extends { readonly protocol?: infer P }
  ? P extends Protocol
    ? P
    : AnyProtocol
  : AnyProtocol;
