/**
 * The client side of an event manager: start and stop it, add, delete and swap handlers, send events,
 * call one handler. Every function takes the caller first: a process's `self` (or an inbox), or a node
 * for code outside any process; the supervising functions need a process.
 */
import {
  BadArgError,
  type Destination,
  type ExitReason,
  type ProcessContext,
  type Ref,
  type ReplyTo,
  type ViaName,
} from "@maquis/core";
import { type Caller, isProcessCaller, type StartOptions, sys } from "@maquis/sys";
import type { AnyEventHandler, HandlerArgs, HandlerReply, HandlerRequest } from "./EventHandler.js";
import { GenEventError, type GenEventOperation } from "./Errors.js";
import type { HandlerId } from "./HandlerId.js";
import type { EventOf, ManagerPid, ManagerRef } from "./ManagerRef.js";
import {
  AddHandler,
  DeleteHandler,
  Failure,
  HandlerCall,
  Notify,
  SwapHandlers,
  SyncNotify,
  WhichHandlers,
} from "./internal/messages.js";
import { startManager } from "./internal/start.js";

/** The default timeout of {@link call}, as in Erlang. */
export const DEFAULT_CALL_TIMEOUT = 5000;

/** The init arguments after the handler: optional when the handler's init takes `undefined`. */
export type HandlerArgsParam<H> =
  undefined extends HandlerArgs<H> ? [args?: HandlerArgs<H>] : [args: HandlerArgs<H>];

/** A handler and the arguments it gets in a swap (Erlang's `{Handler, Args}`). */
export type HandlerWithArgs = readonly [handler: HandlerId, args: unknown];

type Operation = GenEventOperation | "syncNotify" | "whichHandlers";

/** A request to the manager; a Failure reply rejects with GenEventError. */
const managerRequest = async <T>(
  caller: Caller,
  manager: ManagerRef,
  operation: Operation,
  build: (from: ReplyTo) => unknown,
  timeout: number,
  args: readonly unknown[],
): Promise<T> => {
  const reply = await caller.request(manager as Destination, build, timeout, {
    module: "GenEvent",
    function: operation,
    args,
  });
  if (reply instanceof Failure) throw new GenEventError(reply.reason, operation as GenEventOperation);
  return reply as T;
};

/** A supervised handler needs a process to supervise it (a node cannot be linked). */
const supervising = (self: ProcessContext, operation: Operation): Promise<never> | undefined =>
  isProcessCaller(self)
    ? undefined
    : Promise.reject(
        new BadArgError(`${operation} needs a process caller (a node cannot supervise a handler)`),
      );

/**
 * Starts a manager without a link (Erlang's `gen_event:start`) and resolves with its pid once it runs.
 * Rejects with sys's `StartError` if `options.name` is taken (`{ alreadyStarted: pid }`).
 *
 * @param options a name (local, or `{ via, name }`), `debug` options, a start `timeout`.
 */
export const start = async <E = unknown>(caller: Caller, options?: StartOptions): Promise<ManagerPid<E>> =>
  (await startManager(caller, "start", options)).pid;

/**
 * Starts a manager linked to the calling process, its parent (Erlang's `gen_event:start_link`): a
 * supervisor's start function. The parent's exit stops the manager (every handler's terminate runs with
 * `"stop"`).
 */
export const startLink = async <E = unknown>(
  self: ProcessContext,
  options?: StartOptions,
): Promise<ManagerPid<E>> => (await startManager(self, "startLink", options)).pid;

/** Starts a manager monitored by the calling process: resolves with its pid and the monitor ref. */
export const startMonitor = async <E = unknown>(
  self: ProcessContext,
  options?: StartOptions,
): Promise<[ManagerPid<E>, Ref]> => {
  const started = await startManager(self, "startMonitor", options);
  return [started.pid, started.monitor!];
};

