/**
 * The gen-server behaviour: a process that holds state and serves calls (request/reply), casts
 * (fire-and-forget) and other messages (infos) one at a time, as OTP's `gen_server`.
 *
 * Contract (as `gen_server.erl` states it):
 * - `init(args)` runs in the new process before start returns: `ok(state[, next])`, `ignore()`,
 *   `stop(reason)` or `initError(reason)`.
 * - `handleCall(request, from, state)`: `reply(value, state[, next])`, `noreply(state[, next])` (answer
 *   later with `GenServer.reply(from, …)`), `stop(reason, state)` or `stopAndReply(reason, value, state)`.
 * - `handleCast`, `handleInfo`, `handleContinue(value, state)`: `noreply(state[, next])` or `stop(reason, state)`.
 * - `next` is a timeout in ms, `"hibernate"`, `{ continue: value }` or `{ timeout, message }`.
 * - `terminate(reason, state)` runs when the server stops by a `stop` result, a crash, `GenServer.stop`,
 *   or its parent's exit while trapping exits; never on `kill`.
 * - Callbacks may be async; the server still handles one message at a time.
 * - Throwing an `Error` crashes the server (reason: the error); `throw new Exit(reason)` stops it with
 *   `reason`; throwing any other value returns that value (Erlang's throw rule).
 *
 * @example
 * class Counter extends GenServer<CounterProtocol, number> {
 *   init() { return ok(0); }
 *   handleCall(req: "get", _from: ReplyTo, n: number) { return reply(n, n); }
 *   handleCast(req: "inc", n: number) { return noreply(n + 1); }
 * }
 * const counter = await Counter.start(node);
 * await call(node, counter, "get"); // 0, typed as number
 */
import type { ExitReason, ProcessContext, ReplyTo } from "@maquis/core";
import { call, cast, sendReply, stopServer } from "./Client.js";
import type { Caller, StartOptions, SystemEvent } from "@maquis/sys";
import { type EnterLoopOptions, enterLoop, type GenServerClass, startServer } from "./internal/start.js";
import type { AnyProtocol, CallReply, CallRequest, CastRequest, Protocol, ServerPid } from "@maquis/sys";
import type { CallResult, InitResult, NoReplyResult } from "./Results.js";
import type { Ref } from "@maquis/core";

type MaybePromise<T> = T | PromiseLike<T>;

/** What `formatStatus` receives and returns (OTP's `format_status/1` map). */
export interface StatusInfo<S> {
  readonly state: S;
  readonly log: readonly SystemEvent[];
}

/** The start arguments after the caller: `args` (optional when the server takes none) and options. */
export type StartArgs<A> = undefined extends A
  ? [args?: A, options?: StartOptions]
  : [args: A, options?: StartOptions];

export abstract class GenServer<P extends Protocol = AnyProtocol, S = unknown, A = undefined> {
  /** Phantom: the protocol this server speaks (for type inference only). */
  declare readonly protocol?: P;

  /** The process this server runs in. Set before `init` runs. */
  self!: ProcessContext;

  /** Initialises the state (runs in the new process; start waits for it). */
  abstract init(args: A): MaybePromise<InitResult<S>>;

  /** Serves a call. Required if the server takes calls (a missing one crashes the server, as `undef`). */
  handleCall?(request: CallRequest<P>, from: ReplyTo, state: S): MaybePromise<CallResult<S, CallReply<P>>>;

  /** Serves a cast. Required if the server takes casts. */
  handleCast?(request: CastRequest<P>, state: S): MaybePromise<NoReplyResult<S>>;

  /** Any other message (monitors' DOWNs, EXITs when trapping, timeouts). If missing, such messages are logged and dropped. */
  handleInfo?(message: unknown, state: S): MaybePromise<NoReplyResult<S>>;

  /** Runs `{ continue: value }` before any queued message. */
  handleContinue?(value: unknown, state: S): MaybePromise<NoReplyResult<S>>;

