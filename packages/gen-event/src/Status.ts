/**
 * What `sys.getState` and `sys.getStatus` give for an event manager: each handler with its id and
 * state (OTP's `[{Module, Id, State}]` and the "Installed handlers" of `get_status`).
 */
import type { Pid } from "@maquis/core";
import type { SystemEvent } from "@maquis/sys";
import type { HandlerClass, HandlerId } from "./HandlerId.js";

/**
 * One handler in `sys.getState` and `sys.replaceState` (OTP's `{Module, Id, State}`), newest first.
 *
 * Gotcha: `replaceState`'s function must give back the same `handler` and `id` with the new `state`;
 * anything else (or a throw) leaves that handler's state as it was, and nothing is raised (as in OTP).
 *
 * @example
 * await sys.replaceState(node, manager, (h: HandlerState) => (h.handler === Metrics ? { ...h, state: 0 } : h));
 */
export interface HandlerState {
  readonly handler: HandlerClass;
  /** The handler's id: `undefined` for a handler added by its class alone (OTP's `false`). */
  readonly id: unknown;
  readonly state: unknown;
}

/** The manager's part (`misc`) of `sys.getStatus`. */
export interface ManagerStatus {
  /** `Status for event handler <name>`: the local or via name, or the pid. */
  readonly header: string;
  /** The sys log (`sys.log(…, true)`), oldest first; empty when logging is off. */
  readonly log: readonly SystemEvent[];
  /** Newest first. `state` is what the handler's formatStatus shows (its state without one). */
  readonly handlers: ReadonlyArray<{
    readonly handler: HandlerId;
    readonly state: unknown;
    /** The process supervising it (addSupHandler), if any. */
    readonly supervisor: Pid | undefined;
  }>;
}
