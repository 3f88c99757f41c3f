/**
 * `@maquis/supervisor`: OTP's supervisor for TypeScript.
 *
 * Extend {@link Supervisor} (or call {@link startSupervisor} with a plain definition), describe the
 * children with {@link ChildSpec}s ({@link worker} and {@link supervisorChild} for GenServer and
 * supervisor classes), and manage them at run time with {@link startChild}, {@link terminateChild},
 * {@link restartChild}, {@link deleteChild}, {@link whichChildren} and {@link countChildren}.
 *
 * @packageDocumentation
 */
export type {
  ChildCounts,
  ChildInfo,
  ChildSpec,
  ChildStart,
  ChildStartResult,
  ChildType,
  Modules,
  ResolvedChildSpec,
  RestartType,
  Shutdown,
  StartedChild,
} from "./ChildSpec.js";
export type {
  AutoShutdown,
  Strategy,
  SupervisorDefinition,
  SupervisorFlags,
  SupervisorInit,
} from "./Flags.js";
export {
  startSupervisor,
  startSupervisorLink,
  Supervisor,
  type SupervisorArgs,
  type SupervisorClass,
} from "./Supervisor.js";
export {
  countChildren,
  deleteChild,
  getCallbackModule,
  getChildspec,
  restartChild,
  startChild,
  type SupervisorRef,
  terminateChild,
  whichChild,
  whichChildren,
} from "./Client.js";
export { checkChildSpecs } from "./Validation.js";
export { type ChildOptions, supervisorChild, worker } from "./Specs.js";
export { SupervisorError } from "./SupervisorError.js";
