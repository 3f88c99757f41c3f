/**
 * An installed handler as the manager keeps it (Erlang's `#handler{}` record), and how handler ids
 * given by clients are read and matched.
 */
import { type Pid, type ProcessContext, ProcessExitedError } from "@maquis/core";
import { exitReasonOf, isThenable, type SystemEvent, UndefinedCallbackError } from "@maquis/sys";
import type { HandlerId } from "../HandlerId.js";
import { Failure } from "./messages.js";

/** A handler instance seen through a loose view: the class's own signatures are for its users. */
export interface Callbacks {
  readonly constructor: { readonly name: string };
  self: ProcessContext;
  init?(args: unknown): unknown;
  handleEvent?(event: unknown, state: unknown): unknown;
  handleCall?(request: unknown, state: unknown): unknown;
  handleInfo?(message: unknown, state: unknown): unknown;
  terminate?(arg: unknown, state: unknown): unknown;
  codeChange?(oldVsn: unknown, state: unknown, extra: unknown): unknown;
  formatStatus?(status: { readonly state: unknown; readonly log: readonly SystemEvent[] }): unknown;
}

/** A handler id as a client gave it, read once: its class, its instance id, and its canonical form. */
export interface Target {
  readonly handlerClass: new () => unknown;
  /** `undefined` for a handler named by its class alone (OTP's `id = false`). */
  readonly instanceId: unknown;
  /** What `whichHandlers` and `GenEventExit` show: the class, or a frozen `{ handler, id }`. */
  readonly id: HandlerId;
}

/**
 * Reads a client's handler id: a class, or `{ handler: Class, id }` (an undefined `id` is the class
 * alone, as OTP's `{Mod, false}` is `Mod`). `undefined` if it is neither.
 */
export const targetOf = (id: unknown): Target | undefined => {
  if (typeof id === "function") {
    return { handlerClass: id as new () => unknown, instanceId: undefined, id: id as HandlerId };
  }
  if (typeof id !== "object" || id === null) return undefined;
  const { handler, id: instanceId } = id as { handler?: unknown; id?: unknown };
  if (typeof handler !== "function") return undefined;
  const handlerClass = handler as new () => unknown;
  const canonical =
    instanceId === undefined
      ? (handler as HandlerId)
      : (Object.freeze({ handler, id: instanceId }) as unknown as HandlerId);
  return { handlerClass, instanceId, id: canonical };
};

/** One installed handler: its instance, its id, its state and the process supervising it, if any. */
export class HandlerRecord {
  readonly handler: Callbacks;
  readonly handlerClass: new () => unknown;
  readonly instanceId: unknown;
  readonly id: HandlerId;
  state: unknown;
  /** The process that added it with addSupHandler/swapSupHandler (Erlang's `supervised`). */
  readonly supervisor: Pid | undefined;
  /**
   * The event and info callbacks, read once after init: every record has the same shape, so the
   * dispatch loop's property reads stay monomorphic however many handler classes are installed.
   */
  readonly handleEvent: Callbacks["handleEvent"];
  readonly handleInfo: Callbacks["handleInfo"];

  constructor(handler: Callbacks, target: Target, state: unknown, supervisor: Pid | undefined) {
    this.handler = handler;
    this.handleEvent = handler.handleEvent;
    this.handleInfo = handler.handleInfo;
    this.handlerClass = target.handlerClass;
    this.instanceId = target.instanceId;
    this.id = target.id;
    this.state = state;
    this.supervisor = supervisor;
  }

  /** The class name, for reports and undefined-callback errors. */
  get module(): string {
    return this.handler.constructor.name;
  }

  matches(target: Target): boolean {
    return this.handlerClass === target.handlerClass && this.instanceId === target.instanceId;
  }
}

/** A handler's init or constructor threw: `{ exit: reason }`; ProcessExitedError ends the manager. */
const initCrashed = (self: ProcessContext, thrown: unknown): Failure => {
  if (thrown instanceof ProcessExitedError) throw thrown;
  return new Failure({ exit: exitReasonOf(thrown) }, self.pid);
};

/**
 * Makes a handler in manager `self` and runs its init: the new record, or a Failure with what init
 * returned instead of `ok` (`{ exit }` if it threw or is missing), at once or as a promise.
 */
export const startHandler = (
  self: ProcessContext,
  target: Target,
  args: unknown,
  supervisor: Pid | undefined,
): HandlerRecord | Failure | PromiseLike<HandlerRecord | Failure> => {
  let handler: Callbacks;
  try {
    handler = new target.handlerClass() as Callbacks;
  } catch (thrown) {
    return initCrashed(self, thrown);
  }
  if (typeof handler?.init !== "function") {
    return new Failure({ exit: new UndefinedCallbackError(target.handlerClass.name, "init") }, self.pid);
  }
  handler.self = self;
  let result: unknown;
  try {
    result = handler.init(args);
  } catch (thrown) {
    if (thrown instanceof Error) return initCrashed(self, thrown);
    result = thrown; // Erlang's throw rule: a thrown value is init's return value
  }
  return afterInit(self, handler, target, supervisor, result);
};

const afterInit = (
  self: ProcessContext,
  handler: Callbacks,
  target: Target,
  supervisor: Pid | undefined,
  result: unknown,
): HandlerRecord | Failure | PromiseLike<HandlerRecord | Failure> => {
  const r = result as { readonly kind?: unknown; readonly state?: unknown } | null | undefined;
  if (r?.kind === "ok") return new HandlerRecord(handler, target, r.state, supervisor);
  if (isThenable(result)) {
    return result.then(
      (value) => afterInit(self, handler, target, supervisor, value),
      (thrown: unknown) =>
        thrown instanceof Error
          ? new Failure({ exit: exitReasonOf(thrown) }, self.pid)
          : afterInit(self, handler, target, supervisor, thrown),
    );
  }
  return new Failure(result, self.pid);
};
