/**
 * Asynchronous requests shared by every behaviour (Erlang's `gen:send_request` family): send a call
 * without waiting, then collect its outcome with {@link waitResponse}, {@link receiveResponse} or
 * {@link checkResponse}, alone or as a labelled {@link RequestIds} collection.
 */
import {
  BadArgError,
  type Destination,
  DownMessage,
  type ExitReason,
  type ProcessContext,
  type Ref,
  ReplyMessage,
} from "@maquis/core";
import { GenCall } from "./GenMessages.js";
import type { Protocol, ServerRef } from "./Protocol.js";

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
