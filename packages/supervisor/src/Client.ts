/**
 * The supervisor API (OTP's `start_child/2`, `restart_child/2`, … `count_children/1`). Every function
 * takes the caller first (a process's `self`, an inbox, or a node) and the supervisor (pid or name).
 *
 * Every call waits as long as it takes (timeout `Infinity`, as in OTP). Results resolve; OTP's
 * `{error, Reason}` rejects with a {@link SupervisorError} whose `reason` is OTP's reason. A
 * supervisor that does not exist (or dies during the call) rejects with core's `CallError` (reason
 * `"noproc"`, or its exit reason).
 */
import type { Destination } from "@maquis/core";
import { GenCall } from "@maquis/sys";
import type { Caller } from "@maquis/sys";
import type { ChildCounts, ChildInfo, ChildSpec, ResolvedChildSpec, StartedChild } from "./ChildSpec.js";
import type { SupervisorClass } from "./Supervisor.js";
import type { Outcome, SupRequest } from "./internal/Protocol.js";
import { SupervisorError } from "./SupervisorError.js";

/** A supervisor: its pid, registered name, `{ name, node }` or via name. */
export type SupervisorRef = Destination;

const call = async <T>(caller: Caller, sup: SupervisorRef, request: SupRequest, fn: string): Promise<T> => {
  const outcome = await caller.request<Outcome>(
    sup,
    (from) => new GenCall(from, request),
    Number.POSITIVE_INFINITY,
    {
      module: "Supervisor",
      function: fn,
      args: [sup, request],
    },
  );
  if (outcome.ok) return outcome.value as T;
  throw new SupervisorError(outcome.reason, outcome.child);
};

/**
 * Adds a child and starts it (OTP's `start_child/2`). For `one_for_one`, `one_for_all` and
 * `rest_for_one` supervisors pass a {@link ChildSpec}: the child is started, added as the newest
 * child, and `{ pid[, info] }` returned (`pid: undefined` for `"ignore"`; a temporary child is then not
 * kept). For a `simple_one_for_one` supervisor pass the extra arguments (an array, possibly empty): the
 * template's `start(parent, ...extraArgs)` runs.
 *
 * Rejects with {@link SupervisorError}: the spec's validation error; `{ alreadyStarted: pid }` if a
 * child with that id runs (or the start function reported the name taken); `"already_present"` if its
 * spec is kept with no process (use `restartChild`); otherwise the start failure's reason, with
 * `child` set to the spec (not for `simple_one_for_one`).
 */
export const startChild = (
  caller: Caller,
  sup: SupervisorRef,
  specOrExtraArgs: ChildSpec | readonly unknown[],
): Promise<StartedChild> => call(caller, sup, { kind: "startChild", arg: specOrExtraArgs }, "startChild");

/**
 * Starts again a child whose spec is kept with no process, by id (OTP's `restart_child/2`): after
 * `terminateChild`, an `"ignore"`, or a transient child's normal exit. Resolves like `startChild`.
 * Rejects with `"not_found"`, `"running"`, `"restarting"` (a failed automatic restart is being
 * retried), `"simple_one_for_one"`, or the start failure's reason (unwrapped).
 */
export const restartChild = (caller: Caller, sup: SupervisorRef, id: unknown): Promise<StartedChild> =>
  call(caller, sup, { kind: "restartChild", id }, "restartChild");

/**
 * Stops a child (OTP's `terminate_child/2`) by its shutdown spec, keeping its spec (temporary children
 * are dropped) so that `restartChild` can start it again; an automatic restart does not follow, and
 * auto-shutdown is not triggered. Resolves even if the child was not running.
 *
 * For a `simple_one_for_one` supervisor pass the child's pid: a pid that was never its child rejects
 * with `"not_found"` (a dead pid resolves); an id rejects with `"simple_one_for_one"`. Otherwise pass
 * the id (`"not_found"` if unknown; a pid is not accepted, as in OTP).
 */
export const terminateChild = (caller: Caller, sup: SupervisorRef, idOrPid: unknown): Promise<void> =>
  call(caller, sup, { kind: "terminateChild", id: idOrPid }, "terminateChild");

/**
 * Removes a stopped child's spec (OTP's `delete_child/2`). Rejects with `"running"`, `"restarting"`,
 * `"not_found"` or `"simple_one_for_one"`: terminate the child first.
 */
export const deleteChild = (caller: Caller, sup: SupervisorRef, id: unknown): Promise<void> =>
  call(caller, sup, { kind: "deleteChild", id }, "deleteChild");

/**
 * Every child, newest first (OTP's `which_children/1`): `{ id, pid, type, modules }` with `pid`
 * `undefined` when not running and `"restarting"` while a failed restart is retried. A
 * `simple_one_for_one` supervisor lists its children by pid, with `id: undefined`.
 *
 * Gotcha: this builds a list of every child; with very many dynamic children prefer `countChildren`.
 */
export const whichChildren = (caller: Caller, sup: SupervisorRef): Promise<ChildInfo[]> =>
  call(caller, sup, { kind: "whichChildren" }, "whichChildren");

/**
 * One child's entry of {@link whichChildren}, by id (by pid for `simple_one_for_one`; an id then rejects
 * with `"simple_one_for_one"`). Rejects with `"not_found"`.
 */
export const whichChild = (caller: Caller, sup: SupervisorRef, idOrPid: unknown): Promise<ChildInfo> =>
  call(caller, sup, { kind: "whichChild", id: idOrPid }, "whichChild");

/** Counts specs, running children, supervisors and workers (OTP's `count_children/1`). */
export const countChildren = (caller: Caller, sup: SupervisorRef): Promise<ChildCounts> =>
  call(caller, sup, { kind: "countChildren" }, "countChildren");

/**
 * A child's spec with every default filled in (OTP's `get_childspec/2`), by id, or by pid for a
 * `simple_one_for_one` supervisor (the template). Rejects with `"not_found"`.
 */
export const getChildspec = (
  caller: Caller,
  sup: SupervisorRef,
  idOrPid: unknown,
): Promise<ResolvedChildSpec> => call(caller, sup, { kind: "getChildspec", id: idOrPid }, "getChildspec");

/** The supervisor's callback class (OTP's `get_callback_module/1`, used by release tooling). */
export const getCallbackModule = (caller: Caller, sup: SupervisorRef): Promise<SupervisorClass> =>
  call(caller, sup, { kind: "getCallbackModule" }, "getCallbackModule");
