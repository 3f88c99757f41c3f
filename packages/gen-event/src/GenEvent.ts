/**
 * `GenEvent`: the event-manager API in one place, as `GenServer`'s statics are (Erlang's `gen_event`
 * module). Each member is also exported on its own.
 *
 * @example
 * const manager = await GenEvent.start<AppEvent>(node, { name: "events" });
 * await GenEvent.addHandler(node, manager, ConsoleLogger, { prefix: "app" });
 * GenEvent.notify(node, manager, { level: "info", text: "started" });
 * await GenEvent.stop(node, manager);
 */
import {
  addHandler,
  addSupHandler,
  call,
  deleteHandler,
  notify,
  start,
  startLink,
  startMonitor,
  stop,
  swapHandler,
  swapSupHandler,
  syncNotify,
  whichHandlers,
} from "./Client.js";
import { checkResponse, receiveResponse, sendRequest, waitResponse } from "./Requests.js";

/**
 * The event-manager API (Erlang's `gen_event` module): start and stop managers, manage handlers, send
 * events and calls. Mirrors `GenServer`'s statics; the members are the functions of the same names.
 */
export const GenEvent = Object.freeze({
  /** {@link start}: a manager without a link. */
  start,
  /** {@link startLink}: a manager linked to the calling process (for supervisors). */
  startLink,
  /** {@link startMonitor}: a manager monitored by the calling process. */
  startMonitor,
  /** {@link stop}: every handler's terminate, then the manager exits. */
  stop,
  /** {@link addHandler}: installs a handler. */
  addHandler,
  /** {@link addSupHandler}: installs a handler supervised by the calling process. */
  addSupHandler,
  /** {@link deleteHandler}: removes a handler, resolving with its terminate's result. */
  deleteHandler,
  /** {@link swapHandler}: replaces one handler by another, handing state across. */
  swapHandler,
  /** {@link swapSupHandler}: as swapHandler, supervised by the calling process. */
  swapSupHandler,
  /** {@link whichHandlers}: the installed handlers, newest first. */
  whichHandlers,
  /** {@link notify}: an event to every handler, without waiting. */
  notify,
  /** {@link syncNotify}: an event to every handler, resolving once all have run. */
  syncNotify,
  /** {@link call}: one handler's handleCall. */
  call,
  /** {@link sendRequest}: a call without waiting. */
  sendRequest,
  /** {@link waitResponse}: waits for a request's response. */
  waitResponse,
  /** {@link receiveResponse}: waits for a request's response, abandoning it on timeout. */
  receiveResponse,
  /** {@link checkResponse}: whether a received message is a request's response. */
  checkResponse,
});
