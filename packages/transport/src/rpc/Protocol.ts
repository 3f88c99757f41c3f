/**
 * The RPC wire protocol: what a client sends to a node's RPC server, what comes back, and the hand-written
 * guards that check both. Everything here may arrive off the network from any peer, so nothing is
 * trusted until a guard has looked at it. Requests are plain objects and arrays (never class instances,
 * which the codec does not carry), so the guards check shapes and primitive types by hand.
 */
import { isPid, isRef, type Pid, type Ref, type ReplyTo } from "@maquis/core";

/**
 * The name the RPC server is registered under on every node that serves RPC (Erlang's `rex`). Clients
 * address `{ name: RPC_SERVER_NAME, node }`.
 */
export const RPC_SERVER_NAME = "maquis_rpc";

/** Longest function or spawnable name accepted, so a hostile request cannot make the server log megabytes. */
export const MAX_NAME_LENGTH = 255;

/** Run a registered function and answer `replyTo` (Erlang's `erpc:call`). */
export interface CallRequest {
  readonly op: "call";
  readonly replyTo: ReplyTo;
  readonly fn: string;
  readonly args: readonly unknown[];
}

/** Run a registered function, no answer (Erlang's `erpc:cast`). */
export interface CastRequest {
  readonly op: "cast";
  readonly fn: string;
  readonly args: readonly unknown[];
}

/** Spawn a registered spawnable and answer `replyTo` with its pid (Erlang's `spawn_request`). */
export interface SpawnRequest {
  readonly op: "spawn";
  readonly replyTo: ReplyTo;
  readonly fn: string;
  readonly args: readonly unknown[];
  /** Link the new process to `replyTo.pid` before it runs. */
  readonly link: boolean;
  /** Hold the new process until the caller has monitored it (see {@link GoMessage}). */
  readonly monitor: boolean;
}

/** Every request an RPC server understands. */
export type RpcRequest = CallRequest | CastRequest | SpawnRequest;

/**
 * Sent by a spawning caller straight to the new process once its monitor is in place: the process
 * waits for it before running user code, so the monitor sees the process's real exit reason.
 */
export interface GoMessage {
  readonly op: "go";
  readonly tag: Ref;
}

/** What the server (or the process doing the work) answers to a call or a spawn. */
export type Outcome =
  | { readonly t: "ok"; readonly value: unknown }
  | { readonly t: "error"; readonly error: unknown }
  | { readonly t: "exit"; readonly reason: unknown }
  | { readonly t: "undef" }
  | { readonly t: "badarg"; readonly detail: string }
  | { readonly t: "spawned"; readonly pid: Pid };

/** A plain object (not an array, not null). */
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A usable function or spawnable name. */
export const isName = (value: unknown): value is string =>
  typeof value === "string" && value.length > 0 && value.length <= MAX_NAME_LENGTH;

/** A `{ pid, tag }` a reply can be sent to. */
export const isReplyTo = (value: unknown): value is ReplyTo =>
  isRecord(value) && isPid(value.pid) && isRef(value.tag);

/** The result of checking a message that reached the server. */
export type Parsed =
  /** A well-formed request. */
  | { readonly ok: true; readonly request: RpcRequest }
  /** Not a request: `replyTo` is set when the sender can be told (the answer is `badarg`). */
  | { readonly ok: false; readonly why: string; readonly replyTo: ReplyTo | undefined };

const bad = (why: string, replyTo?: ReplyTo): Parsed => ({ ok: false, why, replyTo });

/**
 * Checks a message that reached the RPC server. Never throws for values decoded off the wire; a local
 * sender can still pass an object whose getters throw, so the server calls it inside a try.
 */
export const parseRequest = (message: unknown): Parsed => {
  if (!isRecord(message)) return bad("not an object");
  const { op } = message;
  if (op !== "call" && op !== "cast" && op !== "spawn") return bad(`unknown op ${typeof op}`);
  // Check replyTo first: once it is known good, every later problem can be answered with badarg.
  let replyTo: ReplyTo | undefined;
  if (op !== "cast") {
    if (!isReplyTo(message.replyTo)) return bad(`${op}: replyTo is not { pid, tag }`);
    replyTo = { pid: message.replyTo.pid, tag: message.replyTo.tag };
  }
  const { fn, args } = message;
  if (!isName(fn)) return bad(`${op}: fn is not a name`, replyTo);
  if (!Array.isArray(args)) return bad(`${op}: args is not an array`, replyTo);
  if (op === "cast") return { ok: true, request: { op, fn, args } };
  if (op === "call") return { ok: true, request: { op, replyTo: replyTo!, fn, args } };
  const { link, monitor } = message;
  if (typeof link !== "boolean" || typeof monitor !== "boolean") {
    return bad("spawn: link and monitor must be booleans", replyTo);
  }
  return { ok: true, request: { op, replyTo: replyTo!, fn, args, link, monitor } };
};

/** Matches the {@link GoMessage} for the spawn request tagged `tag`. */
export const isGoFor =
  (tag: Ref) =>
  (message: unknown): message is GoMessage =>
    isRecord(message) && message.op === "go" && isRef(message.tag) && message.tag.equals(tag);

/**
 * Checks an answer that came back to a client. A peer speaking another protocol (or a forged reply)
 * gives `undefined`, which the client reports as `notsup`.
 */
export const parseOutcome = (value: unknown): Outcome | undefined => {
  if (!isRecord(value)) return undefined;
  switch (value.t) {
    case "ok":
      return { t: "ok", value: value.value };
    case "error":
      return { t: "error", error: value.error };
    case "exit":
      return { t: "exit", reason: value.reason };
    case "undef":
      return { t: "undef" };
    case "badarg":
      return { t: "badarg", detail: typeof value.detail === "string" ? value.detail : "bad request" };
    case "spawned":
      return isPid(value.pid) ? { t: "spawned", pid: value.pid } : undefined;
    default:
      return undefined;
  }
};
