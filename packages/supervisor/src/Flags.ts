/**
 * Supervisor flags and the definition `init` returns (OTP's `{ok, {SupFlags, [ChildSpec]}}`).
 */
import type { ChildSpec } from "./ChildSpec.js";

/**
 * What happens when a child is to be restarted (OTP's `strategy()`):
 * - `"one_for_one"` (default): only that child is restarted.
 * - `"one_for_all"`: every other child is stopped (newest first), then all are started again in order.
 * - `"rest_for_one"`: the children started after it are stopped (newest first), then it and they are
 *   started again in order.
 * - `"simple_one_for_one"`: one template spec; every child is added with `startChild(caller, sup,
 *   extraArgs)` and restarted on its own. No child starts with the supervisor.
 */
export type Strategy = "one_for_one" | "one_for_all" | "rest_for_one" | "simple_one_for_one";

/**
 * When the supervisor shuts itself down because significant children exited by themselves (OTP's
 * `auto_shutdown()`): `"never"` (default; significant children are then rejected), `"any_significant"`
 * or `"all_significant"`. Not allowed with `simple_one_for_one`.
 */
export type AutoShutdown = "never" | "any_significant" | "all_significant";

/**
 * Supervisor flags (OTP's `sup_flags()` map). Defaults: `one_for_one`, intensity 1, period 5 seconds,
 * `autoShutdown: "never"`. Unknown keys are ignored.
 *
 * Restart intensity: if more than `intensity` restarts happen within `period` **seconds** (a sliding
 * window, whole seconds of the node's clock), the supervisor stops every child and exits `shutdown`.
 * `intensity` must be an integer ≥ 0 and `period` an integer > 0 (`Infinity` is rejected, as in OTP).
 */
export interface SupervisorFlags {
  readonly strategy?: Strategy;
  readonly intensity?: number;
  readonly period?: number;
  readonly autoShutdown?: AutoShutdown;
}

/**
 * A supervisor's definition: its flags and its children, started in list order (OTP's
 * `{SupFlags, [ChildSpec]}`). A `simple_one_for_one` supervisor takes exactly one spec, its template.
 */
export interface SupervisorDefinition {
  readonly flags?: SupervisorFlags;
  readonly children: readonly ChildSpec[];
}

/** What a supervisor's `init` returns: its definition, or `"ignore"` (start then fails with `ignored`). */
export type SupervisorInit = SupervisorDefinition | "ignore";
