/**
 * The calling side of RPC: call, cast, multi-call and asynchronous requests (Erlang's `erpc`).
 *
 * Every call is a core request to the RPC server of the target node: the request monitors the server
 * (so a lost connection fails it with `noconnection`) under a ref that is also the reply alias (so an
 * answer that arrives after a timeout is dropped by the runtime and never reaches a mailbox).
 */
import {
  DownMessage,
  encode,
  type Node,
  type ProcessContext,
  type Ref,
  type RemoteName,
  ReplyMessage,
} from "@maquis/core";
import { fromRequestFailure, fromThrown, RpcError, type RpcOperation, type RpcResult } from "./Errors.js";
import {
  type CallRequest,
  type CastRequest,
  isName,
  type Outcome,
  parseOutcome,
  RPC_SERVER_NAME,
} from "./Protocol.js";

/**
 * Who makes a remote request: a process's `self` (or an inbox), or a `Node` for code outside any
 * process (the request is then made by the node's system process). Linking and monitoring need a
 * process.
 */
export type RpcCaller = ProcessContext | Node;

/** Options of `Rpc.call` and `Rpc.multiCall`. */
export interface RpcCallOptions {
  /**
   * Milliseconds to wait for the answer, on the caller node's clock; default `Infinity` (as
   * `erpc:call/4`). A loss of connection ends the wait anyway, with `noconnection`.
   */
  readonly timeoutMs?: number;
}

/**
 * A request made with `Rpc.sendRequest`, to pass to `Rpc.receiveResponse` or `Rpc.checkResponse`.
 * `ref` is also the ref of the `ReplyMessage` or `DownMessage` that will carry the outcome.
 */
export interface RpcRequestId {
  readonly ref: Ref;
  readonly node: string;
  readonly fn: string;
}

/** Whether `caller` is a process rather than a node (structural, so two copies of core still agree). */
export const isProcessCaller = (caller: RpcCaller): caller is ProcessContext => "pid" in caller;

/** The node `caller` runs on. */
export const nodeOf = (caller: RpcCaller): Node => (isProcessCaller(caller) ? caller.node : caller);

/** Where the RPC server of `node` is. */
export const serverAt = (node: string): RemoteName => ({ name: RPC_SERVER_NAME, node });

/**
 * Checks what the caller passed, as `erpc` does before sending anything (Erlang's client-side
 * `badarg`). Arguments bound for another node are encoded once here: a value the codec rejects must
 * fail the call up front rather than inside the runtime's request, which would have already opened a
 * monitor and an alias that nothing could close.
 */
export const checkRequest = (
  caller: RpcCaller,
  operation: RpcOperation,
  node: unknown,
  fn: unknown,
  args: unknown,
): void => {
  const fail = (detail: string) => new RpcError("badarg", operation, String(node), String(fn), detail);
  if (typeof node !== "string" || node.length === 0) throw fail("the node is not a node name");
  if (!isName(fn)) throw fail("the name is not a non-empty string");
  if (!Array.isArray(args)) throw fail("the arguments are not an array");
  if (node === nodeOf(caller).name) return; // a local request passes values by reference, unencoded
  try {
    encode(args);
  } catch (error) {
    throw fail(`the arguments cannot be encoded: ${(error as Error).message}`);
  }
};

/** The {@link RpcError} for an answer that is not a success (or not an answer at all). */
export const failureOf = (
  outcome: Outcome | undefined,
  operation: RpcOperation,
  node: string,
  fn: string,
): RpcError => {
  switch (outcome?.t) {
    case "error":
      return new RpcError("error", operation, node, fn, outcome.error);
    case "exit":
      return new RpcError("exit", operation, node, fn, outcome.reason);
    case "undef":
      return new RpcError("undef", operation, node, fn);
    case "badarg":
      return new RpcError("badarg", operation, node, fn, outcome.detail);
    default:
      return new RpcError("notsup", operation, node, fn, "unexpected answer");
  }
};

/** The value of a call's answer, or the error it stands for. */
const settle = <R>(answer: unknown, node: string, fn: string): R => {
  const outcome = parseOutcome(answer);
  if (outcome?.t === "ok") return outcome.value as R;
  throw failureOf(outcome, "call", node, fn);
};

const callRequest =
  (fn: string, args: readonly unknown[]) =>
  (replyTo: CallRequest["replyTo"]): CallRequest => ({ op: "call", replyTo, fn, args });

const checkTimeout = (timeoutMs: number, operation: RpcOperation, node: string, fn: string): void => {
  if (!(timeoutMs >= 0)) throw new RpcError("badarg", operation, node, fn, `invalid timeout: ${timeoutMs}`);
};

/** A call whose arguments are already checked. */
const callChecked = async <R>(
  caller: RpcCaller,
  node: string,
  fn: string,
  args: readonly unknown[],
  timeoutMs: number,
): Promise<R> => {
  let answer: unknown;
  try {
    answer = await caller.request(serverAt(node), callRequest(fn, args), timeoutMs);
  } catch (thrown) {
    throw fromThrown(thrown, "call", node, fn);
  }
  return settle<R>(answer, node, fn);
};

/** Runs `fn(...args)` on `node` and resolves with its result; see `Rpc.call`. */
export const call = async <R = unknown>(
  caller: RpcCaller,
  node: string,
  fn: string,
  args: readonly unknown[] = [],
  options: RpcCallOptions = {},
): Promise<R> => {
  checkRequest(caller, "call", node, fn, args);
  const timeoutMs = options.timeoutMs ?? Number.POSITIVE_INFINITY;
  checkTimeout(timeoutMs, "call", node, fn);
  return callChecked<R>(caller, node, fn, args, timeoutMs);
};