/**
 * Stops a manager: each handler's `terminate("stop", state)` runs (newest first; supervisors get a
 * `GenEventExit` with `"shutdown"`), then it exits with `reason` (Erlang's `gen_event:stop`). Resolves
 * once it is dead; fails with a bare `CallError` `noproc` or `timeout`.
 */
export const stop = (
  caller: Caller,
  manager: ManagerRef,
  reason: ExitReason = "normal",
  timeout = Number.POSITIVE_INFINITY,
): Promise<void> => sys.stop(caller, manager as Destination, reason, timeout);

/**
 * Adds a handler (Erlang's `gen_event:add_handler`): `handler` is its class, or `{ handler: Class, id }`
 * for one of several of the same class. The manager makes an instance and runs its `init(args)`;
 * resolves once it is installed, as the newest handler.
 *
 * Rejects with {@link GenEventError}: `reason` is what init returned instead of `ok(…)`, or
 * `{ exit: error }` if it threw. The manager going away rejects with core's `CallError`.
 */
export const addHandler = <H extends AnyEventHandler>(
  caller: Caller,
  manager: ManagerRef,
  handler: HandlerId<H>,
  ...args: HandlerArgsParam<H>
): Promise<void> =>
  managerRequest(
    caller,
    manager,
    "addHandler",
    (from) => new AddHandler(from, handler, args[0], undefined),
    Number.POSITIVE_INFINITY,
    [manager, handler, args[0]],
  );

/**
 * Adds a handler supervised by the calling process (Erlang's `gen_event:add_sup_handler`): the
 * manager links to it, and when the handler leaves for any reason the caller gets a
 * {@link GenEventExit}. If the caller exits, the handler is removed (`terminate({ stop: reason })`).
 *
 * When to use: a process that needs its handler installed (a logger's owner, say) re-adds it on
 * `GenEventExit`. Gotchas (as in OTP): the link is two-way, so a manager that is killed takes a
 * non-trapping caller along (a stopping manager unlinks its supervisors first); and the link outlives
 * the handler, so a trapping caller later gets the manager's EXIT.
 */
export const addSupHandler = <H extends AnyEventHandler>(
  self: ProcessContext,
  manager: ManagerRef,
  handler: HandlerId<H>,
  ...args: HandlerArgsParam<H>
): Promise<void> =>
  supervising(self, "addSupHandler") ??
  managerRequest(
    self,
    manager,
    "addSupHandler",
    (from) => new AddHandler(from, handler, args[0], self.pid),
    Number.POSITIVE_INFINITY,
    [manager, handler, args[0]],
  );

/**
 * Removes a handler (Erlang's `gen_event:delete_handler`): its `terminate(args, state)` runs and this
 * resolves with terminate's result (`undefined` without a terminate). A supervised handler's supervisor
 * gets a {@link GenEventExit} with `"normal"`.
 *
 * Rejects with {@link GenEventError}: `"module_not_found"` if no such handler is installed, or
 * `{ exit: error }` if its terminate threw (it is removed all the same).
 */
export const deleteHandler = (
  caller: Caller,
  manager: ManagerRef,
  handler: HandlerId,
  args?: unknown,
): Promise<unknown> =>
  managerRequest(
    caller,
    manager,
    "deleteHandler",
    (from) => new DeleteHandler(from, handler, args),
    Number.POSITIVE_INFINITY,
    [manager, handler, args],
  );

/**
 * Replaces handler `[oldHandler, oldArgs]` by `[newHandler, newArgs]` (Erlang's
 * `gen_event:swap_handler`): `oldHandler.terminate(oldArgs, state)` runs, then
 * `newHandler.init([newArgs, terminateResult])` (`[newArgs, "error"]` if the old one is not installed).
 * The new handler is the newest, supervised by the old one's supervisor, if any.
 *
 * Rejects with {@link GenEventError} if the new handler's init fails (the reason as for
 * {@link addHandler}); the old handler is gone either way.
 */
