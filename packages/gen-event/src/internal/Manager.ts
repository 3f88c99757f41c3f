/**
 * The event manager (the engine of `gen_event.erl`): a process that traps exits, keeps a list of
 * handlers, and hands each event, call and other message to them, one message at a time. A failing
 * handler is removed and the manager carries on.
 *
 * Every step returns `undefined` when it ran synchronously, or a promise while an async callback runs;
 * core then holds further messages until it settles. The hot path (a notify whose handlers all answer
 * synchronously) allocates nothing of its own and creates no promise.
 *
 * Over 400 lines on purpose: dispatch, the handler lifecycle (add, delete, swap, remove on failure,
 * supervision) and stopping are one state machine over the handler list, as in gen_event.erl; split,
 * each part would need the others' private state. What stands apart is elsewhere: making a handler
 * (handlers.ts), the sys state hooks (status.ts) and the debug log's wording (trace.ts).
 */
import {
  describe,
  ExitMessage,
  type ExitReason,
  type Matcher,
  type Pid,
  type ProcessContext,
  ProcessExitedError,
  type ProcessHandler,
  type ReplyTo,
} from "@maquis/core";
import {
  Debug,
  exitReasonOf,
  handleSystemMessage,
  isThenable,
  log,
  processGone as gone,
  reportCrash,
  type Starter,
  type SystemEvent,
  SystemMessage,
  type SystemProcess,
  UndefinedCallbackError,
} from "@maquis/sys";
import { describeHandler, type HandlerId } from "../HandlerId.js";
import { GenEventExit, type GenEventExitReason } from "../Messages.js";
import { type HandlerRecord, startHandler, targetOf } from "./handlers.js";
import {
  changeHandlersCode,
  formatHandlerState,
  handlerStates,
  managerStatus,
  replaceHandlerStates,
} from "./status.js";
import { describeEvent, inEvent } from "./trace.js";
import {
  AddHandler,
  DeleteHandler,
  Failure,
  HandlerCall,
  Notify,
  SwapHandlers,
  SyncNotify,
  WhichHandlers,
} from "./messages.js";

type Step = void | PromiseLike<void>;

/** A terminate that threw (OTP's `{'EXIT', Reason}` from `catch Mod:terminate(…)`). */
class Crash {
  readonly reason: ExitReason;
  constructor(reason: ExitReason) {
    this.reason = reason;
  }
}

interface Result {
  readonly kind: string;
  readonly state?: unknown;
  readonly reply?: unknown;
  readonly args?: unknown;
  readonly handler?: unknown;
  readonly handlerArgs?: unknown;
}

const ignore = (): void => {};

/** A thrown value as a callback outcome: an Error (or Exit) is a crash, anything else a return value. */
const rethrowExited = (thrown: unknown): void => {
  if (thrown instanceof ProcessExitedError) throw thrown; // the callback ended the manager itself
};

/** The value a terminate result hands on (to a swapped-in init or a deleteHandler caller). */
const handedOn = (result: unknown): unknown => (result instanceof Crash ? { exit: result.reason } : result);

export class EventManager implements ProcessHandler, SystemProcess {
  select: Matcher | undefined = undefined;
  debug: Debug | null = null;
  parent!: Pid;
  private self!: ProcessContext;
  private readonly starter: Starter;
  /** Installed handlers, oldest first; dispatch walks it backwards, so the newest runs first (OTP's order). */
  private handlers: HandlerRecord[] = [];

  constructor(starter: Starter) {
    this.starter = starter;
  }

  get behaviour(): string {
    return "GenEvent";
  }

  get module(): string {
    return "GenEvent";
  }

  get name(): unknown {
    return this.starter.name ?? this.self.pid;
  }

  init(self: ProcessContext): Step {
    this.self = self;
    self.trapExit(true);
    this.parent = this.starter.parent;
    this.debug = Debug.from(this.starter.options.debug, self.node);
    if (!this.starter.register(self)) return;
    this.starter.ack(self);
  }

  // ---- the loop ----

