/**
 * The gen-server behaviour with callbacks written as Effects. Same contract and same engine as
 * `GenServer`: only the callbacks' return type differs.
 */
import type { ExitReason, ProcessContext, Ref, ReplyTo } from "@maquis/core";
import type { Caller } from "@maquis/sys";
import type * as Effect from "effect/Effect";
import type { ProtocolOfServer, StartArgs, StatusInfo } from "../GenServer.js";
import type { GenServerClass } from "../internal/start.js";
import type { AnyProtocol, CallReply, CallRequest, CastRequest, Protocol, ServerPid } from "@maquis/sys";
import type { CallResult, InitResult, NoReplyResult } from "../Results.js";
import { type AnyEffectServer, type EffectArgsOf, EffectServerTypeId } from "./Adapter.js";
import { call, cast, reply, stop } from "./Client.js";
import type { StartFailure } from "./Errors.js";
import { start, startLink, startMonitor } from "./Start.js";

/**
 * A gen-server whose callbacks return Effects: extend it as you would `GenServer`, return the same
 * results (`ok`, `reply`, `noreply`, `stop`… from `@maquis/gen-server`) inside an Effect, and start it
 * with the statics below (Effects), or with the Promise API through {@link toGenServer}.
 *
 * It runs on the `GenServer` engine itself: each callback's Effect is run, and its value applied
 * exactly as a `GenServer` callback's return value is. An Effect that completes synchronously is
 * handled synchronously; an asynchronous one is awaited, and the server handles no other message
 * meanwhile (as with an async `GenServer` callback).
 *
 * Failures: an Effect that fails (or dies) crashes the server with the failure as its exit reason,
 * as a thrown error does in a `GenServer`; a caller waiting on a call gets {@link ServerExited} with
 * that reason. Fail with `new Exit(reason)` (from `@maquis/sys`) to stop with a plain reason such as
 * `{ shutdown: … }`; a non-`Error` failure value is the reason as it is.
 *
 * Gotchas:
 * - Callbacks take no services (`R = never`): provide them inside the callback
 *   (`Effect.provide(layer)`), or pass them to the constructor and start an instance.
 * - In `Effect.gen(function* () { … })` a plain generator does not see the class's `this`: use
 *   `Effect.gen({ self: this }, function* () { … this.self … })` or capture what you need first.
 * - `this.self` (the server's process) is set before `init` runs; it is not there in the constructor.
 * - `codeChange` and `formatStatus` stay synchronous, as in `GenServer`.
 * - A server killed while a callback's Effect is still running does not interrupt that fiber: as with
 *   an async `GenServer` callback, the rest of it runs, and every `self` method then throws.
 *
 * @example
 * class Counter extends EffectGenServer<CounterProtocol, number> {
 *   init() { return Effect.succeed(ok(0)); }
 *   override handleCall(request: "get", _from: ReplyTo, n: number) { return Effect.succeed(reply(n, n)); }
 *   override handleCast(request: "inc", n: number) { return Effect.succeed(noreply(n + 1)); }
 * }
 * const program = Effect.gen(function* () {
 *   const counter = yield* Counter.start(node);
 *   yield* cast(node, counter, "inc");
 *   return yield* call(node, counter, "get"); // 1, typed as number
 * });
 */
export abstract class EffectGenServer<P extends Protocol = AnyProtocol, S = unknown, A = undefined> {
  /** Phantom: the protocol this server speaks (for type inference only). */
  declare readonly protocol?: P;

  /** Marks Effect servers (the start functions take both kinds). */
  get [EffectServerTypeId](): true {
    return true;
  }

  /** The process this server runs in. Set before `init` runs. */
  self!: ProcessContext;

  /**
   * Initialises the state (runs in the new process; start waits for it): succeed with `ok(state[,
   * next])`, `ignore()`, `stop(reason)` or `initError(reason)`. A failure fails the start with
   * {@link StartFailed} carrying it.
   */
  abstract init(args: A): Effect.Effect<InitResult<S>, unknown>;

