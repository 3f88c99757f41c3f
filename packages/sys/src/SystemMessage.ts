import { ExitMessage, type Matcher, type Pid, type ReplyTo, registerWireClass } from "@maquis/core";
import { replyToFromWire } from "./GenMessages.js";
import type { DebugFn } from "./Debug.js";

/** What a `sys` call asks of a process. */
export type SystemRequest =
  | { readonly kind: "getState" }
  | { readonly kind: "replaceState"; readonly fn: (state: unknown) => unknown }
  | { readonly kind: "getStatus" }
  | { readonly kind: "suspend" }
  | { readonly kind: "resume" }
  | { readonly kind: "changeCode"; readonly oldVsn: unknown; readonly extra: unknown }
  | { readonly kind: "statistics"; readonly flag: boolean | "get" }
  | { readonly kind: "trace"; readonly on: boolean }
  | { readonly kind: "log"; readonly flag: boolean | number | "get" | "print" }
  | { readonly kind: "install"; readonly id: unknown; readonly fn: DebugFn; readonly state: unknown }
  | { readonly kind: "remove"; readonly id: unknown }
  | { readonly kind: "noDebug" }
  | { readonly kind: "terminate"; readonly reason: unknown };

/**
 * A system message (Erlang's `{system, From, Request}`). Every behaviour serves these, even while
 * suspended; the reply is a {@link SystemReply}.
 */
export class SystemMessage {
  readonly from: ReplyTo;
  readonly request: SystemRequest;
  constructor(from: ReplyTo, request: SystemRequest) {
    this.from = from;
    this.request = request;
  }
}

// sys calls to a process on another node (getState, suspend, statistics…). Requests holding functions
// (replaceState, install) cannot cross the wire and fail to encode.
registerWireClass({
  type: 0x53,
  Class: SystemMessage,
  write: (message: SystemMessage) => [message.from.pid, message.from.tag, message.request],
  read: ([pid, tag, request]) => {
    if (
      request === null ||
      typeof request !== "object" ||
      typeof (request as { kind?: unknown }).kind !== "string"
    ) {
      throw new TypeError("request is not a system request");
    }
    return new SystemMessage(replyToFromWire(pid, tag), request as SystemRequest);
  },
});

/** The reply to a system message: a value, or the error the caller should raise. */
export type SystemReply =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: Error };

export const isSystemMessage = (message: unknown): message is SystemMessage =>
  message instanceof SystemMessage;

/** What a suspended process still serves: system messages and its parent's EXIT. */
export const whileSuspended =
  (parent: Pid): Matcher =>
  (message) =>
    message instanceof SystemMessage || (message instanceof ExitMessage && message.from.equals(parent));
