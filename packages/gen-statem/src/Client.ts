/**
 * The client side of a state machine: call, cast, reply and stop. Every function takes the caller
 * first: a process's `self` (or an inbox) or a node, for code outside any process.
 */
import type { Destination, ExitReason, ReplyTo } from "@maquis/core";
import {
  type CallRequest,
  type Caller,
  type CastRequest,
  GenCall,
  GenCast,
  type Protocol,
  type ProtocolOf,
  type ReplyFor,
  type ServerRef,
  sys,
} from "@maquis/sys";
import type { ReplyAction } from "./Actions.js";

/**
 * A call timeout: ms (`Infinity` waits forever), or OTP's `{ cleanTimeout }` / `{ dirtyTimeout }`
 * forms, which behave the same here (a late reply is always dropped).
 */
export type CallTimeout = number | { readonly cleanTimeout: number } | { readonly dirtyTimeout: number };

const timeoutMs = (timeout: CallTimeout): number =>
  typeof timeout === "number"
    ? timeout
    : "cleanTimeout" in timeout
      ? timeout.cleanTimeout
      : timeout.dirtyTimeout;

/**
 * Calls the state machine and waits for its reply (Erlang's `gen_statem:call`). The machine sees
 * `{ type: "call", from, content: request }` and answers with the `reply(from, value)` action.
 *
 * Gotcha: unlike gen-server's call, the default timeout is **infinite**, as in OTP.
 *
 * Fails with `CallError`: `"timeout"` (a late reply is dropped), `"noproc"`, the machine's exit
 * reason if it dies first, or `"calling_self"`.
 */
export const call = <R extends ServerRef<Protocol>, const Q extends CallRequest<ProtocolOf<R>>>(
  caller: Caller,
  server: R,
  request: Q,
  timeout: CallTimeout = Number.POSITIVE_INFINITY,
): Promise<ReplyFor<ProtocolOf<R>, Q>> =>
  caller.request(server as Destination, (from) => new GenCall(from, request), timeoutMs(timeout), {
    module: "GenStatem",
    function: "call",
    args: [server, request, timeout],
  });

/** Sends a cast (Erlang's `gen_statem:cast`): never blocks and never throws, even for a missing machine. */
export const cast = <R extends ServerRef<Protocol>>(
  caller: Caller,
  server: R,
  request: CastRequest<ProtocolOf<R>>,
): void => {
  try {
    caller.send(server as Destination, new GenCast(request));
  } catch {
    // An unregistered name: a cast is fire-and-forget.
  }
};

/**
 * Replies to a call from outside the transition that received it (Erlang's `gen_statem:reply`): give
 * the caller and `to` plus a value, or reply actions.
 */
export function sendReply(caller: Caller, to: ReplyTo, value: unknown): void;
export function sendReply(caller: Caller, replies: ReplyAction | readonly ReplyAction[]): void;
export function sendReply(
  caller: Caller,
  toOrReplies: ReplyTo | ReplyAction | readonly ReplyAction[],
  value?: unknown,
): void {
  if (Array.isArray(toOrReplies)) {
    for (const r of toOrReplies as readonly ReplyAction[]) caller.reply(r.to, r.value);
  } else if ((toOrReplies as ReplyAction).kind === "reply") {
    const r = toOrReplies as ReplyAction;
    caller.reply(r.to, r.value);
  } else {
    caller.reply(toOrReplies as ReplyTo, value);
  }
}

/**
 * Stops the machine: terminate runs with `reason` (default `"normal"`), and this resolves once it has
 * exited (Erlang's `gen_statem:stop`). Fails with a bare `CallError` `noproc` or `timeout`, or with the
 * reason it actually exited with if its terminate crashed.
 */
export const stopStatem = (
  caller: Caller,
  server: ServerRef<Protocol>,
  reason: ExitReason = "normal",
  timeout = Number.POSITIVE_INFINITY,
): Promise<void> => sys.stop(caller, server as Destination, reason, timeout);
