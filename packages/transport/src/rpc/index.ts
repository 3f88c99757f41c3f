/**
 * Remote procedure calls and remote spawn between Maquis nodes, after Erlang's `erpc` and `spawn/4`.
 *
 * Functions cannot cross the wire, so each node registers, by name, what others may call
 * (`functions`) and spawn (`spawnables`); a server process registered as `"maquis_rpc"` serves them
 * (Erlang's `rex`). Everything is built on `@maquis/core`'s public API: requests, aliases, monitors
 * and links.
 *
 * @example
 * Rpc.start(b, { functions: { add: (x: number, y: number) => x + y } });
 * const sum = await Rpc.call<number>(self, "b", "add", [1, 2], { timeoutMs: 1000 }); // 3
 */
import type { Node, ProcessContext } from "@maquis/core";
import type { RpcResult } from "./Errors.js";
import {
  call,
  cast,
  checkResponse,
  multiCall,
  multiCast,
  type RpcCallOptions,
  type RpcCaller,
  type RpcRequestId,
  receiveResponse,
  sendRequest,
} from "./Client.js";
import { type RpcFunction, RpcServer, type RpcServerOptions, type RpcSpawnable } from "./Server.js";
import { spawn, spawnLink, spawnMonitor } from "./Spawn.js";

export { type RpcErrorKind, type RpcOperation, RpcError, type RpcResult } from "./Errors.js";
export { MAX_NAME_LENGTH, RPC_SERVER_NAME } from "./Protocol.js";
export {
  type RpcFunction,
  type RpcLogEvent,
  type RpcLogger,
  RpcServer,
  type RpcServerOptions,
  type RpcSpawnable,
} from "./Server.js";
export type { RpcCallOptions, RpcCaller, RpcRequestId } from "./Client.js";
export type { RpcSpawnOptions } from "./Spawn.js";

/** The shape of {@link Rpc}; each member's documentation is here. */
export interface RpcApi {
  /**
   * Starts the RPC server on `node` with what other nodes may call and spawn. Every node that should
   * answer RPC needs one (a node without gives callers `notsup`).
   *
   * Throws `BadArgError` if a server already runs there, or for an invalid name or non-function.
   *
   * @example
   * Rpc.start(node, {
   *   functions: { add: (a: number, b: number) => a + b, fetch: async (key: string) => db.get(key) },
   *   spawnables: { worker: async (self, jobs: number) => { … } },
   * });
   */
  start(node: Node, options?: RpcServerOptions): RpcServer;
  /** The running RPC server of `node`, if any (to register more, list names, or stop it). */
  server(node: Node): RpcServer | undefined;
  /**
   * Registers `fn` as `name` on `node`, starting the node's RPC server (with default options) if none
   * runs. Replaces an earlier function of that name. Throws `BadArgError` for a bad name or non-function.
   */
  register(node: Node, name: string, fn: RpcFunction): RpcServer;
  /** Registers a spawnable, like {@link RpcApi.register}. */
  registerSpawnable(node: Node, name: string, body: RpcSpawnable): RpcServer;
  /** Withdraws a function from `node`'s server; returns whether it was registered. */
  unregister(node: Node, name: string): boolean;

