/** The typed failures of remote calls and remote spawns, and the per-node result of a multi-call. */
import { BadArgError, CallError, describe, EncodeError, type ExitReason } from "@maquis/core";

/**
 * Why a remote operation failed, after Erlang's `erpc` errors:
 *
 * - `"error"`: the function threw (or its promise rejected); `reason` is what it threw, an `Error`
 *   rebuilt by the codec with its name, message, stack, cause and own fields.
 * - `"exit"`: the process running the function ended without a result (it was killed, or the remote
 *   server went away mid-call); `reason` is the exit reason.
 * - `"timeout"`: no answer in time. The function may still run, or have run: its result is dropped.
 * - `"noconnection"`: the node is down or unreachable (or went down mid-call). The function may or may
 *   not have run.
 * - `"undef"`: nothing is registered under that name on that node.
 * - `"notsup"`: the node runs no RPC server (Erlang's `notsup`), or answered something this client
 *   does not understand.
 * - `"badarg"`: the request was invalid: a name that is not a string, arguments that are not an array
 *   or cannot be encoded, an invalid timeout, `link`/`monitor` asked for by a caller that is not a
 *   process. Also what the server answers to a malformed request.
 */
export type RpcErrorKind = "error" | "exit" | "timeout" | "noconnection" | "undef" | "notsup" | "badarg";

/** The remote operation an {@link RpcError} comes from. */
export type RpcOperation = "call" | "cast" | "spawn";

/**
 * A remote call or spawn failed. Test `kind` (never the message); for `"error"` the remote exception
 * is `reason` (and `cause`), for `"exit"` the exit reason.
 *
 * Gotcha: a remote `Error` comes back as a plain `Error` whose `name` is the original class name
 * (`"TypeError"`, `"MyError"`): `instanceof MyError` is false across nodes, compare `name` instead.
 *
 * @example
 * try {
 *   await Rpc.call(self, "b", "div", [1, 0]);
 * } catch (e) {
 *   if (e instanceof RpcError && e.kind === "error") console.log((e.reason as Error).message);
 * }
 */
export class RpcError extends Error {
  /** Discriminant for code that matches errors structurally (as core's `CallError` has one). */
  readonly _tag = "RpcError";
  /** Why it failed; see {@link RpcErrorKind}. */
  readonly kind: RpcErrorKind;
  /** `"call"`, `"cast"` or `"spawn"`. */
  readonly operation: RpcOperation;
  /** The node the request was for. */
  readonly node: string;
  /** The registered function or spawnable name. */
  readonly function: string;
  /** The thrown value (`"error"`), the exit reason (`"exit"`), or a detail (`"badarg"`); else `undefined`. */
  readonly reason: unknown;

  constructor(kind: RpcErrorKind, operation: RpcOperation, node: string, fn: string, reason?: unknown) {
    super(
      `Rpc.${operation} ${JSON.stringify(fn)} on ${node} failed: ${kind}` +
        (reason === undefined ? "" : ` (${describe(reason)})`),
      kind === "error" || kind === "exit" ? { cause: reason } : undefined,
    );
    this.name = "RpcError";
    this.kind = kind;
    this.operation = operation;
    this.node = node;
    this.function = fn;
    this.reason = reason;
  }
}

/**
 * One node's outcome in `Rpc.multiCall`, Erlang's `{ok, Value} | {Class, Reason}` list entry.
 * Narrow on `status`.
 */
export type RpcResult<T = unknown> =
  | { readonly status: "ok"; readonly value: T }
  | { readonly status: "error"; readonly error: RpcError };

/**
 * The {@link RpcError} for a failed core request (`self.request` / `sendRequest`): the request
 * monitors the RPC server by name, so its reasons say what happened to the server or the connection.
 */
export const fromRequestFailure = (
  reason: ExitReason,
  operation: RpcOperation,
  node: string,
  fn: string,
): RpcError => {
  if (reason === "timeout") return new RpcError("timeout", operation, node, fn);
  if (reason === "noconnection") return new RpcError("noconnection", operation, node, fn);
  // The monitor found no process under the server's name: that node does not serve RPC.
  if (reason === "noproc") return new RpcError("notsup", operation, node, fn, "no RPC server on that node");
  return new RpcError("exit", operation, node, fn, reason);
};

/**
 * Turns what a core request threw into an {@link RpcError}, or returns it unchanged when it is not a
 * request failure (notably `ProcessExitedError`: the caller itself has exited and must keep unwinding).
 */
export const fromThrown = (thrown: unknown, operation: RpcOperation, node: string, fn: string): unknown => {
  if (thrown instanceof CallError) return fromRequestFailure(thrown.reason, operation, node, fn);
  // A synchronous throw from the request itself: an invalid timeout, or a message the transport
  // cannot encode. Both are the caller's bad arguments.
  if (thrown instanceof BadArgError || thrown instanceof EncodeError) {
    return new RpcError("badarg", operation, node, fn, thrown.message);
  }
  return thrown;
};
