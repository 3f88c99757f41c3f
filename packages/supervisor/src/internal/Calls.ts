/**
 * The supervisor's calls (OTP's `handle_call/3` clauses): start, restart, terminate and delete
 * children, and the queries. Each returns an {@link Outcome}.
 */
import { isPid, type ProcessContext } from "@maquis/core";
import type { ChildInfo, ChildCounts, StartedChild } from "../ChildSpec.js";
import { runStart, type StartOutcome } from "./Lifecycle.js";
import { failure, type Outcome, type SupRequest, success } from "./Protocol.js";
import { delChild, doStartChild, doTerminate } from "./Restart.js";
import {
  type Child,
  childToSpec,
  dynamicList,
  dynamicTemplate,
  dynStore,
  findDynamic,
  isRunning,
  isSimple,
  removeChild,
  Restarting,
  saveChild,
  setPid,
  type SupState,
} from "./State.js";
import { checkChildSpec, Invalid } from "./validate.js";

const started = (outcome: StartOutcome & { ok: true }): StartedChild =>
  outcome.hasInfo ? { pid: outcome.pid, info: outcome.info } : { pid: outcome.pid };

const isAlreadyStarted = (reason: unknown): boolean =>
  typeof reason === "object" && reason !== null && "alreadyStarted" in reason;

/** OTP's `find_child/2`: a static child by id; a dynamic one by pid (a dead non-child pid finds the template). */
const findChild = (self: ProcessContext, state: SupState, id: unknown): Child | undefined => {
  if (isPid(id) && isSimple(state)) {
    const found = findDynamic(state, id) ?? findDynamic(state, new Restarting(id));
    if (found !== undefined) return found.child;
    return self.node.isAlive(id) ? undefined : dynamicTemplate(state);
  }
  return state.children.db.get(id);
};

const infoOf = (id: unknown, pid: Child["pid"], child: Child): ChildInfo => ({
  id,
  pid: pid instanceof Restarting ? "restarting" : pid,
  type: child.type,
  modules: child.modules,
});

const startDynamic = async (self: ProcessContext, state: SupState, extra: unknown): Promise<Outcome> => {
  if (!Array.isArray(extra)) return failure({ badarg: extra });
  const outcome = await runStart(self, dynamicTemplate(state).start, extra);
  if (!outcome.ok) return failure(outcome.reason);
  if (outcome.pid !== undefined) dynStore(state, outcome.pid, extra);
  return success(started(outcome));
};

const startStatic = async (self: ProcessContext, state: SupState, spec: unknown): Promise<Outcome> => {
  const child = checkChildSpec(spec, state.autoShutdown);
  if (child instanceof Invalid) return failure(child.reason);
  const existing = state.children.db.get(child.id);
  if (existing !== undefined) {
    return isRunning(existing.pid) ? failure({ alreadyStarted: existing.pid }) : failure("already_present");
  }
  const outcome = await doStartChild(self, state, child);
  if (!outcome.ok) {
    return isAlreadyStarted(outcome.reason)
      ? failure(outcome.reason)
      : failure(outcome.reason, childToSpec(child));
  }
  if (outcome.pid !== undefined || child.restart !== "temporary") {
    saveChild(state.children, { ...child, pid: outcome.pid });
  }
  return success(started(outcome));
};

const terminateChild = async (self: ProcessContext, state: SupState, id: unknown): Promise<Outcome> => {
  if (isSimple(state) && !isPid(id)) return failure("simple_one_for_one");
  const child = findChild(self, state, id);
  if (child === undefined) return failure("not_found");
  await doTerminate(self, state, child);
  delChild(state, child);
  return success(undefined);
};

const restartChild = async (self: ProcessContext, state: SupState, id: unknown): Promise<Outcome> => {
  if (isSimple(state)) return failure("simple_one_for_one");
  const child = state.children.db.get(id);
  if (child === undefined) return failure("not_found");
  if (child.pid instanceof Restarting) return failure("restarting");
  if (child.pid !== undefined) return failure("running");
  const outcome = await doStartChild(self, state, child);
  if (!outcome.ok) return failure(outcome.reason);
  setPid(state.children, id, outcome.pid);
  return success(started(outcome));
};

const deleteChild = (state: SupState, id: unknown): Outcome => {
  if (isSimple(state)) return failure("simple_one_for_one");
  const child = state.children.db.get(id);
  if (child === undefined) return failure("not_found");
  if (child.pid instanceof Restarting) return failure("restarting");
  if (child.pid !== undefined) return failure("running");
  removeChild(state.children, id);
  return success(undefined);
};

const whichChildren = (state: SupState): ChildInfo[] => {
  if (isSimple(state)) {
    const template = dynamicTemplate(state);
    return dynamicList(state).map((d) => infoOf(undefined, d.pid, template));
  }
  return state.children.ids.map((id) => {
    const child = state.children.db.get(id)!;
    return infoOf(id, child.pid, child);
  });
};

const whichChild = (state: SupState, id: unknown): Outcome => {
  if (isSimple(state)) {
    if (!isPid(id)) return failure("simple_one_for_one");
    const found = findDynamic(state, id) ?? findDynamic(state, new Restarting(id));
    return found === undefined
      ? failure("not_found")
      : success(infoOf(undefined, found.child.pid, found.child));
  }
  const child = state.children.db.get(id);
  return child === undefined ? failure("not_found") : success(infoOf(id, child.pid, child));
};

const countChildren = (self: ProcessContext, state: SupState): ChildCounts => {
  if (isSimple(state)) {
    const size = state.dynamics!.size;
    const supervisors = dynamicTemplate(state).type === "supervisor";
    return {
      specs: 1,
      active: size - state.dynamicRestarts,
      supervisors: supervisors ? size : 0,
      workers: supervisors ? 0 : size,
    };
  }
  let specs = 0;
  let active = 0;
  let supervisors = 0;
  let workers = 0;
  for (const child of state.children.db.values()) {
    specs++;
    if (isRunning(child.pid) && self.node.isAlive(child.pid)) active++;
    if (child.type === "supervisor") supervisors++;
    else workers++;
  }
  return { specs, active, supervisors, workers };
};

/** Serves one call; a promise while a child is being started or stopped. */
export const handleCall = (
  self: ProcessContext,
  state: SupState,
  request: SupRequest,
): Outcome | Promise<Outcome> => {
  switch (request.kind) {
    case "startChild":
      return isSimple(state) ? startDynamic(self, state, request.arg) : startStatic(self, state, request.arg);
    case "restartChild":
      return restartChild(self, state, request.id);
    case "terminateChild":
      return terminateChild(self, state, request.id);
    case "deleteChild":
      return deleteChild(state, request.id);
    case "getChildspec": {
      const child = findChild(self, state, request.id);
      return child === undefined ? failure("not_found") : success(childToSpec(child));
    }
    case "whichChild":
      return whichChild(state, request.id);
    case "whichChildren":
      return success(whichChildren(state));
    case "countChildren":
      return success(countChildren(self, state));
    case "getCallbackModule":
      return success(state.module.constructor);
    default:
      return failure({ unknownRequest: request });
  }
};
