/**
 * The client side as Effects: call, cast, reply and stop over the Promise API's functions (the same
 * requests, timeouts and semantics), with failures as the typed errors of `Errors.ts`.
 */
import type { Destination, ExitReason, ReplyTo } from "@maquis/core";
import type { Caller } from "@maquis/sys";
import * as Effect from "effect/Effect";
import {
  call as callPromise,
  cast as castPromise,
  DEFAULT_CALL_TIMEOUT,
  sendReply,
  stopServer,
} from "../Client.js";
import type { CallRequest, CastRequest, Protocol, ProtocolOf, ReplyFor, ServerRef } from "@maquis/sys";
import { type CallFailure, fromCallError } from "./Errors.js";

/**
 * An Effect of a Promise API operation: runs it when the Effect runs (each time it runs), succeeds with
 * its value, fails with the typed error `mapError` gives for its rejection, and dies with any other
 * rejection (a bug, such as a bad argument).
 */
export const fromPromise = <A, E>(
  run: () => Promise<A>,
  mapError: (error: unknown) => E | undefined,
): Effect.Effect<A, E> =>
  Effect.callback<A, E>((resume) => {
    const failed = (error: unknown): void => {
      const typed = mapError(error);
      resume(typed === undefined ? Effect.die(error) : Effect.fail(typed));
    };
    let promise: Promise<A>;
    try {
      promise = run();
    } catch (error) {
      failed(error);
      return;
    }
    promise.then((value) => resume(Effect.succeed(value)), failed);
  });

/**
 * Calls the server and waits for its reply (Erlang's `gen_server:call`), as an Effect. The reply type
 * is inferred from the server's protocol, as with the Promise `call`; a request the protocol does not
 * take fails to compile.
 *
 * Fails with {@link CallTimeout}, {@link NoProc}, {@link NoConnection}, {@link CallingSelf}, or
 * {@link ServerExited} (the server died before replying; `reason` is its exit reason).
 *
 * Gotchas:
 * - The call is made when the Effect runs, and again each time it runs (`Effect.retry` re-sends it).
 * - The timeout runs on the node's clock (a `VirtualClock` in tests), not Effect's `Clock`. Prefer it
 *   to `Effect.timeout`, which would stop waiting but leave the request outstanding.
 * - Interrupting the Effect stops waiting but does not withdraw the request: the server still
 *   handles it, and the reply is dropped when it comes (or at the timeout).
 *
 * @param caller a process's `self`, an inbox, or a node for code outside any process.
 * @param timeout ms, default 5000; `Infinity` waits forever.
 *
 * @example
 * const n = yield* call(node, counter, { op: "get" }); // number
 */
export const call = <R extends ServerRef<Protocol>, const Q extends CallRequest<ProtocolOf<R>>>(
  caller: Caller,
  server: R,
  request: Q,
  timeout: number = DEFAULT_CALL_TIMEOUT,
): Effect.Effect<ReplyFor<ProtocolOf<R>, Q>, CallFailure> =>
  fromPromise(
    () => callPromise(caller, server, request, timeout),
    (error) => fromCallError(error, server as Destination, timeout),
  );

/**
 * Sends a cast (Erlang's `gen_server:cast`), as an Effect: it never fails, even if the server does not
 * exist, and does not wait for the server to handle it.
 */
export const cast = <R extends ServerRef<Protocol>>(
  caller: Caller,
  server: R,
  request: CastRequest<ProtocolOf<R>>,
): Effect.Effect<void> => Effect.sync(() => castPromise(caller, server, request));

/**
 * Replies to a call the server answered with `noreply` (Erlang's `gen_server:reply`), as an Effect;
 * from any process, or from a node. Never fails: a reply to a caller that has gone is dropped.
 */
export const reply = (caller: Caller, to: ReplyTo, value: unknown): Effect.Effect<void> =>
  Effect.sync(() => sendReply(caller, to, value));

/**
 * Stops the server (Erlang's `gen_server:stop`), as an Effect: its terminate runs with `reason`
 * (default `"normal"`), and the Effect succeeds once the server has exited.
 *
 * Fails with {@link NoProc} (no such server), {@link CallTimeout} (it did not stop within `timeout`;
 * default `Infinity`), or {@link ServerExited} with the reason it actually exited with, when that is
 * not `reason` (its terminate crashed).
 */
export const stop = (
  caller: Caller,
  server: ServerRef<Protocol>,
  reason: ExitReason = "normal",
  timeout = Number.POSITIVE_INFINITY,
): Effect.Effect<void, CallFailure> =>
  fromPromise(
    () => stopServer(caller, server, reason, timeout),
    (error) => fromCallError(error, server as Destination, timeout),
  );
