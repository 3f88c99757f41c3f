/**
 * The messages a manager serves (Erlang's `{notify, Event}` and `{From, Tag, {…}}` requests), and the
 * marker its failed replies carry. Internal: clients build them through the `GenEvent` functions.
 */
import { type Pid, registerWireClass, type ReplyTo } from "@maquis/core";
import { replyToFromWire } from "@maquis/sys";

/** `notify`: every handler's handleEvent, nobody waits. The hot path: one small object per event. */
export class Notify {
  readonly event: unknown;
  constructor(event: unknown) {
    this.event = event;
  }
}

/** `syncNotify`: as Notify, then a reply once every handler has run. */
export class SyncNotify {
  readonly from: ReplyTo;
  readonly event: unknown;
  constructor(from: ReplyTo, event: unknown) {
    this.from = from;
    this.event = event;
  }
}

/** `call`: one handler's handleCall. */
export class HandlerCall {
  readonly from: ReplyTo;
  readonly handler: unknown;
  readonly request: unknown;
  constructor(from: ReplyTo, handler: unknown, request: unknown) {
    this.from = from;
    this.handler = handler;
    this.request = request;
  }
}

/** `addHandler` / `addSupHandler` (with the supervising process). */
export class AddHandler {
  readonly from: ReplyTo;
  readonly handler: unknown;
  readonly args: unknown;
  readonly supervisor: Pid | undefined;
  constructor(from: ReplyTo, handler: unknown, args: unknown, supervisor: Pid | undefined) {
    this.from = from;
    this.handler = handler;
    this.args = args;
    this.supervisor = supervisor;
  }
}

/** `deleteHandler`. */
export class DeleteHandler {
  readonly from: ReplyTo;
  readonly handler: unknown;
  readonly args: unknown;
  constructor(from: ReplyTo, handler: unknown, args: unknown) {
    this.from = from;
    this.handler = handler;
    this.args = args;
  }
}

/** `swapHandler` / `swapSupHandler` (with the new supervising process). */
export class SwapHandlers {
  readonly from: ReplyTo;
  readonly oldHandler: unknown;
  readonly oldArgs: unknown;
  readonly newHandler: unknown;
  readonly newArgs: unknown;
  readonly supervisor: Pid | undefined;
  constructor(
    from: ReplyTo,
    oldHandler: unknown,
    oldArgs: unknown,
    newHandler: unknown,
    newArgs: unknown,
    supervisor: Pid | undefined,
  ) {
    this.from = from;
    this.oldHandler = oldHandler;
    this.oldArgs = oldArgs;
    this.newHandler = newHandler;
    this.newArgs = newArgs;
    this.supervisor = supervisor;
  }
}

/** `whichHandlers`. */
export class WhichHandlers {
  readonly from: ReplyTo;
  constructor(from: ReplyTo) {
    this.from = from;
  }
}

/**
 * The reply of a handler operation that failed (OTP's returned `{error, X}` / `{'EXIT', R}`); the
 * client turns it into a rejection with `GenEventError`.
 */
export class Failure {
  readonly reason: unknown;
  /** The manager that answered, for `sendRequest` responses (`{ error: [reason, manager] }`). */
  readonly manager: Pid;
  constructor(reason: unknown, manager: Pid) {
    this.reason = reason;
    this.manager = manager;
  }
}

// notify and syncNotify reach managers on other nodes; requests naming handler classes stay local.
registerWireClass({
  type: 0x4e,
  Class: Notify,
  write: (notify: Notify) => [notify.event],
  read: ([event]) => new Notify(event),
});
registerWireClass({
  type: 0x4f,
  Class: SyncNotify,
  write: (notify: SyncNotify) => [notify.from.pid, notify.from.tag, notify.event],
  read: ([pid, tag, event]) => new SyncNotify(replyToFromWire(pid, tag), event),
});
