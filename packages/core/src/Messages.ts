import type { Pid } from "./Pid.js";
import type { ExitReason } from "./Reason.js";
import type { Ref } from "./Ref.js";

/**
 * Erlang's `{'EXIT', From, Reason}`: an exit signal turned into a message because the receiver traps
 * exits. Match with `msg instanceof ExitMessage` or `msg.kind === "EXIT"`.
 */
export class ExitMessage {
  readonly kind = "EXIT" as const;
  readonly from: Pid;
  readonly reason: ExitReason;
  constructor(from: Pid, reason: ExitReason) {
    this.from = from;
    this.reason = reason;
  }
}

/** A registered name on a node, the `{Name, Node}` address. */
export interface RemoteName {
  readonly name: string;
  readonly node: string;
}

/** Type guard for a {@link RemoteName}: an object with a string `name` and a string `node`. */
export const isRemoteName = (value: unknown): value is RemoteName =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as RemoteName).name === "string" &&
  typeof (value as RemoteName).node === "string";

/**
 * Erlang's `{'DOWN', Ref, process, Item, Reason}`: a monitored process ended (or never existed:
 * reason `"noproc"`; or its node is unreachable: `"noconnection"`). `item` is the pid, or the
 * `{ name, node }` pair when the monitor was set up by name.
 */
export class DownMessage {
  readonly kind = "DOWN" as const;
  readonly ref: Ref;
  readonly item: Pid | RemoteName;
  readonly reason: ExitReason;
  constructor(ref: Ref, item: Pid | RemoteName, reason: ExitReason) {
    this.ref = ref;
    this.item = item;
    this.reason = reason;
  }
}

/** Erlang's `{timeout, TimerRef, Msg}`, delivered by `startTimer`. */
export class TimeoutMessage<M = unknown> {
  readonly kind = "timeout" as const;
  readonly ref: Ref;
  readonly msg: M;
  constructor(ref: Ref, msg: M) {
    this.ref = ref;
    this.msg = msg;
  }
}

/** Erlang's `{nodeup, Node}` / `{nodedown, Node}`, delivered to processes that called `monitorNode`. */
export class NodeMessage {
  readonly kind: "nodeup" | "nodedown";
  readonly node: string;
  readonly reason: ExitReason;
  constructor(kind: "nodeup" | "nodedown", node: string, reason: ExitReason = undefined) {
    this.kind = kind;
    this.node = node;
    this.reason = reason;
  }
}

/**
 * Where a reply goes: the caller's pid and the request's tag, an alias (Erlang's `From = {Pid, Tag}`).
 *
 * Pass it to `reply(to, value)` from any process; a reply sent after the caller gave up (timeout) is
 * dropped, because the alias is no longer active.
 */
export interface ReplyTo {
  readonly pid: Pid;
  readonly tag: Ref;
}

/**
 * A reply that arrived in a mailbox for a request made with `sendRequest` (Erlang's `{Tag, Reply}`).
 * Replies to `request()` never reach the mailbox: they settle its promise directly.
 */
export class ReplyMessage<R = unknown> {
  readonly kind = "reply" as const;
  readonly ref: Ref;
  readonly value: R;
  constructor(ref: Ref, value: R) {
    this.ref = ref;
    this.value = value;
  }
}

/** Matches the reply to `ref` (any reply when omitted). */
export const isReply =
  (ref?: Ref) =>
  (msg: unknown): msg is ReplyMessage =>
    msg instanceof ReplyMessage && (ref === undefined || msg.ref.equals(ref));

/** Type guard: an EXIT message, optionally from a given pid. */
export const isExit =
  (from?: Pid) =>
  (msg: unknown): msg is ExitMessage =>
    msg instanceof ExitMessage && (from === undefined || msg.from.equals(from));

/** Type guard: a DOWN message, optionally for a given monitor ref. */
export const isDown =
  (ref?: Ref) =>
  (msg: unknown): msg is DownMessage =>
    msg instanceof DownMessage && (ref === undefined || msg.ref.equals(ref));
