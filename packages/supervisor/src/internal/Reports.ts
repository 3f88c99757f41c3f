/**
 * Supervisor reports (OTP's `SUPERVISOR REPORT` and `PROGRESS REPORT`), through sys's logger.
 *
 * Error reports have kind `"supervisor_report"` and data `{ supervisor, errorContext, reason,
 * offender }`, where `errorContext` is `"start_error"`, `"child_terminated"`, `"shutdown_error"` or
 * `"shutdown"` (with reason `"reached_max_restart_intensity"`). Progress reports (a child started) are
 * logged at debug level with kind `"supervisor_progress"`, as in recent OTP.
 */
import { describe, type ExitReason, isPid, type Pid, type ProcessContext } from "@maquis/core";
import { log } from "@maquis/sys";
import { type Child, type SupState, Restarting } from "./State.js";

const nameOf = (state: SupState): string => (isPid(state.name) ? String(state.name) : describe(state.name));

export type ErrorContext = "start_error" | "child_terminated" | "shutdown_error" | "shutdown";

/** OTP's `extract_child/1`: what a report says about the child. */
const offender = (child: Child, nbChildren?: number): Record<string, unknown> => ({
  ...(nbChildren === undefined
    ? { pid: child.pid instanceof Restarting ? "restarting" : child.pid }
    : { nbChildren }),
  id: child.id,
  start: child.start,
  restart: child.restart,
  significant: child.significant,
  shutdown: child.shutdown,
  type: child.type,
});

export const reportError = (
  self: ProcessContext,
  state: SupState,
  context: ErrorContext,
  reason: ExitReason,
  child: Child,
  nbChildren?: number,
): void => {
  log(
    self.node,
    "error",
    "supervisor_report",
    self.pid,
    `supervisor ${nameOf(state)}: ${context} of child ${describe(child.id)}: ${describe(reason)}`,
    { supervisor: state.name, errorContext: context, reason, offender: offender(child, nbChildren) },
  );
};

export const reportProgress = (self: ProcessContext, state: SupState, child: Child, pid: Pid): void => {
  log(
    self.node,
    "debug",
    "supervisor_progress",
    self.pid,
    `supervisor ${nameOf(state)} started child ${describe(child.id)} as ${pid}`,
    { supervisor: state.name, started: offender({ ...child, pid }) },
  );
};
