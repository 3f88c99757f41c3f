/**
 * What happens when a child exits, and the restart strategies (OTP's `restart_child/3`,
 * `do_restart/3`, `restart/2,3`, `restart_multiple_children/3`, `start_children/2`,
 * `terminate_children/2`, `add_restart/1`, `do_auto_shutdown/2`).
 */
import { type ExitReason, isNormalExit, isPid, type Pid, type ProcessContext } from "@maquis/core";
import { cast } from "@maquis/gen-server";
import { runStart, type StartOutcome, shutdownChild } from "./Lifecycle.js";
import { TryAgainRestart } from "./Protocol.js";
import { reportError, reportProgress } from "./Reports.js";
import {
  append,
  type Child,
  type Children,
  delChildById,
  dynErase,
  dynStore,
  findChildByPid,
  findDynamic,
  isRunning,
  isSimple,
  Restarting,
  restarting,
  setPid,
  splitChild,
  type SupState,
} from "./State.js";

/** After an exit or a restart: carry on, or shut the supervisor down (exit `shutdown`). */
export type Verdict = "ok" | "shutdown";

/** A child record with the extra start args of a dynamic child (`[]` for static children). */
export interface Found {
  readonly child: Child;
  readonly args: readonly unknown[];
}

/** OTP's `find_child_and_args/2`: a dynamic child by pid (or marker), a static one by pid or id. */
export const findChildAndArgs = (state: SupState, idOrPid: unknown): Found | undefined => {
  if (isSimple(state)) {
    return isPid(idOrPid) || idOrPid instanceof Restarting ? findDynamic(state, idOrPid) : undefined;
  }
  const child = isPid(idOrPid) ? findChildByPid(state.children, idOrPid) : state.children.db.get(idOrPid);
  return child === undefined ? undefined : { child, args: [] };
};

/** OTP's `do_start_child/2`: starts a static child, with a progress report. */
export const doStartChild = async (
  self: ProcessContext,
  state: SupState,
  child: Child,
): Promise<StartOutcome> => {
  const outcome = await runStart(self, child.start, []);
  if (outcome.ok && outcome.pid !== undefined) reportProgress(self, state, child, outcome.pid);
  return outcome;
};

/** OTP's `do_terminate/2`: stops a running child; an unexpected exit reason is reported. */
export const doTerminate = async (self: ProcessContext, state: SupState, child: Child): Promise<void> => {
  if (!isRunning(child.pid)) return;
  const reason = await shutdownChild(self, child);
  if (reason !== undefined) reportError(self, state, "shutdown_error", reason, child);
};

/** OTP's `del_child/2` on the state: forget a dynamic child, or clear (or drop, if temporary) a static one. */
export const delChild = (state: SupState, child: Child): void => {
  if (isSimple(state)) {
    if (child.pid instanceof Restarting) state.dynamicRestarts--;
    dynErase(state, child.pid);
  } else {
    delChildById(state.children, child.id);
  }
};

/**
 * OTP's `terminate_children/2`: stops children newest first. Temporary ones are dropped; the others
 * keep their spec with no pid. The result is in start order.
 */
export const terminateChildren = async (
  self: ProcessContext,
  state: SupState,
  children: Children,
): Promise<Children> => {
  const ids: unknown[] = [];
  for (const id of children.ids) {
    const child = children.db.get(id)!;
    await doTerminate(self, state, child);
    if (child.restart === "temporary") {
      children.db.delete(id);
    } else {
      children.db.set(id, { ...child, pid: undefined });
      ids.unshift(id);
    }
  }
  return { ids, db: children.db };
};

export type Started =
  | { readonly ok: true; readonly children: Children }
  | {
      readonly ok: false;
      readonly children: Children;
      readonly failedId: unknown;
      readonly reason: ExitReason;
    };

/**
 * OTP's `start_children/2`: starts children in the given (start) order; the result is newest first.
 * On a failure it stops there: the children not started yet come first, then the failed one, then the
 * started ones (still newest first).
 */
export const startChildren = async (
  self: ProcessContext,
  state: SupState,
  children: Children,
): Promise<Started> => {
  const { ids, db } = children;
  const done: unknown[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    const child = db.get(id)!;
    const outcome = await doStartChild(self, state, child);
    if (!outcome.ok) {
      reportError(self, state, "start_error", outcome.reason, child);
      const rest = ids.slice(i + 1).reverse();
      return {
        ok: false,
        children: { ids: [...rest, id, ...done], db },
        failedId: id,
        reason: outcome.reason,
      };
    }
    if (outcome.pid === undefined && child.restart === "temporary") {
      db.delete(id);
      continue;
    }
    db.set(id, { ...child, pid: outcome.pid });
    done.unshift(id);
  }
  return { ok: true, children: { ids: done, db } };
};

