/**
 * The client side of a gen-server: call, cast, reply, stop, asynchronous requests and multi-node
 * calls. Every function takes the caller first: a process's `self` (or an inbox) or a node, for code
 * outside any process.
 */
import {
  BadArgError,
  CallError,
  DownMessage,
  type Destination,
  type ExitReason,
  type Node,
  type ProcessContext,
  type Ref,
  ReplyMessage,
  type ReplyTo,
} from "@maquis/core";
import { type Caller, nodeOf, sys } from "@maquis/sys";
import { GenCall, GenCast } from "./Messages.js";
import type { CallRequest, CastRequest, Protocol, ProtocolOf, ReplyFor, ServerRef } from "./Protocol.js";

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

// ---- asynchronous requests ----

/** An outstanding request (Erlang's request id): its ref and the server it went to. */
export interface RequestId {
  readonly ref: Ref;
  readonly server: Destination;
}

/** Requests with labels, answered in arrival order (Erlang's request id collection). Immutable. */
export class RequestIds<L = unknown> {
  readonly #entries: ReadonlyMap<string, { readonly id: RequestId; readonly label: L }>;

  constructor(entries: ReadonlyMap<string, { readonly id: RequestId; readonly label: L }> = new Map()) {
    this.#entries = entries;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** A new collection with `id` under `label`. Adding an id twice throws `BadArgError`. */
  add(id: RequestId, label: L): RequestIds<L> {
    if (this.#entries.has(id.ref.key)) throw new BadArgError(`request already in the collection: ${id.ref}`);
    const next = new Map(this.#entries);
    next.set(id.ref.key, { id, label });
    return new RequestIds(next);
  }

  /** The entry for `ref`, if the collection holds it. */
  find(ref: Ref): { readonly id: RequestId; readonly label: L } | undefined {
    return this.#entries.get(ref.key);
  }

  without(ref: Ref): RequestIds<L> {
    const next = new Map(this.#entries);
    next.delete(ref.key);
    return new RequestIds(next);
  }

  toList(): Array<[RequestId, L]> {
    return Array.from(this.#entries.values(), (e) => [e.id, e.label]);
  }
}

/** The outcome of a request: the reply, or the failure with the server it was sent to. */
export type Response<T = unknown> =
  | { readonly reply: T }
  | { readonly error: readonly [reason: ExitReason, server: Destination] };

/**
 * Sends a call without waiting (Erlang's `gen_server:send_request`); its outcome arrives in the
 * caller's mailbox. Collect it with {@link waitResponse}, {@link receiveResponse} or
 * {@link checkResponse}.
 */
export function sendRequest(self: ProcessContext, server: ServerRef<Protocol>, request: unknown): RequestId;
/** Sends a call and adds it, under `label`, to a copy of `collection`. */
export function sendRequest<L>(
  self: ProcessContext,
  server: ServerRef<Protocol>,
  request: unknown,
  label: L,
  collection: RequestIds<L>,
): RequestIds<L>;
export function sendRequest<L>(
  self: ProcessContext,
  server: ServerRef<Protocol>,
  request: unknown,
  label?: L,
  collection?: RequestIds<L>,
): RequestId | RequestIds<L> {
  const to = server as Destination;
  const id: RequestId = { ref: self.sendRequest(to, (from) => new GenCall(from, request)), server: to };
  return collection === undefined ? id : collection.add(id, label as L);
}

const outcome = (message: ReplyMessage | DownMessage, server: Destination): Response =>
  message instanceof ReplyMessage ? { reply: message.value } : { error: [message.reason, server] };

const matches =
  (refs: (ref: Ref) => boolean) =>
  (message: unknown): message is ReplyMessage | DownMessage =>
    (message instanceof ReplyMessage || message instanceof DownMessage) && refs(message.ref);

/** A result from a collection: the response, its label and the collection after it. */
export type CollectionResult<L> = readonly [response: Response, label: L, rest: RequestIds<L>];

const awaitResponse = async <L>(
  self: ProcessContext,
  target: RequestId | RequestIds<L>,
  timeout: number,
  remove: boolean,
  abandonOnTimeout: boolean,
): Promise<Response | CollectionResult<L> | "timeout" | "no_request"> => {
  if (target instanceof RequestIds) {
    if (target.size === 0) return "no_request";
    const message = await self.receive(
      matches((ref) => target.find(ref) !== undefined),
      timeout,
    );
    if (message === undefined) {
      if (abandonOnTimeout) for (const [id] of target.toList()) self.abandonRequest(id.ref);
      return "timeout";
    }
    const entry = target.find(message.ref)!;
    return [outcome(message, entry.id.server), entry.label, remove ? target.without(message.ref) : target];
  }
  const message = await self.receive(
    matches((ref) => ref.equals(target.ref)),
    timeout,
  );
  if (message === undefined) {
    if (abandonOnTimeout) self.abandonRequest(target.ref);
    return "timeout";
  }
  return outcome(message, target.server);
};

/**
 * Waits up to `timeout` ms for a response (Erlang's `wait_response`). A timeout does **not** abandon
 * the request: wait again later. For a collection, gives the first response to arrive with its label.
 */
export function waitResponse(
  self: ProcessContext,
  id: RequestId,
  timeout?: number,
): Promise<Response | "timeout">;
export function waitResponse<L>(
  self: ProcessContext,
  ids: RequestIds<L>,
  timeout?: number,
  remove?: boolean,
): Promise<CollectionResult<L> | "timeout" | "no_request">;
export function waitResponse<L>(
  self: ProcessContext,
  target: RequestId | RequestIds<L>,
  timeout = Number.POSITIVE_INFINITY,
  remove = true,
): Promise<unknown> {
  return awaitResponse(self, target, timeout, remove, false);
}

/**
 * Like {@link waitResponse}, but a timeout **abandons** the request (or every request in the
 * collection): a late reply is dropped (Erlang's `receive_response`).
 */
export function receiveResponse(
  self: ProcessContext,
  id: RequestId,
  timeout?: number,
): Promise<Response | "timeout">;
export function receiveResponse<L>(
  self: ProcessContext,
  ids: RequestIds<L>,
  timeout?: number,
  remove?: boolean,
): Promise<CollectionResult<L> | "timeout" | "no_request">;
export function receiveResponse<L>(
  self: ProcessContext,
  target: RequestId | RequestIds<L>,
  timeout = Number.POSITIVE_INFINITY,
  remove = true,
): Promise<unknown> {
  return awaitResponse(self, target, timeout, remove, true);
}

/**
 * Checks whether `message` (one you received yourself, e.g. in `handleInfo`) is the response to `id`
 * (Erlang's `check_response`): the response, or `"no_reply"` if it is unrelated.
 */
export function checkResponse(message: unknown, id: RequestId): Response | "no_reply";
export function checkResponse<L>(
  message: unknown,
  ids: RequestIds<L>,
  remove?: boolean,
): CollectionResult<L> | "no_reply" | "no_request";
export function checkResponse<L>(
  message: unknown,
  target: RequestId | RequestIds<L>,
  remove = true,
): unknown {
  if (target instanceof RequestIds) {
    if (target.size === 0) return "no_request";
    if (!(message instanceof ReplyMessage || message instanceof DownMessage)) return "no_reply";
    const entry = target.find(message.ref);
    if (entry === undefined) return "no_reply";
    return [outcome(message, entry.id.server), entry.label, remove ? target.without(message.ref) : target];
  }
  if ((message instanceof ReplyMessage || message instanceof DownMessage) && message.ref.equals(target.ref)) {
    return outcome(message, target.server);
  }
  return "no_reply";
}

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