/** Runs `fn(...args)` on `node`, no answer; see `Rpc.cast`. */
export const cast = (caller: RpcCaller, node: string, fn: string, args: readonly unknown[] = []): void => {
  checkRequest(caller, "cast", node, fn, args);
  try {
    // A send to `{ name, node }` never fails for want of a process or a connection.
    caller.send(serverAt(node), { op: "cast", fn, args } satisfies CastRequest);
  } catch (thrown) {
    throw fromThrown(thrown, "cast", node, fn);
  }
};

/** Checks a node list and the request once, for the multi-node operations. */
const checkMany = (
  caller: RpcCaller,
  operation: RpcOperation,
  nodes: readonly string[],
  fn: string,
  args: readonly unknown[],
): void => {
  if (!Array.isArray(nodes)) throw new RpcError("badarg", operation, "", String(fn), "nodes is not an array");
  for (const node of nodes) {
    if (typeof node !== "string" || node.length === 0) {
      throw new RpcError("badarg", operation, String(node), String(fn), "the node is not a node name");
    }
  }
  // Check (and encode) the arguments once, against a remote node if there is one.
  const local = nodeOf(caller).name;
  checkRequest(caller, operation, nodes.find((node) => node !== local) ?? local, fn, args);
};

/** Calls `fn(...args)` on every node concurrently; see `Rpc.multiCall`. */
export const multiCall = async <R = unknown>(
  caller: RpcCaller,
  nodes: readonly string[],
  fn: string,
  args: readonly unknown[] = [],
  options: RpcCallOptions = {},
): Promise<RpcResult<R>[]> => {
  checkMany(caller, "call", nodes, fn, args);
  const timeoutMs = options.timeoutMs ?? Number.POSITIVE_INFINITY;
  checkTimeout(timeoutMs, "call", String(nodes[0]), fn);
  // All requests start now with the same timeout, so they share one deadline, as erpc:multicall's.
  return Promise.all(
    nodes.map((node) =>
      callChecked<R>(caller, node, fn, args, timeoutMs).then(
        (value): RpcResult<R> => ({ status: "ok", value }),
        (error: unknown): RpcResult<R> => {
          if (error instanceof RpcError) return { status: "error", error };
          throw error; // the caller itself exited: keep unwinding
        },
      ),
    ),
  );
};

/** Casts `fn(...args)` to every node; see `Rpc.multiCast`. */
export const multiCast = (
  caller: RpcCaller,
  nodes: readonly string[],
  fn: string,
  args: readonly unknown[] = [],
): void => {
  checkMany(caller, "cast", nodes, fn, args);
  for (const node of nodes) caller.send(serverAt(node), { op: "cast", fn, args } satisfies CastRequest);
};

/** Starts a call whose outcome arrives in the mailbox; see `Rpc.sendRequest`. */
export const sendRequest = (
  self: ProcessContext,
  node: string,
  fn: string,
  args: readonly unknown[] = [],
): RpcRequestId => {
  checkRequest(self, "call", node, fn, args);
  try {
    return { ref: self.sendRequest(serverAt(node), callRequest(fn, args)), node, fn };
  } catch (thrown) {
    throw fromThrown(thrown, "call", node, fn);
  }
};

/** The outcome `message` carries for `id`, or `undefined` if it is not about `id`. */
const responseOf = <R>(message: unknown, id: RpcRequestId): RpcResult<R> | undefined => {
  if (message instanceof ReplyMessage && message.ref.equals(id.ref)) {
    try {
      return { status: "ok", value: settle<R>(message.value, id.node, id.fn) };
    } catch (error) {
      return { status: "error", error: error as RpcError };
    }
  }
  if (message instanceof DownMessage && message.ref.equals(id.ref)) {
    return { status: "error", error: fromRequestFailure(message.reason, "call", id.node, id.fn) };
  }
  return undefined;
};

/** Matches the mailbox message that carries the outcome of `id`. */
const isResponse =
  (id: RpcRequestId) =>
  (message: unknown): boolean =>
    (message instanceof ReplyMessage || message instanceof DownMessage) && message.ref.equals(id.ref);

/** Waits for the outcome of a `sendRequest`; see `Rpc.receiveResponse`. */
export const receiveResponse = async <R = unknown>(
  self: ProcessContext,
  id: RpcRequestId,
  timeoutMs = Number.POSITIVE_INFINITY,
): Promise<R> => {
  checkTimeout(timeoutMs, "call", id.node, id.fn);
  const message = await self.receive(isResponse(id), timeoutMs);
  if (message === undefined) {
    // As erpc:receive_response: a timeout abandons the request, so a late answer never arrives.
    self.abandonRequest(id.ref);
    throw new RpcError("timeout", "call", id.node, id.fn);
  }
  const result = responseOf<R>(message, id)!;
  if (result.status === "ok") return result.value;
  throw result.error;
};

/**
 * The outcome of `id` if `message` carries it, else `undefined`; see `Rpc.checkResponse`. Never
 * throws: failures come back as `{ status: "error" }`.
 */
export const checkResponse = <R = unknown>(message: unknown, id: RpcRequestId): RpcResult<R> | undefined =>
  responseOf<R>(message, id);
