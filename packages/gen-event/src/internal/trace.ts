/**
 * How a manager's messages appear in sys's debug log and trace (OTP's `{in, Msg}` events and
 * `print_event`): events and calls as the handlers see them, other requests by name.
 */
import { describe, type ViaName } from "@maquis/core";
import type { SystemEvent } from "@maquis/sys";
import { describeHandler } from "../HandlerId.js";
import {
  AddHandler,
  DeleteHandler,
  HandlerCall,
  SwapHandlers,
  SyncNotify,
  WhichHandlers,
} from "./messages.js";

/** The sys `in` event for a message other than a notify (which the manager logs itself). */
export const inEvent = (message: unknown): SystemEvent => {
  if (message instanceof SyncNotify) {
    return { kind: "in", type: "event", message: message.event, from: message.from.pid };
  }
  if (message instanceof HandlerCall) {
    const { handler, request, from } = message;
    return { kind: "in", type: "call", handler, message: request, from: from.pid };
  }
  if (message instanceof AddHandler) {
    const op = message.supervisor === undefined ? "addHandler" : "addSupHandler";
    const request = { op, handler: describeHandler(message.handler), args: message.args };
    return { kind: "in", message: request, from: message.from.pid };
  }
  if (message instanceof DeleteHandler) {
    const request = { op: "deleteHandler", handler: describeHandler(message.handler), args: message.args };
    return { kind: "in", message: request, from: message.from.pid };
  }
  if (message instanceof SwapHandlers) {
    const request = {
      op: message.supervisor === undefined ? "swapHandler" : "swapSupHandler",
      from: describeHandler(message.oldHandler),
      to: describeHandler(message.newHandler),
    };
    return { kind: "in", message: request, from: message.from.pid };
  }
  if (message instanceof WhichHandlers) {
    return { kind: "in", message: { op: "whichHandlers" }, from: message.from.pid };
  }
  return { kind: "in", message };
};

/** A manager's name as text: the local name, the via name, or the pid. */
export const nameText = (name: unknown): string => {
  if (typeof name === "string") return name;
  if (typeof name === "object" && name !== null && "via" in name) return describe((name as ViaName).name);
  return String(name);
};

/** OTP's print_event: `name got event E`, `name(Handler) got call Q`, `name got Msg`. */
export const describeEvent = (name: unknown, logged: SystemEvent): string => {
  const who = nameText(name);
  const event = logged as { kind: string; type?: string; handler?: unknown; message?: unknown };
  if (event.kind !== "in") return `${who} : ${describe(event)}`;
  if (event.type === "event") return `${who} got event ${describe(event.message)}`;
  if (event.type === "call") {
    return `${who}(${describeHandler(event.handler)}) got call ${describe(event.message)}`;
  }
  return `${who} got ${describe(event.message)}`;
};
