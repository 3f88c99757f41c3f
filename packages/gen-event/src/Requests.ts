/**
 * Asynchronous calls to a handler (Erlang's `gen_event:send_request` family): send a call without
 * waiting, then collect its outcome with {@link waitResponse}, {@link receiveResponse} or
 * {@link checkResponse}, alone or as a labelled `RequestIds` collection. Built on sys's request ids; a
 * handler failure (OTP's `{error, …}` reply) comes back as `{ error: [GenEventError, manager] }`.
 */
import type { Destination, ProcessContext } from "@maquis/core";
import {
  type CollectionResult,
  type RequestId,
  RequestIds,
  type Response,
  checkResponse as sysCheckResponse,
  receiveResponse as sysReceiveResponse,
  waitResponse as sysWaitResponse,
} from "@maquis/sys";
import { GenEventError } from "./Errors.js";
import type { HandlerId } from "./HandlerId.js";
import type { ManagerRef } from "./ManagerRef.js";
import { Failure, HandlerCall } from "./internal/messages.js";

/**
 * Sends `request` to `handler`'s handleCall without waiting (Erlang's `gen_event:send_request`); the
 * outcome arrives in the caller's mailbox. Collect it with {@link waitResponse},
 * {@link receiveResponse} or {@link checkResponse}.
 */
export function sendRequest(
  self: ProcessContext,
  manager: ManagerRef,
  handler: HandlerId,
  request: unknown,
): RequestId;
/** Sends the call and adds it, under `label`, to a copy of `collection`. */
export function sendRequest<L>(
  self: ProcessContext,
  manager: ManagerRef,
  handler: HandlerId,
  request: unknown,
  label: L,
  collection: RequestIds<L>,
): RequestIds<L>;
export function sendRequest<L>(
  self: ProcessContext,
  manager: ManagerRef,
  handler: HandlerId,
  request: unknown,
  label?: L,
  collection?: RequestIds<L>,
): RequestId | RequestIds<L> {
  const to = manager as Destination;
  const id: RequestId = {
    ref: self.sendRequest(to, (from) => new HandlerCall(from, handler, request)),
    server: to,
  };
  return collection === undefined ? id : collection.add(id, label as L);
}

/**
 * A Failure reply (OTP's `{reply, {error, X}}`) as the error it stands for: OTP's `{error, X}`, here
 * `{ error: [GenEventError, managerPid] }`.
 */
const unwrap = (response: Response): Response =>
  "reply" in response && response.reply instanceof Failure
    ? { error: [new GenEventError(response.reply.reason, "call"), response.reply.manager] }
    : response;

const unwrapResult = <R>(result: R): R => {
  if (typeof result !== "object" || result === null) return result; // "timeout", "no_request", "no_reply"
  if (Array.isArray(result)) {
    const [response, label, rest] = result as unknown as CollectionResult<unknown>;
    return [unwrap(response), label, rest] as unknown as R;
  }
  return unwrap(result as unknown as Response) as R;
};

/**
 * Waits up to `timeout` ms (default `Infinity`) for the response (Erlang's `gen_event:wait_response`):
 * `{ reply }`, `{ error: [reason, manager] }` (a {@link GenEventError} reason for a handler failure, or
 * the manager's exit reason), or `"timeout"`. A timeout does **not** abandon the request. For a
 * collection: the first response to arrive, with its label and the rest (`"no_request"` when empty).
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
export async function waitResponse<L>(
  self: ProcessContext,
  target: RequestId | RequestIds<L>,
  timeout?: number,
  remove?: boolean,
): Promise<unknown> {
  return unwrapResult(
    target instanceof RequestIds
      ? await sysWaitResponse(self, target, timeout, remove)
      : await sysWaitResponse(self, target, timeout),
  );
}

/**
 * Like {@link waitResponse}, but a timeout **abandons** the request (or the whole collection): a late
 * reply is dropped (Erlang's `gen_event:receive_response`).
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
export async function receiveResponse<L>(
  self: ProcessContext,
  target: RequestId | RequestIds<L>,
  timeout?: number,
  remove?: boolean,
): Promise<unknown> {
  return unwrapResult(
    target instanceof RequestIds
      ? await sysReceiveResponse(self, target, timeout, remove)
      : await sysReceiveResponse(self, target, timeout),
  );
}

/**
 * Whether `message` (one you received yourself, e.g. in a gen-server's `handleInfo`) is the response
 * to `id` (Erlang's `gen_event:check_response`): the response, or `"no_reply"` if it is unrelated.
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
  remove?: boolean,
): unknown {
  return unwrapResult(
    target instanceof RequestIds
      ? sysCheckResponse(message, target, remove)
      : sysCheckResponse(message, target),
  );
}
