/**
 * The message a supervised handler's supervising process gets when the handler leaves its manager
 * (Erlang's `{gen_event_EXIT, Handler, Reason}`).
 */
import type { Pid } from "@maquis/core";
import { type HandlerId, sameHandler } from "./HandlerId.js";

/**
 * Why a supervised handler left its manager:
 * - `"normal"`: `deleteHandler`, or a callback returned `removeHandler()`;
 * - `"shutdown"`: the manager stopped (or the supervising process itself exited);
 * - `{ swapped: newHandler, supervisor }`: it was swapped for `newHandler`, now supervised by `supervisor`;
 * - `{ exit: reason }`: a callback threw or was missing (Erlang's `{'EXIT', Reason}`);
 * - any other value: the bad value a callback returned (or a swapped-in handler's init failure).
 */
export type GenEventExitReason =
  | "normal"
  | "shutdown"
  | { readonly swapped: HandlerId; readonly supervisor: Pid }
  | { readonly exit: unknown }
  | unknown;

/**
 * Sent to the process that added a handler with `addSupHandler` (or `swapSupHandler`) when that
 * handler is removed for any reason. Match it with `message instanceof GenEventExit` (in an inbox, or
 * a gen-server's `handleInfo`) and re-add the handler if you want it back: that is how a supervised
 * handler is "supervised".
 */
export class GenEventExit {
  readonly kind = "gen_event_EXIT" as const;
  /** The manager the handler was installed in. */
  readonly manager: Pid;
  /** The handler that left, as `whichHandlers` lists it. */
  readonly handler: HandlerId;
  readonly reason: GenEventExitReason;
  constructor(manager: Pid, handler: HandlerId, reason: GenEventExitReason) {
    this.manager = manager;
    this.handler = handler;
    this.reason = reason;
  }
}

/** Matches a {@link GenEventExit}, optionally for one handler (compared as handler ids are). */
export const isGenEventExit =
  (handler?: HandlerId) =>
  (message: unknown): message is GenEventExit =>
    message instanceof GenEventExit && (handler === undefined || sameHandler(message.handler, handler));
