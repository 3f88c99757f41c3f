/**
 * How a handler is named in a manager: its class, or its class with an id for several instances of one
 * class (Erlang's `Module` or `{Module, Id}`).
 */
import { describe } from "@maquis/core";
import type { AnyEventHandler } from "./EventHandler.js";

/** An event-handler class with a no-argument constructor; the manager makes one instance per add. */
export type HandlerClass<H extends AnyEventHandler = AnyEventHandler> = new () => H;

/**
 * One of several handlers of the same class, told apart by `id` (compared with `===`): Erlang's
 * `{Module, Id}`. `{ handler: C, id: undefined }` is the same handler as `C` alone, as OTP's
 * `{Module, false}` is `Module`.
 */
export interface IdentifiedHandler<H extends AnyEventHandler = AnyEventHandler> {
  readonly handler: HandlerClass<H>;
  readonly id: unknown;
}

/**
 * A handler in a manager: its class, or `{ handler: Class, id }` (Erlang's `Module | {Module, Id}`).
 *
 * A class alone names the handler of that class added without an id; it does not match instances added
 * with one. `whichHandlers` lists handlers in this form, newest first.
 */
export type HandlerId<H extends AnyEventHandler = AnyEventHandler> = HandlerClass<H> | IdentifiedHandler<H>;

/** The handler class a {@link HandlerId} names. */
export const handlerClassOf = <H extends AnyEventHandler>(id: HandlerId<H>): HandlerClass<H> =>
  typeof id === "function" ? id : id.handler;

/** A readable name for a handler id, for logs: `Logger` or `Logger(id)`. */
export const describeHandler = (id: unknown): string => {
  if (typeof id === "function") return id.name || "anonymous handler";
  if (typeof id === "object" && id !== null && typeof (id as IdentifiedHandler).handler === "function") {
    const { handler, id: instance } = id as IdentifiedHandler;
    return `${handler.name || "anonymous handler"}(${describe(instance)})`;
  }
  return describe(id);
};

/** Whether two handler ids name the same handler (same class and, for `{ handler, id }`, the same id). */
export const sameHandler = (a: HandlerId, b: HandlerId): boolean => {
  if (a === b) return true;
  const aClass = typeof a === "function" ? a : a.handler;
  const bClass = typeof b === "function" ? b : b.handler;
  const aId = typeof a === "function" ? undefined : a.id;
  const bId = typeof b === "function" ? undefined : b.id;
  return aClass === bClass && aId === bId;
};