  receive(message: unknown, self: ProcessContext): Step {
    if (message instanceof Notify) {
      if (this.debug !== null) this.event({ kind: "in", type: "event", message: message.event });
      return this.dispatch(true, message.event, this.handlers.length - 1, undefined);
    }
    if (message instanceof SystemMessage) return handleSystemMessage(this, self, message);
    if (message instanceof ExitMessage && message.from.equals(this.parent) && !this.parent.equals(self.pid)) {
      return this.terminate(message.reason, self); // only the parent's EXIT stops the manager
    }
    if (this.debug !== null) this.event(inEvent(message));
    if (message instanceof SyncNotify) {
      return this.dispatch(true, message.event, this.handlers.length - 1, message.from);
    }
    if (message instanceof HandlerCall) return this.call(message);
    if (message instanceof AddHandler) return this.add(message);
    if (message instanceof DeleteHandler) return this.delete(message);
    if (message instanceof SwapHandlers) return this.swap(message);
    if (message instanceof WhichHandlers) {
      self.reply(message.from, this.whichHandlers());
      return;
    }
    if (message instanceof ExitMessage) return this.exited(message);
    return this.dispatch(false, message, this.handlers.length - 1, undefined);
  }

  /**
   * Hands `message` to handleEvent (`event`) or handleInfo of every handler from index `from` down
   * (newest first), then answers `done` (a syncNotify). A handler removed on the way is spliced out at
   * its index, which leaves the indices still to visit unchanged.
   */
  private dispatch(event: boolean, message: unknown, from: number, done: ReplyTo | undefined): Step {
    const handlers = this.handlers;
    for (let i = from; i >= 0; i--) {
      const step = this.deliver(event, handlers[i]!, message);
      if (step !== undefined) {
        return step.then(() => (gone(this.self) ? undefined : this.dispatch(event, message, i - 1, done)));
      }
    }
    if (done !== undefined) this.self.reply(done, undefined);
  }

  /** One handler's handleEvent (`event`) or handleInfo. */
  private deliver(event: boolean, record: HandlerRecord, message: unknown): Step {
    const callback = event ? record.handleEvent : record.handleInfo;
    if (callback === undefined) {
      return event
        ? this.undefinedCallback(record, "handleEvent", message)
        : this.noHandleInfo(record, message);
    }
    let result: unknown;
    try {
      result = callback.call(record.handler, message, record.state);
    } catch (thrown) {
      rethrowExited(thrown);
      if (thrown instanceof Error) return this.fail(record, { exit: exitReasonOf(thrown) }, message);
      result = thrown; // Erlang's throw rule: a thrown value is the callback's return value
    }
    // The common case first: a synchronous `ok(state)` costs one property check and one store.
    if ((result as Result | null | undefined)?.kind === "ok") {
      record.state = (result as Result).state;
      return;
    }
    return this.afterEvent(record, result, message);
  }

  /** Applies a handleEvent/handleInfo result other than a synchronous `ok`. */
  private afterEvent(record: HandlerRecord, result: unknown, lastIn: unknown): Step {
    const r = result as Result | null | undefined;
    switch (r?.kind) {
      case "ok":
        record.state = r.state;
        return;
      case "swap":
        return this.swapInPlace(record, r, lastIn);
      case "remove":
        return this.remove(record, "remove_handler", "normal", false, lastIn);
      default:
        // Checked after the result kinds, so that a synchronous result never pays for a `then` lookup.
        if (isThenable(result)) {
          return result.then(
            (value) => (gone(this.self) ? undefined : this.afterEvent(record, value, lastIn)),
            (thrown: unknown) =>
              gone(this.self)
                ? undefined
                : thrown instanceof Error
                  ? this.fail(record, { exit: exitReasonOf(thrown) }, lastIn)
                  : this.afterEvent(record, thrown, lastIn),
          );
        }
        return this.fail(record, result, lastIn);
    }
  }

  /** No handleInfo: a warning, and the handler stays (OTP's default handle_info). */
  private noHandleInfo(record: HandlerRecord, message: unknown): Step {
    log(
      this.self.node,
      "warning",
      "unexpected_message",
      this.self.pid,
      `undefined handleInfo in ${describeHandler(record.id)}`,
      { handler: record.id, message },
    );
  }