  /**
   * Serves a call: succeed with `reply(value, state[, next])`, `noreply(state[, next])` (answer later
   * with {@link EffectGenServer.reply}), `stop(reason, state)` or `stopAndReply(reason, value, state)`.
   * Required if the server takes calls.
   */
  handleCall?(
    request: CallRequest<P>,
    from: ReplyTo,
    state: S,
  ): Effect.Effect<CallResult<S, CallReply<P>>, unknown>;

  /** Serves a cast: succeed with `noreply(state[, next])` or `stop(reason, state)`. Required if the server takes casts. */
  handleCast?(request: CastRequest<P>, state: S): Effect.Effect<NoReplyResult<S>, unknown>;

  /** Any other message (DOWNs, EXITs when trapping, timeouts). If missing, such messages are logged and dropped. */
  handleInfo?(message: unknown, state: S): Effect.Effect<NoReplyResult<S>, unknown>;

  /** Runs `{ continue: value }` before any queued message. */
  handleContinue?(value: unknown, state: S): Effect.Effect<NoReplyResult<S>, unknown>;

  /** Cleans up when the server stops (not on `kill`). A failure here becomes the exit reason. */
  terminate?(reason: ExitReason, state: S): Effect.Effect<void, unknown>;

  /** Upgrades the state on `sys.changeCode` (while suspended); synchronous. Return the new state, or throw to refuse. */
  codeChange?(oldVsn: unknown, state: S, extra: unknown): S;

  /** Shapes the state shown by `sys.getStatus` and in error reports; synchronous. */
  formatStatus?(status: StatusInfo<S>): unknown;

  /**
   * Starts the server without a link, as an Effect: see {@link start}. Fails with
   * {@link StartFailed}, {@link StartIgnored} or {@link AlreadyStarted}.
   */
  static start<T extends AnyEffectServer>(
    this: GenServerClass<T>,
    caller: Caller,
    ...rest: StartArgs<EffectArgsOf<T>>
  ): Effect.Effect<ServerPid<ProtocolOfServer<T>>, StartFailure> {
    return (start as (...args: unknown[]) => Effect.Effect<ServerPid<ProtocolOfServer<T>>, StartFailure>)(
      caller,
      this,
      ...rest,
    );
  }

  /** Starts the server linked to the calling process, as an Effect: see {@link startLink}. */
  static startLink<T extends AnyEffectServer>(
    this: GenServerClass<T>,
    caller: ProcessContext,
    ...rest: StartArgs<EffectArgsOf<T>>
  ): Effect.Effect<ServerPid<ProtocolOfServer<T>>, StartFailure> {
    return (startLink as (...args: unknown[]) => Effect.Effect<ServerPid<ProtocolOfServer<T>>, StartFailure>)(
      caller,
      this,
      ...rest,
    );
  }

  /** Starts the server monitored by the calling process, as an Effect: see {@link startMonitor}. */
  static startMonitor<T extends AnyEffectServer>(
    this: GenServerClass<T>,
    caller: ProcessContext,
    ...rest: StartArgs<EffectArgsOf<T>>
  ): Effect.Effect<[server: ServerPid<ProtocolOfServer<T>>, monitor: Ref], StartFailure> {
    return (
      startMonitor as (
        ...args: unknown[]
      ) => Effect.Effect<[server: ServerPid<ProtocolOfServer<T>>, monitor: Ref], StartFailure>
    )(caller, this, ...rest);
  }

  /** {@link call}: a call as an Effect, with the reply type inferred from the server's protocol. */
  static readonly call = call;

  /** {@link cast}: a cast as an Effect that never fails. */
  static readonly cast = cast;

  /** {@link reply}: answers a call the server took with `noreply`, as an Effect. */
  static readonly reply = reply;

  /**
   * {@link stop}: stops a server (of either kind) and succeeds once it has exited. Fails with
   * {@link NoProc}, {@link CallTimeout}, or {@link ServerExited} if it exited with another reason.
   */
  static readonly stop = stop;
}
