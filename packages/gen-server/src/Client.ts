/**
 * The client side of a gen-server: call, cast, reply, stop, asynchronous requests and multi-node
 * calls. Every function takes the caller first: a process's `self` (or an inbox) or a node, for code
 * outside any process.
 */
import { CallError, type Destination, type ExitReason, type Node, type ReplyTo } from "@maquis/core";
import {
  type CallRequest,
  type Caller,
  type CastRequest,
  GenCall,
  GenCast,
  nodeOf,
  type Protocol,
  type ProtocolOf,
  type ReplyFor,
  type ServerRef,
  sys,
} from "@maquis/sys";

/** The default call timeout, as in Erlang. */
export const DEFAULT_CALL_TIMEOUT = 5000;

/**
 * Calls the server and waits for its reply (Erlang's `gen_server:call`).
 *
 * Fails with `CallError`: reason `"timeout"` (the late reply, if any, is dropped), `"noproc"`, the
 * server's exit reason if it dies first, or `"calling_self"`. An uncaught failure crashes the calling
 * process, as in Erlang.
 *
 * @param timeout ms, default 5000; `Infinity` waits forever.
 */
export const call = <R extends ServerRef<Protocol>, const Q extends CallRequest<ProtocolOf<R>>>(
  caller: Caller,
  server: R,
  request: Q,
  timeout: number = DEFAULT_CALL_TIMEOUT,
): Promise<ReplyFor<ProtocolOf<R>, Q>> =>
  caller.request(server as Destination, (from) => new GenCall(from, request), timeout, {
    module: "GenServer",
    function: "call",
    args: [server, request, timeout],
  });

/**
 * Sends a cast (Erlang's `gen_server:cast`): never blocks and never throws, even if the server does
 * not exist.
 */
export const cast = <R extends ServerRef<Protocol>>(
  caller: Caller,
  server: R,
  request: CastRequest<ProtocolOf<R>>,
): void => {
  try {
    caller.send(server as Destination, new GenCast(request));
  } catch {
    // An unregistered name: a cast is fire-and-forget.
  }
};

/** Replies to a call the server answered with `noreply` (Erlang's `gen_server:reply`); from any process. */
export const sendReply = (caller: Caller, to: ReplyTo, value: unknown): void => {
  caller.reply(to, value);
};

/**
 * Stops the server: its terminate runs with `reason`, and this resolves once it has exited (Erlang's
 * `gen_server:stop`). Fails with a bare `CallError` `noproc` or `timeout`, or with the reason it
 * actually exited with if its terminate crashed.
 */
export const stopServer = (
  caller: Caller,
  server: ServerRef<Protocol>,
  reason: ExitReason = "normal",
  timeout = Number.POSITIVE_INFINITY,
): Promise<void> => sys.stop(caller, server as Destination, reason, timeout);

// ---- several nodes ----

const nodesOf = (caller: Caller, nodes: readonly string[] | undefined): readonly string[] => {
  const node: Node = nodeOf(caller);
  return nodes ?? [node.name, ...node.nodes()];
};

/**
 * Calls the server registered as `name` on each node (this node and every connected one by default)
 * and collects the replies (Erlang's `multi_call`). Nodes whose server is missing, dies or does not
 * answer within `timeout` are listed in `badNodes`; late replies are dropped.
 */
export const multiCall = async <R = unknown>(
  caller: Caller,
  name: string,
  request: unknown,
  options: { readonly nodes?: readonly string[]; readonly timeout?: number } = {},
): Promise<{ replies: Array<[node: string, reply: R]>; badNodes: string[] }> => {
  const nodes = nodesOf(caller, options.nodes);
  const timeout = options.timeout ?? Number.POSITIVE_INFINITY;
  const outcomes = await Promise.allSettled(
    nodes.map((node) => caller.request<R>({ name, node }, (from) => new GenCall(from, request), timeout)),
  );
  const replies: Array<[string, R]> = [];
  const badNodes: string[] = [];
  outcomes.forEach((o, i) => {
    if (o.status === "fulfilled") replies.push([nodes[i]!, o.value]);
    else if (o.reason instanceof CallError) badNodes.push(nodes[i]!);
    else throw o.reason;
  });
  return { replies, badNodes };
};

/** Casts to the server registered as `name` on each node (Erlang's `abcast`). Never throws. */
export const abcast = (caller: Caller, name: string, request: unknown, nodes?: readonly string[]): void => {
  for (const node of nodesOf(caller, nodes)) cast(caller, { name, node }, request as never);
};