  private undefinedCallback(record: HandlerRecord, callback: string, lastIn: unknown): Step {
    return this.fail(record, { exit: new UndefinedCallbackError(record.module, callback) }, lastIn);
  }

  // ---- calls ----

  private call(message: HandlerCall): Step {
    const record = this.find(message.handler);
    if (record === undefined) return this.replyFailure(message.from, "bad_module");
    const handleCall = record.handler.handleCall;
    if (handleCall === undefined) {
      const failure = { exit: new UndefinedCallbackError(record.module, "handleCall") };
      return this.andThen(this.fail(record, failure, message.request), () =>
        this.replyFailure(message.from, failure),
      );
    }
    let result: unknown;
    try {
      result = handleCall.call(record.handler, message.request, record.state);
    } catch (thrown) {
      rethrowExited(thrown);
      if (thrown instanceof Error) return this.afterCallCrash(record, thrown, message);
      result = thrown;
    }
    return this.afterCall(record, result, message);
  }

  private afterCall(record: HandlerRecord, result: unknown, message: HandlerCall): Step {
    const r = result as Result | null | undefined;
    switch (r?.kind) {
      case "reply":
        record.state = r.state;
        return this.self.reply(message.from, r.reply);
      case "swap":
        return this.andThen(this.swapInPlace(record, r, message.request), () =>
          this.self.reply(message.from, r.reply),
        );
      case "remove":
        return this.andThen(this.remove(record, "remove_handler", "normal", false, message.request), () =>
          this.self.reply(message.from, r.reply),
        );
      default:
        if (isThenable(result)) {
          return result.then(
            (value) => (gone(this.self) ? undefined : this.afterCall(record, value, message)),
            (thrown: unknown) =>
              gone(this.self)
                ? undefined
                : thrown instanceof Error
                  ? this.afterCallCrash(record, thrown, message)
                  : this.afterCall(record, thrown, message),
          );
        }
        return this.andThen(this.fail(record, result, message.request), () =>
          this.replyFailure(message.from, result),
        );
    }
  }

  private afterCallCrash(record: HandlerRecord, thrown: Error, message: HandlerCall): Step {
    const failure = { exit: exitReasonOf(thrown) };
    return this.andThen(this.fail(record, failure, message.request), () =>
      this.replyFailure(message.from, failure),
    );
  }

  private replyFailure(to: ReplyTo, reason: unknown): void {
    this.self.reply(to, new Failure(reason, this.self.pid));
  }

  // ---- adding, deleting and swapping handlers ----

  private add(message: AddHandler): Step {
    const target = targetOf(message.handler);
    if (target === undefined) return this.replyFailure(message.from, { exit: notAHandler(message.handler) });
    // Linked before init, as OTP does: a supervisor that is already dead shows up as an EXIT (noproc).
    if (message.supervisor !== undefined) this.self.link(message.supervisor);
    return this.andThen(startHandler(this.self, target, message.args, message.supervisor), (started) => {
      if (started instanceof Failure) return this.self.reply(message.from, started);
      this.handlers.push(started);
      this.self.reply(message.from, undefined);
    });
  }

  private delete(message: DeleteHandler): Step {
    const record = this.find(message.handler);
    if (record === undefined) return this.replyFailure(message.from, "module_not_found");
    this.unlist(record);
    return this.andThen(this.terminateHandler(record, message.args, "normal", false, "delete"), (result) =>
      this.self.reply(
        message.from,
        result instanceof Crash ? new Failure({ exit: result.reason }, this.self.pid) : result,
      ),
    );
  }

  /**
   * `GenEvent.swapHandler`: terminate the old handler (if there is one), then add the new one, newest,
   * with `[newArgs, terminateResult]` (`"error"` without an old handler). The new one is supervised by
   * the swapSupHandler caller, or else by the old one's supervisor.
   */
  private swap(message: SwapHandlers): Step {
    const newTarget = targetOf(message.newHandler);
    const old = this.find(message.oldHandler);
    let result: unknown = "error";
    let supervisor = message.supervisor;
    if (old !== undefined) {
      supervisor ??= old.supervisor;
      this.unlist(old);
      const swapped = { swapped: newTarget?.id ?? message.newHandler, supervisor };
      result = this.terminateHandler(old, message.oldArgs, swapped, false, "swapped");
    }
    return this.andThen(result, (terminated) => {
      if (newTarget === undefined) {
        return this.replyFailure(message.from, { exit: notAHandler(message.newHandler) });
      }
      if (supervisor !== undefined) this.self.link(supervisor);
      const args = [message.newArgs, handedOn(terminated)];
      return this.andThen(startHandler(this.self, newTarget, args, supervisor), (started) => {
        if (started instanceof Failure) return this.self.reply(message.from, started);
        this.handlers.push(started);
        this.self.reply(message.from, undefined);
      });
    });
  }

