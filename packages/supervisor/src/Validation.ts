import type { ChildSpec } from "./ChildSpec.js";
import type { AutoShutdown } from "./Flags.js";
import { checkStartSpec, Invalid } from "./internal/validate.js";
import { SupervisorError } from "./SupervisorError.js";

/**
 * Checks child specs without starting anything (OTP's `check_childspecs/1,2`): returns if every spec
 * is valid and the ids are unique, throws {@link SupervisorError} with the first problem otherwise
 * (`"missing_id"`, `{ invalidRestartType: x }`, `{ duplicateChildName: id }`, …; `{ badarg: x }` if
 * `specs` is not an array or `autoShutdown` is not a valid value).
 *
 * With `autoShutdown` it also checks that significant children are allowed under it (`{ badCombination:
 * … }`); without it, only that significant children are not permanent.
 */
export const checkChildSpecs = (specs: readonly ChildSpec[], autoShutdown?: AutoShutdown): void => {
  if (!Array.isArray(specs)) throw new SupervisorError({ badarg: specs });
  if (autoShutdown !== undefined && !["never", "any_significant", "all_significant"].includes(autoShutdown)) {
    throw new SupervisorError({ badarg: autoShutdown });
  }
  const result = checkStartSpec(specs, autoShutdown);
  if (result instanceof Invalid) throw new SupervisorError(result.reason);
};