/** OTP's `add_restart/1`: records a restart now; false if that makes more than `intensity` in the window. */
const addRestart = (self: ProcessContext, state: SupState): boolean => {
  const now = Math.floor(self.node.clock.now() / 1000);
  const threshold = now - state.period;
  const kept: number[] = [now];
  for (const at of state.restarts) {
    if (at < threshold) break;
    kept.push(at);
  }
  state.restarts = kept;
  return kept.length <= state.intensity;
};

/** OTP's `do_auto_shutdown/2`: whether a significant child's exit shuts the supervisor down. */
const autoShutdown = (state: SupState, child: Child): Verdict => {
  if (state.autoShutdown === "never" || !child.significant) return "ok";
  if (state.autoShutdown === "any_significant") return "shutdown";
  if (isSimple(state)) return state.dynamics!.size === 0 ? "shutdown" : "ok";
  for (const other of state.children.db.values()) {
    if (other.pid !== undefined && other.significant) return "ok";
  }
  return "shutdown";
};

/** A child exited with `reason`: the restart matrix (OTP's `restart_child/3` and `do_restart/3`). */
export const childExited = async (
  self: ProcessContext,
  state: SupState,
  pid: Pid,
  reason: ExitReason,
): Promise<Verdict> => {
  const found = findChildAndArgs(state, pid);
  if (found === undefined) return "ok"; // not (or no longer) a child
  const child = found.child;
  if (child.restart === "permanent") {
    reportError(self, state, "child_terminated", reason, child);
    return restart(self, state, found);
  }
  if (isNormalExit(reason)) {
    delChild(state, child);
    return autoShutdown(state, child);
  }
  reportError(self, state, "child_terminated", reason, child);
  if (child.restart === "transient") return restart(self, state, found);
  delChild(state, child);
  return autoShutdown(state, child);
};

/** A failed restart is retried later, after the messages already queued (OTP's `try_again_restart/1`). */
const tryAgain = (self: ProcessContext, id: unknown): void => {
  cast(self, self.pid, new TryAgainRestart(id));
};

/** OTP's `restart/2`: counts the restart against the intensity, then restarts by the strategy. */
export const restart = async (self: ProcessContext, state: SupState, found: Found): Promise<Verdict> => {
  if (!addRestart(self, state)) {
    reportError(self, state, "shutdown", "reached_max_restart_intensity", found.child);
    delChild(state, found.child);
    return "shutdown";
  }
  const retry = await restartByStrategy(self, state, found);
  if (retry !== undefined) tryAgain(self, retry.id);
  return "ok";
};

type Retry = { readonly id: unknown } | undefined;

const restartByStrategy = async (self: ProcessContext, state: SupState, found: Found): Promise<Retry> => {
  const { child, args } = found;
  switch (state.strategy) {
    case "simple_one_for_one": {
      if (child.pid instanceof Restarting) state.dynamicRestarts--;
      dynErase(state, child.pid);
      const outcome = await runStart(self, child.start, args);
      if (outcome.ok) {
        if (outcome.pid !== undefined) dynStore(state, outcome.pid, args);
        return undefined;
      }
      const marker = restarting(child.pid) as Restarting;
      state.dynamicRestarts++;
      dynStore(state, marker, args);
      reportError(self, state, "start_error", outcome.reason, child);
      return { id: marker };
    }
    case "one_for_one": {
      const outcome = await doStartChild(self, state, child);
      if (outcome.ok) {
        setPid(state.children, child.id, outcome.pid);
        return undefined;
      }
      setPid(state.children, child.id, restarting(child.pid));
      reportError(self, state, "start_error", outcome.reason, child);
      return { id: child.id };
    }
    case "rest_for_one": {
      const { after, before } = splitChild(state.children, child.id);
      const result = await restartMultiple(self, state, child, after);
      state.children = append(result.children, before);
      return result.retry;
    }
    case "one_for_all": {
      delChildById(state.children, child.id);
      const result = await restartMultiple(self, state, child, state.children);
      state.children = result.children;
      return result.retry;
    }
  }
};

/** OTP's `restart_multiple_children/3`: stop the group newest first, start it again in order. */
const restartMultiple = async (
  self: ProcessContext,
  state: SupState,
  child: Child,
  children: Children,
): Promise<{ children: Children; retry: Retry }> => {
  const stopped = await terminateChildren(self, state, children);
  const started = await startChildren(self, state, stopped);
  if (started.ok) return { children: started.children, retry: undefined };
  const marker = started.failedId === child.id ? restarting(child.pid) : new Restarting(undefined);
  setPid(started.children, started.failedId, marker);
  return { children: started.children, retry: { id: started.failedId } };
};