  /**
   * A callback's `swapHandler(…)`: the old handler terminates, and the new one takes its place in the
   * order and its supervisor. If the new one's init fails, it is reported as a failed handler.
   */
  private swapInPlace(record: HandlerRecord, swap: Result, lastIn: unknown): Step {
    record.state = swap.state;
    const target = targetOf(swap.handler);
    const supervisor = record.supervisor;
    const newId = target?.id ?? (swap.handler as HandlerId);
    const terminated = this.terminateHandler(
      record,
      swap.args,
      { swapped: newId, supervisor },
      false,
      lastIn,
    );
    return this.andThen(terminated, (result) => {
      const started =
        target === undefined
          ? new Failure({ exit: notAHandler(swap.handler) }, this.self.pid)
          : startHandler(this.self, target, [swap.handlerArgs, handedOn(result)], supervisor);
      return this.andThen(started, (handler) => {
        const index = this.handlers.indexOf(record);
        if (!(handler instanceof Failure)) {
          if (index >= 0) this.handlers[index] = handler;
          return;
        }
        this.unlist(record);
        this.report(newId, supervisor, handler.reason, true, undefined, lastIn);
      });
    });
  }

  // ---- removing handlers ----

  /** A handler failed (threw, returned `value`, or lacks a callback): it goes, the others stay. */
  private fail(record: HandlerRecord, failure: unknown, lastIn: unknown): Step {
    return this.remove(record, { error: failure }, failure, true, lastIn);
  }

  private remove(
    record: HandlerRecord,
    arg: unknown,
    reason: GenEventExitReason,
    failed: boolean,
    lastIn: unknown,
  ): Step {
    this.unlist(record);
    const result = this.terminateHandler(record, arg, reason, failed, lastIn);
    return isThenable(result) ? result.then(ignore) : undefined;
  }

  /**
   * Runs a removed handler's terminate (Erlang's `do_terminate`), then reports its leaving: an error
   * report if it `failed`, and a GenEventExit with `reason` to its supervisor. Gives terminate's result
   * (a Crash if it threw; `undefined` without a terminate), at once or as a promise.
   */
  private terminateHandler(
    record: HandlerRecord,
    arg: unknown,
    reason: GenEventExitReason,
    failed: boolean,
    lastIn: unknown,
  ): unknown {
    const terminate = record.handler.terminate;
    let result: unknown;
    if (terminate !== undefined) {
      try {
        result = terminate.call(record.handler, arg, record.state);
      } catch (thrown) {
        rethrowExited(thrown);
        result = thrown instanceof Error ? new Crash(exitReasonOf(thrown)) : thrown;
      }
      if (isThenable(result)) {
        const reported = (value: unknown): unknown => {
          if (!gone(this.self)) this.report(record.id, record.supervisor, reason, failed, record, lastIn);
          return value;
        };
        return result.then(reported, (thrown: unknown) =>
          reported(thrown instanceof Error ? new Crash(exitReasonOf(thrown)) : thrown),
        );
      }
    }
    this.report(record.id, record.supervisor, reason, failed, record, lastIn);
    return result;
  }

  /**
   * Tells the world a handler left: the logger if it failed (OTP's "** gen_event handler … crashed"),
   * and its supervisor with a GenEventExit.
   */
  private report(
    id: HandlerId,
    supervisor: Pid | undefined,
    reason: GenEventExitReason,
    failed: boolean,
    record: HandlerRecord | undefined,
    lastIn: unknown,
  ): void {
    const self = this.self;
    if (failed) {
      log(
        self.node,
        "error",
        "gen_event_handler_crashed",
        self.pid,
        `gen_event handler ${describeHandler(id)} crashed`,
        {
          handler: id,
          name: this.name,
          lastMessage: lastIn,
          state: record === undefined ? undefined : this.formatted(record),
          reason,
        },
      );
    }
    if (supervisor !== undefined) self.send(supervisor, new GenEventExit(self.pid, id, reason));
  }