export const swapHandler = (
  caller: Caller,
  manager: ManagerRef,
  [oldHandler, oldArgs]: HandlerWithArgs,
  [newHandler, newArgs]: HandlerWithArgs,
): Promise<void> =>
  managerRequest(
    caller,
    manager,
    "swapHandler",
    (from) => new SwapHandlers(from, oldHandler, oldArgs, newHandler, newArgs, undefined),
    Number.POSITIVE_INFINITY,
    [manager, [oldHandler, oldArgs], [newHandler, newArgs]],
  );

/**
 * As {@link swapHandler}, and the new handler is supervised by the calling process (Erlang's
 * `gen_event:swap_sup_handler`); the old one's supervisor gets `{ swapped: newHandler, supervisor }`.
 */
export const swapSupHandler = (
  self: ProcessContext,
  manager: ManagerRef,
  [oldHandler, oldArgs]: HandlerWithArgs,
  [newHandler, newArgs]: HandlerWithArgs,
): Promise<void> =>
  supervising(self, "swapSupHandler") ??
  managerRequest(
    self,
    manager,
    "swapSupHandler",
    (from) => new SwapHandlers(from, oldHandler, oldArgs, newHandler, newArgs, self.pid),
    Number.POSITIVE_INFINITY,
    [manager, [oldHandler, oldArgs], [newHandler, newArgs]],
  );

/** The installed handlers, newest first (Erlang's `gen_event:which_handlers`). */
export const whichHandlers = (caller: Caller, manager: ManagerRef): Promise<HandlerId[]> =>
  managerRequest(
    caller,
    manager,
    "whichHandlers",
    (from) => new WhichHandlers(from),
    Number.POSITIVE_INFINITY,
    [manager],
  );

/**
 * Sends an event to every handler's handleEvent, newest first, without waiting (Erlang's
 * `gen_event:notify`). Never blocks; a dead manager pid, a `{ name, node }` or a via name is silently
 * ignored.
 *
 * Gotcha: a local name that is not registered throws core's `BadArgError`, as Erlang's
 * `Name ! Msg` does.
 */
export const notify = <M extends ManagerRef>(caller: Caller, manager: M, event: EventOf<M>): void => {
  if (typeof manager === "object" && manager !== null && "via" in manager) {
    try {
      caller.send(manager as ViaName, new Notify(event));
    } catch {
      // Erlang's gen_event:notify catches a via module's send failure.
    }
    return;
  }
  caller.send(manager as Destination, new Notify(event));
};

/**
 * Sends an event and resolves once every handler has handled it (Erlang's `gen_event:sync_notify`).
 * Fails with core's `CallError` if the manager is missing or dies.
 */
export const syncNotify = <M extends ManagerRef>(
  caller: Caller,
  manager: M,
  event: EventOf<M>,
): Promise<void> =>
  managerRequest(
    caller,
    manager,
    "syncNotify",
    (from) => new SyncNotify(from, event),
    Number.POSITIVE_INFINITY,
    [manager, event],
  );

/**
 * Calls one handler's handleCall and resolves with its reply (Erlang's `gen_event:call`).
 *
 * Rejects with {@link GenEventError}: `"bad_module"` if no such handler, or, after removing the handler,
 * `{ exit: error }` if handleCall threw or is missing, or the bad value it returned. Rejects with core's
 * `CallError` on `"timeout"` (the late reply is dropped), `"noproc"`, or the manager's exit reason.
 *
 * @param timeout ms, default 5000; `Infinity` waits forever.
 */
export const call = <H extends AnyEventHandler>(
  caller: Caller,
  manager: ManagerRef,
  handler: HandlerId<H>,
  request: HandlerRequest<H>,
  timeout: number = DEFAULT_CALL_TIMEOUT,
): Promise<HandlerReply<H>> =>
  managerRequest(caller, manager, "call", (from) => new HandlerCall(from, handler, request), timeout, [
    manager,
    handler,
    request,
    timeout,
  ]);
