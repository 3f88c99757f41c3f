import { describe, type ExitReason } from "@maquis/core";
import type { ResolvedChildSpec } from "./ChildSpec.js";

/**
 * A supervisor API call failed: OTP's `{error, Reason}`. `reason` mirrors OTP's reason, with tuples
 * written as objects keyed by the tag in camelCase (`{already_started, Pid}` is
 * `{ alreadyStarted: pid }`, `{invalid_restart_type, X}` is `{ invalidRestartType: x }`):
 *
 * - `"not_found"`, `"running"`, `"restarting"`, `"already_present"`, `"simple_one_for_one"`,
 *   `{ alreadyStarted: pid }`;
 * - a spec error from `startChild` or `checkChildSpecs`: `"missing_id"`, `"missing_start"`,
 *   `{ invalidStart }`, `{ invalidRestartType }`, `{ invalidShutdown }`, `{ invalidChildType }`,
 *   `{ invalidModules }`, `{ invalidModule }`, `{ invalidSignificant }`, `{ invalidChildSpec }`,
 *   `{ duplicateChildName }`, `{ badCombination }`, `{ badarg }`;
 * - a start function's failure reason. Where OTP wraps it as `{Reason, ChildSpec}` (`startChild` on a
 *   static supervisor) `reason` is still the bare reason and `child` holds the spec; `child` is
 *   `undefined` where OTP returns the reason unwrapped (`simple_one_for_one`, `restartChild`,
 *   `alreadyStarted`).
 *
 * Gotcha: a supervisor that does not exist is not a `SupervisorError`: the call fails with core's
 * `CallError` (reason `"noproc"`), as OTP's call exits. Start failures of the supervisor itself are
 * sys's `StartError`.
 */
export class SupervisorError extends Error {
  readonly _tag = "SupervisorError";
  readonly reason: ExitReason;
  /** The spec of the child whose start failed, when OTP's reply carries it. */
  readonly child: ResolvedChildSpec | undefined;
  constructor(reason: ExitReason, child?: ResolvedChildSpec) {
    super(`supervisor: ${describe(reason)}`);
    this.name = "SupervisorError";
    this.reason = reason;
    this.child = child;
  }
}