  /** A supervising process (or any linked process) exited: its handlers go, then everyone hears of it. */
  private exited(message: ExitMessage): Step {
    const supervised = this.handlers.filter((h) => h.supervisor?.equals(message.from) === true);
    for (const record of supervised) this.unlist(record);
    const arg = { stop: message.reason };
    return this.andThen(this.terminateAll(supervised, supervised.length - 1, arg, message), () =>
      this.dispatch(false, message, this.handlers.length - 1, undefined),
    );
  }

  /** Terminates `records[index]` down to `records[0]` (newest first) with `arg`; reason `shutdown`. */
  private terminateAll(records: HandlerRecord[], index: number, arg: unknown, lastIn: unknown): Step {
    for (let i = index; i >= 0; i--) {
      const result = this.terminateHandler(records[i]!, arg, "shutdown", false, lastIn);
      if (isThenable(result)) {
        return result.then(() =>
          gone(this.self) ? undefined : this.terminateAll(records, i - 1, arg, lastIn),
        );
      }
    }
  }

  /**
   * Stops the manager (Erlang's `terminate_server`): every handler's `terminate("stop")`, newest first
   * (their supervisors get `"shutdown"`), then the supervisors other than the parent are unlinked, so
   * that the manager's exit does not take them along, and the manager exits with `reason`.
   */
  terminate(reason: unknown, self: ProcessContext): Step {
    const handlers = this.handlers;
    this.handlers = [];
    return this.andThen(this.terminateAll(handlers, handlers.length - 1, "stop", "stop"), () => {
      for (const record of handlers) {
        const supervisor = record.supervisor;
        if (supervisor !== undefined && !supervisor.equals(this.parent)) self.unlink(supervisor);
      }
      reportCrash(self, reason);
      self.exit(reason);
    });
  }

  // ---- helpers ----

  /** Runs `next` on `value` now, or once it settles (and only if the manager is still alive). */
  private andThen<T>(value: T | PromiseLike<T>, next: (value: T) => Step): Step {
    if (isThenable(value)) {
      return value.then((settled) => (gone(this.self) ? undefined : next(settled as T)));
    }
    return next(value as T);
  }

  /** The newest handler a client's id names (OTP searches its list from the newest). */
  private find(id: unknown): HandlerRecord | undefined {
    const target = targetOf(id);
    if (target === undefined) return undefined;
    const handlers = this.handlers;
    for (let i = handlers.length - 1; i >= 0; i--) if (handlers[i]!.matches(target)) return handlers[i];
    return undefined;
  }

  private unlist(record: HandlerRecord): void {
    const index = this.handlers.indexOf(record);
    if (index >= 0) this.handlers.splice(index, 1);
  }

  whichHandlers(): HandlerId[] {
    const ids: HandlerId[] = [];
    for (let i = this.handlers.length - 1; i >= 0; i--) ids.push(this.handlers[i]!.id);
    return ids;
  }

  // ---- sys ----

  private event(event: SystemEvent): void {
    const name = this.name;
    this.debug!.event(this.self.node, this.self.pid, name, event, (e) => describeEvent(name, e));
  }

  getState(): unknown {
    return handlerStates(this.handlers);
  }

  replaceState(fn: (state: unknown) => unknown): unknown {
    return replaceHandlerStates(this.handlers, fn);
  }

  statusMisc(): unknown {
    return managerStatus(this.handlers, this.name, this.debug);
  }

  codeChange(oldVsn: unknown, extra: unknown): void {
    changeHandlersCode(this.handlers, oldVsn, extra);
  }

  private formatted(record: HandlerRecord): unknown {
    return formatHandlerState(record, this.debug);
  }
}

const notAHandler = (value: unknown): TypeError =>
  new TypeError(`not an event handler (a class or { handler: Class, id }): ${describe(value)}`);
