/**
 * Starting servers as Effects: any server, a Promise-API `GenServer` or an {@link EffectGenServer},
 * through the one start path of the Promise API.
 */
import type { ProcessContext, Ref } from "@maquis/core";
import type { Caller, Started, StartMode, StartOptions } from "@maquis/sys";
import type * as Effect from "effect/Effect";
import type { ArgsOf, GenServer, ProtocolOfServer, StartArgs } from "../GenServer.js";
import { type GenServerClass, type ServerSource, startServer } from "../internal/start.js";
import type { Protocol, ServerPid } from "@maquis/sys";
import { type AnyEffectServer, type EffectArgsOf, isEffectServer, toGenServer } from "./Adapter.js";
import { fromPromise } from "./Client.js";
import { fromStartError, type StartFailure } from "./Errors.js";

/** Any server the Effect API can start: a Promise-API `GenServer` or an {@link EffectGenServer}. */
export type AnyServer = GenServer<Protocol, unknown, unknown> | AnyEffectServer;

/** The init argument type of either kind of server. */
export type ServerArgsOf<T> = T extends AnyEffectServer ? EffectArgsOf<T> : ArgsOf<T>;

const startEffect = <A>(
  caller: Caller,
  mode: StartMode,
  source: ServerSource<AnyServer>,
  args: unknown,
  options: StartOptions | undefined,
  pick: (started: Started) => A,
): Effect.Effect<A, StartFailure> =>
  fromPromise(() => {
    const server = isEffectServer(source) ? toGenServer(source as never) : source;
    return startServer(caller, mode, server as ServerSource<GenServer<Protocol>>, args, options).then(pick);
  }, fromStartError);

/**
 * Starts a server without a link (Erlang's `gen_server:start`), as an Effect that succeeds with the
 * server (typed with its protocol) once its `init` has finished.
 *
 * Takes a server class (a new instance per start) or an instance (for servers with constructor
 * arguments), of either kind: an {@link EffectGenServer} or a Promise-API `GenServer`.
 *
 * Fails with {@link StartFailed} (init crashed, returned `stop`/`initError`, or the start `timeout`
 * expired), {@link StartIgnored} (init returned `ignore()`), or {@link AlreadyStarted} (the name in
 * the options is taken).
 *
 * Gotcha: the server starts when the Effect runs, and once more each time it runs.
 *
 * @example
 * const counter = yield* start(node, Counter, 5, { name: "counter" });
 */
export const start = <T extends AnyServer>(
  caller: Caller,
  server: GenServerClass<T> | T,
  ...rest: StartArgs<ServerArgsOf<T>>
): Effect.Effect<ServerPid<ProtocolOfServer<T>>, StartFailure> =>
  startEffect(caller, "start", server, rest[0], rest[1], (s) => s.pid as ServerPid<ProtocolOfServer<T>>);

/**
 * Starts a server linked to the calling process (Erlang's `gen_server:start_link`), as an Effect: if
 * the server crashes, the caller gets the exit signal, as with the Promise API. Fails as
 * {@link start} does.
 *
 * Gotcha: needs a process caller (a `self` or an inbox), not a node.
 */
export const startLink = <T extends AnyServer>(
  caller: ProcessContext,
  server: GenServerClass<T> | T,
  ...rest: StartArgs<ServerArgsOf<T>>
): Effect.Effect<ServerPid<ProtocolOfServer<T>>, StartFailure> =>
  startEffect(caller, "startLink", server, rest[0], rest[1], (s) => s.pid as ServerPid<ProtocolOfServer<T>>);

/**
 * Starts a server monitored by the calling process (Erlang's `gen_server:start_monitor`), as an
 * Effect that succeeds with the server and the monitor's ref (a DOWN with that ref arrives when the
 * server exits). Fails as {@link start} does.
 *
 * Gotcha: needs a process caller (a `self` or an inbox), not a node.
 */
export const startMonitor = <T extends AnyServer>(
  caller: ProcessContext,
  server: GenServerClass<T> | T,
  ...rest: StartArgs<ServerArgsOf<T>>
): Effect.Effect<[server: ServerPid<ProtocolOfServer<T>>, monitor: Ref], StartFailure> =>
  startEffect(caller, "startMonitor", server, rest[0], rest[1], (s) => [
    s.pid as ServerPid<ProtocolOfServer<T>>,
    s.monitor!,
  ]);
