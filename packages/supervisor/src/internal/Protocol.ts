/**
 * The supervisor's calls and casts (OTP's `{start_child, _}`, `which_children`, …), and the reply
 * envelope the client turns into a value or a `SupervisorError`.
 */
import type { ResolvedChildSpec } from "../ChildSpec.js";

export type SupRequest =
  | { readonly kind: "startChild"; readonly arg: unknown }
  | { readonly kind: "restartChild"; readonly id: unknown }
  | { readonly kind: "terminateChild"; readonly id: unknown }
  | { readonly kind: "deleteChild"; readonly id: unknown }
  | { readonly kind: "getChildspec"; readonly id: unknown }
  | { readonly kind: "whichChild"; readonly id: unknown }
  | { readonly kind: "whichChildren" }
  | { readonly kind: "countChildren" }
  | { readonly kind: "getCallbackModule" };

/** A reply: the value, or OTP's `{error, Reason}` (with the child spec where OTP wraps it). */
export type Outcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: unknown; readonly child?: ResolvedChildSpec };

export const success = (value: unknown): Outcome => ({ ok: true, value });
export const failure = (reason: unknown, child?: ResolvedChildSpec): Outcome =>
  child === undefined ? { ok: false, reason } : { ok: false, reason, child };

/** The cast a supervisor sends itself to retry a failed restart (OTP's `{try_again_restart, Id}`). */
export class TryAgainRestart {
  readonly id: unknown;
  constructor(id: unknown) {
    this.id = id;
  }
}
