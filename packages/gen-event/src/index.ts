/**
 * `@maquis/gen-event`: OTP's gen_event for TypeScript.
 *
 * Start a manager with `GenEvent.start`, plug in handlers (classes extending {@link EventHandler} whose
 * callbacks return {@link ok}, {@link reply}, {@link swapHandler} or {@link removeHandler}) with
 * {@link addHandler}, and send them events with {@link notify} or {@link syncNotify}.
 *
 * Naming: `swapHandler` at the top level is the callback result; the client operation is
 * `GenEvent.swapHandler` (as `GenServer.stop` is apart from the `stop` result). Starting, stopping and
 * swapping live on `GenEvent` only; the other client functions are exported on their own too.
 *
 * @packageDocumentation
 */
export {
  type AnyEventHandler,
  EventHandler,
  type HandlerArgs,
  type HandlerEvent,
  type HandlerReply,
  type HandlerRequest,
  type StatusInfo,
  type TerminateArg,
} from "./EventHandler.js";
export { GenEvent } from "./GenEvent.js";
export {
  addHandler,
  addSupHandler,
  call,
  DEFAULT_CALL_TIMEOUT,
  deleteHandler,
  type HandlerArgsParam,
  type HandlerWithArgs,
  notify,
  syncNotify,
  whichHandlers,
} from "./Client.js";
export { GenEventError, type GenEventOperation } from "./Errors.js";
export {
  describeHandler,
  type HandlerClass,
  handlerClassOf,
  type HandlerId,
  type IdentifiedHandler,
  sameHandler,
} from "./HandlerId.js";
export { type EventOf, type ManagerPid, type ManagerRef, managerNamed } from "./ManagerRef.js";
export { GenEventExit, type GenEventExitReason, isGenEventExit } from "./Messages.js";
export { checkResponse, receiveResponse, sendRequest, waitResponse } from "./Requests.js";
export {
  type CallResult,
  type EventResult,
  type Hibernate,
  type InitResult,
  type Ok,
  ok,
  type RemoveHandler,
  removeHandler,
  type Reply,
  reply,
  type SwapHandler,
  swapHandler,
} from "./Results.js";
export type { HandlerState, ManagerStatus } from "./Status.js";
// The shared request-id layer lives in @maquis/sys; re-exported for gen-event users.
export { type CollectionResult, type RequestId, RequestIds, type Response } from "@maquis/sys";