  /**
   * Runs the function registered as `fn` on `node` with `args` and resolves with its result (Erlang's
   * `erpc:call`). Each call runs in a fresh process on that node, so calls to one node run
   * concurrently; a function returning a promise is awaited there.
   *
   * Rejects with an `RpcError` whose `kind` says why: `"error"` (it threw: `reason` is the remote
   * error), `"exit"`, `"timeout"`, `"noconnection"`, `"undef"`, `"notsup"` or `"badarg"`.
   *
   * Gotchas: after a `timeout` or `noconnection` the function may still run (or have run), as with
   * erpc; its late answer is dropped, never left in the mailbox. Arguments and result go through
   * core's codec (no functions or class instances); a call to the caller's own node passes them by
   * reference, uncopied. Without `timeoutMs` a call waits as long as the connection lives.
   *
   * @example
   * const sum = await Rpc.call<number>(self, "b@host", "add", [1, 2], { timeoutMs: 5000 });
   */
  call<R = unknown>(
    caller: RpcCaller,
    node: string,
    fn: string,
    args?: readonly unknown[],
    options?: RpcCallOptions,
  ): Promise<R>;
  /**
   * Runs `fn(...args)` on `node` and returns at once (Erlang's `erpc:cast`). Nothing comes back: an
   * unknown function or a failure is only logged by the remote server. Throws `RpcError` `badarg` for
   * invalid arguments; never for an unreachable node.
   */
  cast(caller: RpcCaller, node: string, fn: string, args?: readonly unknown[]): void;
  /**
   * Calls `fn(...args)` on every node in `nodes` concurrently and resolves, in the same order, with
   * one `{ status: "ok", value }` or `{ status: "error", error }` per node (Erlang's
   * `erpc:multicall`); one node's failure never fails the others. `timeoutMs` bounds the whole
   * operation. Rejects only for invalid arguments (`badarg`).
   */
  multiCall<R = unknown>(
    caller: RpcCaller,
    nodes: readonly string[],
    fn: string,
    args?: readonly unknown[],
    options?: RpcCallOptions,
  ): Promise<RpcResult<R>[]>;
  /** {@link RpcApi.cast} to every node in `nodes` (Erlang's `erpc:multicast`). */
  multiCast(caller: RpcCaller, nodes: readonly string[], fn: string, args?: readonly unknown[]): void;
  /**
   * Starts a call whose outcome arrives in the caller's mailbox (Erlang's `erpc:send_request`): a
   * `ReplyMessage` or `DownMessage` with `id.ref`. Collect it with {@link RpcApi.receiveResponse}, or
   * with {@link RpcApi.checkResponse} from a handler that receives every message. Use it to overlap a
   * call with other work in one process. Needs a process (or inbox): replies go to its mailbox.
   */
  sendRequest(self: ProcessContext, node: string, fn: string, args?: readonly unknown[]): RpcRequestId;
  /**
   * Waits for the outcome of `id` and resolves or rejects as {@link RpcApi.call} would (Erlang's
   * `erpc:receive_response`). On timeout the request is abandoned: a late answer never arrives.
   */
  receiveResponse<R = unknown>(self: ProcessContext, id: RpcRequestId, timeoutMs?: number): Promise<R>;
  /**
   * The outcome of `id` if `message` carries it, `undefined` otherwise (Erlang's
   * `erpc:check_response`). For `ProcessHandler`s that see every message in `receive`.
   */
  checkResponse<R = unknown>(message: unknown, id: RpcRequestId): RpcResult<R> | undefined;

  /**
   * Spawns the spawnable registered as `name` on `node` with `args` and resolves with the new pid
   * (Erlang's `spawn/4`). The body gets the new process's `self`, then `args`.
   *
   * `{ link: true }` links it to the caller, `{ monitor: true }` monitors it (then it resolves to
   * `[pid, ref]`); both are in place before the body runs, so a body that fails at once still reaches
   * the caller with its real reason. Link and monitor need a process caller (`badarg` for a `Node`).
   * Rejects with an `RpcError`: `undef`, `noconnection`, `notsup`, `badarg`, or `exit` if the server
   * died.
   *
   * Gotchas: there is no timeout, as in Erlang; the wait ends with the answer or with the connection.
   * With `monitor`, the body starts half a round trip later (the caller's monitor must land first).
   *
   * @example
   * const [pid, ref] = await Rpc.spawn(self, "b", "worker", [42], { monitor: true });
   * const down = await self.receive(isDown(ref));
   */
  spawn: typeof spawn;
  /** `Rpc.spawn(self, node, name, args, { link: true })`, Erlang's `spawn_link/4`. */
  spawnLink: typeof spawnLink;
  /** `Rpc.spawn(self, node, name, args, { monitor: true })`, Erlang's `spawn_monitor/4`. */
  spawnMonitor: typeof spawnMonitor;
}

const serverOrStart = (node: Node): RpcServer => RpcServer.of(node) ?? RpcServer.start(node);

/**
 * Remote calls and remote spawn between nodes, after Erlang's `erpc` and `spawn/4`. Start a server on
 * each node that serves calls, then call from any process (or from a `Node`, outside processes).
 *
 * @example
 * Rpc.start(b, { functions: { add: (x: number, y: number) => x + y }, spawnables: { echo } });
 * await Rpc.call(self, "b", "add", [1, 2]); // 3
 * const pid = await Rpc.spawnLink(self, "b", "echo", [self.pid]);
 */
export const Rpc: RpcApi = {
  start: (node, options) => RpcServer.start(node, options),
  server: (node) => RpcServer.of(node),
  register: (node, name, fn) => serverOrStart(node).register(name, fn),
  registerSpawnable: (node, name, body) => serverOrStart(node).registerSpawnable(name, body),
  unregister: (node, name) => RpcServer.of(node)?.unregister(name) ?? false,
  call,
  cast,
  multiCall,
  multiCast,
  sendRequest,
  receiveResponse,
  checkResponse,
  spawn,
  spawnLink,
  spawnMonitor,
};