  /** Cleans up when the server stops (not on `kill`). A throw here becomes the exit reason. */
  terminate?(reason: ExitReason, state: S): MaybePromise<void>;

  /** Upgrades the state on `sys.changeCode` (while suspended). Return the new state, or throw to refuse. */
  codeChange?(oldVsn: unknown, state: S, extra: unknown): S;

  /** Shapes the state shown by `sys.getStatus` and in error reports (hide secrets, trim large state). */
  formatStatus?(status: StatusInfo<S>): unknown;

  /**
   * Starts the server without a link (Erlang's `gen_server:start`) and resolves once `init` is done.
   * Rejects with `StartError` if init fails, returns ignore, or the name is taken.
   */
  static start<T extends GenServer<Protocol, unknown, unknown>>(
    this: GenServerClass<T>,
    caller: Caller,
    ...rest: StartArgs<ArgsOf<T>>
  ): Promise<ServerPid<ProtocolOfServer<T>>> {
    return startServer(caller, "start", this, rest[0], rest[1]).then((s) => s.pid);
  }

  /** Starts the server linked to the calling process (the parent), as a supervisor does. */
  static startLink<T extends GenServer<Protocol, unknown, unknown>>(
    this: GenServerClass<T>,
    caller: ProcessContext,
    ...rest: StartArgs<ArgsOf<T>>
  ): Promise<ServerPid<ProtocolOfServer<T>>> {
    return startServer(caller, "startLink", this, rest[0], rest[1]).then((s) => s.pid);
  }

  /** Starts the server monitored by the calling process: resolves with the server and the monitor ref. */
  static startMonitor<T extends GenServer<Protocol, unknown, unknown>>(
    this: GenServerClass<T>,
    caller: ProcessContext,
    ...rest: StartArgs<ArgsOf<T>>
  ): Promise<[ServerPid<ProtocolOfServer<T>>, Ref]> {
    return startServer(caller, "startMonitor", this, rest[0], rest[1]).then((s) => [s.pid, s.monitor!]);
  }

  /**
   * Turns the calling process into this server with `state`, without init (Erlang's
   * `gen_server:enter_loop`); never returns. Call it from the async init (or body) of a process
   * started with `@maquis/sys`'s `startProcess`, after acknowledging the start.
   *
   * Gotcha: the process exits `process_was_not_started_by_proc_lib` if sys did not start it, and
   * `process_not_registered` (`{ processNotRegisteredVia }`) if `options.name` is not its name.
   */
  static enterLoop<T extends GenServer<Protocol, unknown, unknown>>(
    this: GenServerClass<T>,
    self: ProcessContext,
    state: StateOf<T>,
    options?: EnterLoopOptions,
  ): Promise<never> {
    return enterLoop(self, this, state, options);
  }

  /** {@link call}: a call with the reply type inferred from the server's protocol. */
  static readonly call = call;

  /** {@link cast}: fire-and-forget; never throws. */
  static readonly cast = cast;

  /**
   * Replies to a call the server answered with `noreply` (Erlang's `gen_server:reply`). Works from any
   * process, and from code outside processes through a node.
   */
  static readonly reply = sendReply;

  /**
   * Stops a server: terminate runs with `reason` (default `"normal"`), and this resolves once it has
   * exited (Erlang's `gen_server:stop`). Fails with a bare `CallError`: `noproc`, `timeout`, or the
   * reason it actually exited with if its terminate crashed.
   */
  static readonly stop = stopServer;
}

/** The init argument type of a server class. */
export type ArgsOf<T> = T extends GenServer<Protocol, unknown, infer A> ? A : never;

/** The protocol a server class speaks. */
export type ProtocolOfServer<T> = T extends { readonly protocol?: infer P }
  ? P extends Protocol
    ? P
    : AnyProtocol
  : AnyProtocol;

/** The state type of a server class. */
export type StateOf<T> = T extends GenServer<Protocol, infer S, never> ? S : never;
