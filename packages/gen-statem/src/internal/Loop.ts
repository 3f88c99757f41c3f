/**
 * The state machine engine (the loop of `gen_statem.erl`), kept apart from user code: it turns
 * messages into events, runs the state callbacks (sync or async) and state enter calls, applies their
 * actions, and performs each transition exactly as OTP's man page spells it out:
 *
 * 1. Actions run in order; replies go out at once; timeouts and inserted events are collected.
 * 2. A state enter call follows a state change, the initial state, or `repeatState`; its actions are
 *    collected the same way (it may not change state, postpone or insert events).
 * 3. A postponed event joins the postponed list; on a real state change the list is replayed, in
 *    original order, and the state timeout is cancelled. Every transition cancels the event timeout.
 * 4. Timeouts are applied (the last one of each kind wins); relative zero timeouts are queued to run
 *    after the queued events and before new mail.
 * 5. Inserted events go first, then replayed events, then what was queued.
 *
 * Over 400 lines on purpose: dispatch, the transition, terminate and the sys hooks share the engine's
 * private state, as the loop functions of gen_statem.erl do.
 */
import {
  ExitMessage,
  type ExitReason,
  isNormalExit,
  type Matcher,
  type Pid,
  type ProcessContext,
  ProcessExitedError,
  type ProcessHandler,
} from "@maquis/core";
import {
  afterCallback,
  Debug,
  describeEvent,
  exitReasonOf,
  GenCall,
  GenCast,
  handleSystemMessage,
  isThenable,
  log,
  processGone as gone,
  reportCrash,
  type Starter,
  type Step,
  type SystemEvent,
  SystemMessage,
  type SystemProcess,
  UndefinedCallbackError,
} from "@maquis/sys";
import type { Action, Actions, ReplyAction, TimeoutAction } from "../Actions.js";
import type { EnterEvent, QueuedEvent, StatemEvent } from "../Events.js";
import { sameState } from "./sameState.js";
import { Timer, Timers } from "./Timers.js";

const isReplyTo = (to: unknown): boolean =>
  typeof to === "object" && to !== null && "pid" in to && "tag" in to;

const QUEUED_TYPES = new Set([
  "call",
  "cast",
  "info",
  "timeout",
  "stateTimeout",
  "genericTimeout",
  "internal",
]);

// Keys for the event and state timers among generic timer names, which users cannot forge.
const EVENT_TIMER = Symbol("timeout");
const STATE_TIMER = Symbol("stateTimeout");

// The callbacks, through a loose view: the class's own signatures are for its users.
interface Module {
  readonly constructor: { readonly name: string };
  callbackMode?(): unknown;
  init(args: unknown): unknown;
  handleEvent?(event: StatemEvent, state: unknown, data: unknown): unknown;
  terminate?(reason: ExitReason, state: unknown, data: unknown): unknown;
  codeChange?(oldVsn: unknown, state: unknown, data: unknown, extra: unknown): unknown;
  formatStatus?(status: unknown): unknown;
}

interface Result {
  readonly kind: string;
  readonly state?: unknown;
  readonly data?: unknown;
  readonly hasData?: boolean;
  readonly actions?: Actions;
  readonly reason?: ExitReason;
  readonly replies?: readonly ReplyAction[];
}

export class StatemLoop implements ProcessHandler, SystemProcess {
  select: Matcher | undefined = undefined;
  debug: Debug | null = null;
  parent!: Pid;
  state: unknown = undefined;
  data: unknown = undefined;
  private callbacks: Module;
  /** Modules saved by `pushCallbackModule`, most recent last. */
  private readonly saved: Module[] = [];
  private handleEventMode = false;
  private stateEnter = false;
  /** False after a code change: the callback mode is read again before the next callback, as in OTP. */
  private modeKnown = false;
  private readonly starter: Starter;
  private args: unknown;
  private self!: ProcessContext;
  /** Events to handle before new mail, as a stack: the next one is last. */
  private readonly queue: QueuedEvent[] = [];
  /** Events postponed in the current state, oldest first. */
  private postponed: QueuedEvent[] = [];
  private readonly timers = new Timers();
  /** The event being handled (undefined for init and enterLoop), for postponing and reports. */
  private current: QueuedEvent | undefined = undefined;

  // The transition being built (reset for each event; never two at once, even with async callbacks).
  private nextState: unknown = undefined;
  private nextData: unknown = undefined;
  private postpone = false;
  // Reused arrays with explicit counts: truncating an array on every event costs more than the event.
  private readonly inserted: QueuedEvent[] = [];
  private insertedCount = 0;
  private readonly timeouts: TimeoutAction[] = [];
  private timeoutCount = 0;

  constructor(module: object, starter: Starter, args: unknown) {
    this.callbacks = module as Module;
    this.starter = starter;
    this.args = args;
  }

  get behaviour(): string {
    return "GenStatem";
  }

  get module(): string {
    return this.callbacks.constructor.name;
  }

  get name(): unknown {
    return this.starter.name ?? this.self.pid;
  }

  private bind(module: Module): void {
    (module as { self?: ProcessContext }).self = this.self;
  }

  // ---- start ----

  init(self: ProcessContext): Step {
    this.self = self;
    this.bind(this.callbacks);
    this.parent = this.starter.parent;
    this.debug = Debug.from(this.starter.options.debug, self.node);
    if (!this.starter.register(self)) return;
    const args = this.args;
    this.args = undefined; // the data is what lives on, not the start arguments
    let result: unknown;
    try {
      result = this.callbacks.init(args);
    } catch (thrown) {
      if (thrown instanceof Error) return this.initFailed(thrown, self);
      result = thrown; // Erlang's throw rule: a thrown value is the callback's return value
    }
    if (isThenable(result)) {
      return afterCallback(
        result,
        self,
        (value) => this.afterInit(value, self),
        (error) => this.initFailed(error, self),
      );
    }
    return this.afterInit(result, self);
  }

  private initFailed(error: Error, self: ProcessContext): Step {
    if (error instanceof ProcessExitedError) throw error;
    const reason = exitReasonOf(error);
    reportCrash(self, reason);
    this.starter.fail(self, reason, reason);
  }

  private afterInit(result: unknown, self: ProcessContext): Step {
    const r = result as Result | null | undefined;
    switch (r?.kind) {
      case "ok":
        this.starter.ack(self);
        return this.enterFirstState(r.state, r.data, r.actions, self);
      case "ignore":
        return this.starter.fail(self, "ignore", "normal");
      case "stop":
        return this.starter.fail(self, r.reason, r.reason);
      case "error":
        return this.starter.fail(self, r.reason, "normal");
      default: {
        const reason = { badReturnFromInit: result };
        reportCrash(self, reason);
        return this.starter.fail(self, reason, reason);
      }
    }
  }

  /** The initial transition: read the callback mode, run init's actions and the first enter call, drain. */
  private enterFirstState(
    state: unknown,
    data: unknown,
    actions: Actions | undefined,
    self: ProcessContext,
  ): Step {
    this.state = state;
    this.data = data;
    const failure = this.readCallbackMode();
    if (failure !== undefined) return this.crash(failure, self);
    this.current = undefined;
    this.begin();
    const step = this.afterActions(actions, true, true, self);
    return step === undefined
      ? this.drain(self)
      : step.then(() => (gone(self) ? undefined : this.drain(self)));
  }

  /**
   * Takes over the calling process in `state` with `data` (Erlang's `enter_loop`) and serves events
   * until the process ends. The caller must be an async process body or init.
   */
  async enter(
    self: ProcessContext,
    state: unknown,
    data: unknown,
    actions: Actions | undefined,
  ): Promise<never> {
    this.self = self;
    this.bind(this.callbacks);
    this.parent = this.starter.parent;
    this.debug = Debug.from(this.starter.options.debug, self.node);
    let step = this.enterFirstState(state, data, actions, self);
    for (;;) {
      if (step !== undefined) await step;
      step = this.receive(await self.receive(this.select), self);
    }
  }

  /** Reads `callbackMode()` of the current module; returns the failure reason, if any. */
  private readCallbackMode(): unknown {
    const module = this.callbacks;
    if (typeof module.callbackMode !== "function") {
      return new UndefinedCallbackError(this.module, "callbackMode");
    }
    let mode: unknown;
    try {
      mode = module.callbackMode();
    } catch (thrown) {
      if (thrown instanceof Error) return thrown;
      mode = thrown;
    }
    const parts = Array.isArray(mode) ? (mode as unknown[]) : [mode];
    let dispatch: unknown;
    let enter = false;
    for (const part of parts) {
      if (part === "stateFunctions" || part === "handleEvent") dispatch = part;
      else if (part === "stateEnter") enter = true;
      else return { badReturnFromCallbackMode: mode };
    }
    if (dispatch === undefined) return { badReturnFromCallbackMode: mode };
    this.handleEventMode = dispatch === "handleEvent";
    this.stateEnter = enter;
    this.modeKnown = true;
    return undefined;
  }

  // ---- receiving ----

  receive(message: unknown, self: ProcessContext): Step {
    let event: QueuedEvent;
    if (message instanceof GenCall) {
      event = { type: "call", from: message.from, content: message.request };
    } else if (message instanceof GenCast) {
      event = { type: "cast", content: message.request };
    } else if (message instanceof Timer) {
      const fired = this.timers.fired(message, self);
      if (fired === undefined) return; // cancelled, replaced, or moved later
      event = fired;
    } else if (message instanceof SystemMessage) {
      return handleSystemMessage(this, self, message);
    } else if (
      message instanceof ExitMessage &&
      message.from.equals(this.parent) &&
      !this.parent.equals(self.pid)
    ) {
      // Seen only while trapping exits: the parent's EXIT ends the machine, running terminate.
      return this.terminate(message.reason, self);
    } else {
      event = { type: "info", content: message };
    }
    if (this.debug !== null) this.event({ kind: "in", message: event, state: this.state });
    const step = this.handle(event, self);
    return step === undefined
      ? this.drain(self)
      : step.then(() => (gone(self) ? undefined : this.drain(self)));
  }

  /** Handles the queued events, then the zero timeouts, until both are empty (OTP's `loop_done`). */
  private drain(self: ProcessContext): Step {
    for (;;) {
      let event = this.queue.pop();
      if (event === undefined) {
        event = this.timers.takeZero();
        if (event === undefined) return;
        if (this.debug !== null) this.event({ kind: "in", message: event, state: this.state });
      }
      const step = this.handle(event, self);
      if (step !== undefined) return step.then(() => (gone(self) ? undefined : this.drain(self)));
    }
  }

  // ---- one event ----

  private begin(): void {
    this.nextState = this.state;
    this.nextData = this.data;
    this.postpone = false;
    this.insertedCount = 0;
    this.timeoutCount = 0;
  }

  /** Runs the state callback for `event` and the transition it asks for. */
  private handle(event: QueuedEvent, self: ProcessContext): Step {
    this.current = event;
    this.begin();
    return this.callState(event, true, self);
  }

  /** Calls the state callback (or enter call) in the state being entered, then applies its result. */
  private callState(event: StatemEvent, stateCall: boolean, self: ProcessContext): Step {
    if (!this.modeKnown) {
      const failure = this.readCallbackMode();
      if (failure !== undefined) return this.crash(failure, self);
    }
    const module = this.callbacks;
    let result: unknown;
    try {
      if (this.handleEventMode) {
        if (module.handleEvent === undefined) {
          return this.crash(new UndefinedCallbackError(this.module, "handleEvent"), self);
        }
        result = module.handleEvent(event, this.nextState, this.nextData);
      } else {
        const state = this.nextState;
        const fn =
          typeof state === "string" ? (module as unknown as Record<string, unknown>)[state] : undefined;
        if (typeof fn !== "function") {
          return this.crash(new UndefinedCallbackError(this.module, String(state)), self);
        }
        result = (fn as (e: StatemEvent, d: unknown) => unknown).call(module, event, this.nextData);
      }
    } catch (thrown) {
      if (thrown instanceof Error) return this.crash(thrown, self);
      result = thrown; // the throw rule
    }
    return this.afterStateCallback(result, stateCall, self);
  }

  private afterStateCallback(result: unknown, stateCall: boolean, self: ProcessContext): Step {
    const r = result as Result | null | undefined;
    switch (r?.kind) {
      case "nextState": {
        const change = !sameState(r.state, this.nextState);
        if (change && !stateCall) return this.fail({ badStateEnterReturnFromStateFunction: result }, self);
        this.nextState = r.state;
        this.nextData = r.data;
        return this.afterActions(r.actions, change, stateCall, self);
      }
      case "keepState":
        if (r.hasData === true) this.nextData = r.data;
        return this.afterActions(r.actions, false, stateCall, self);
      case "repeatState":
        if (r.hasData === true) this.nextData = r.data;
        return this.afterActions(r.actions, true, stateCall, self);
      case "stop":
        if (r.hasData === true) this.nextData = r.data;
        this.state = this.nextState;
        this.data = this.nextData;
        return this.terminate(r.reason!, self, r.replies);
      default:
        // Checked after the result kinds, so that a synchronous result never pays for a `then` lookup.
        if (isThenable(result)) {
          return afterCallback(
            result,
            self,
            (value) => this.afterStateCallback(value, stateCall, self),
            (error) => this.crash(error, self),
          );
        }
        return this.fail({ badReturnFromStateFunction: result }, self);
    }
  }

  /** Runs `actions`, then the state enter call if one is due, then the transition. */
  private afterActions(
    actions: Actions | undefined,
    callEnter: boolean,
    stateCall: boolean,
    self: ProcessContext,
  ): Step {
    if (actions !== undefined) {
      if (Array.isArray(actions)) {
        for (const action of actions as readonly Action[]) {
          const failure = this.action(action, stateCall, self);
          if (failure !== undefined) return this.fail(failure, self);
        }
      } else {
        const failure = this.action(actions as Action, stateCall, self);
        if (failure !== undefined) return this.fail(failure, self);
      }
    }
    if (callEnter && this.stateEnter) {
      const enter: EnterEvent = { type: "enter", oldState: this.state };
      return this.callState(enter, false, self);
    }
    this.transition(self);
  }

  /** Applies one action; returns the failure reason if it is not allowed here or malformed. */
  private action(action: Action, stateCall: boolean, self: ProcessContext): unknown {
    if (typeof action === "number") {
      if (!(action >= 0)) return { badActionFromStateFunction: action };
      this.timeouts[this.timeoutCount++] = {
        kind: "setTimeout",
        timer: "timeout",
        name: undefined,
        time: action,
        message: action,
        abs: false,
      };
      return undefined;
    }
    if (action === "postpone") {
      if (!stateCall) return { badStateEnterActionFromStateFunction: action };
      this.postpone = true;
      return undefined;
    }
    if (action === "hibernate") return undefined;
    switch (typeof action === "object" && action !== null ? action.kind : undefined) {
      case "reply": {
        const a = action as ReplyAction;
        if (!isReplyTo(a.to)) return { badActionFromStateFunction: action };
        self.reply(a.to, a.value);
        if (this.debug !== null) this.event({ kind: "out", reply: a.value, to: a.to.pid });
        return undefined;
      }
      case "setTimeout":
        return this.timeoutAction(action as TimeoutAction);
      case "postpone": {
        const on = (action as { postpone: unknown }).postpone;
        if (on === true && !stateCall) return { badStateEnterActionFromStateFunction: action };
        if (typeof on !== "boolean") return { badActionFromStateFunction: action };
        this.postpone = on;
        return undefined;
      }
      case "hibernate":
        return undefined;
      case "nextEvent": {
        if (!stateCall) return { badStateEnterActionFromStateFunction: action };
        const event = (action as { event: QueuedEvent }).event;
        if (typeof event !== "object" || event === null || !QUEUED_TYPES.has(event.type)) {
          return { badActionFromStateFunction: action };
        }
        if (event.type === "call" && !isReplyTo(event.from)) return { badActionFromStateFunction: action };
        this.inserted[this.insertedCount++] = event;
        if (this.debug !== null) this.event({ kind: "in", message: event, state: this.nextState });
        return undefined;
      }
      case "changeCallbackModule":
      case "pushCallbackModule":
      case "popCallbackModule":
        if (!stateCall) return { badStateEnterActionFromStateFunction: action };
        return this.switchModule(action as { kind: string; module: object | undefined });
      default:
        return { badActionFromStateFunction: action };
    }
  }

  private timeoutAction(action: TimeoutAction): unknown {
    const { timer, time } = action;
    if (timer !== "timeout" && timer !== "stateTimeout" && timer !== "genericTimeout") {
      return { badActionFromStateFunction: action };
    }
    const valid =
      time === "cancel" ||
      time === "update" ||
      (typeof time === "number" && (action.abs ? !Number.isNaN(time) : time >= 0));
    if (!valid) return { badActionFromStateFunction: action };
    this.timeouts[this.timeoutCount++] = action;
    return undefined;
  }

  private switchModule(action: { kind: string; module: object | undefined }): unknown {
    const previous = this.callbacks;
    if (action.kind === "popCallbackModule") {
      const saved = this.saved.pop();
      if (saved === undefined) return { badActionFromStateFunction: "popCallbackModule" };
      this.callbacks = saved;
    } else {
      if (typeof action.module !== "object" || action.module === null) {
        return { badActionFromStateFunction: action };
      }
      if (action.kind === "pushCallbackModule") this.saved.push(previous);
      this.callbacks = action.module as Module;
      this.bind(this.callbacks);
    }
    if (this.debug !== null) this.event({ kind: "module", module: this.module, state: this.nextState });
    return this.readCallbackMode();
  }

  /** Completes the transition the callbacks asked for (steps 3–5 of the header). */
  private transition(self: ProcessContext): void {
    const event = this.current;
    const change = !sameState(this.nextState, this.state);
    if (this.postpone && event !== undefined) this.postponed.push(event);
    if (this.debug !== null) {
      this.event({
        kind: this.postpone ? "postpone" : "consume",
        message: event,
        state: this.state,
        nextState: this.nextState,
      });
    }
    const timers = this.timers;
    timers.cancel("timeout");
    const queue = this.queue;
    if (change) {
      timers.cancel("stateTimeout");
      const replay = this.postponed;
      if (replay.length > 0) {
        this.postponed = [];
        for (let i = replay.length - 1; i >= 0; i--) queue.push(replay[i]!);
      }
    }
    this.state = this.nextState;
    this.data = this.nextData;
    if (this.timeoutCount > 0) this.applyTimeouts(self);
    const inserted = this.inserted;
    for (let i = this.insertedCount - 1; i >= 0; i--) queue.push(inserted[i]!);
  }

  /** Applies the collected timeouts; of several for one timer, only the last counts (OTP's `Seen`). */
  private applyTimeouts(self: ProcessContext): void {
    const list = this.timeouts;
    const count = this.timeoutCount;
    if (count === 1) {
      this.applyTimeout(list[0]!, self);
      return;
    }
    const winners: TimeoutAction[] = [];
    const seen = new Set<unknown>();
    for (let i = count - 1; i >= 0; i--) {
      const t = list[i]!;
      const key = t.timer === "genericTimeout" ? t.name : t.timer === "timeout" ? EVENT_TIMER : STATE_TIMER;
      if (seen.has(key)) continue;
      seen.add(key);
      winners.push(t);
    }
    for (let i = winners.length - 1; i >= 0; i--) this.applyTimeout(winners[i]!, self);
  }

  private applyTimeout(action: TimeoutAction, self: ProcessContext): void {
    const { timer, name, time } = action;
    if (time === "cancel" || time === Number.POSITIVE_INFINITY) this.timers.cancel(timer, name);
    else if (time === "update") this.timers.update(timer, name, action.message, self);
    else if (action.abs) {
      const delay = Math.max(0, time - self.node.clock.now());
      this.timers.start(timer, name, action.message, delay, false, self);
    } else this.timers.start(timer, name, action.message, time, time === 0, self);
  }

  // ---- stopping ----

  /** A callback threw: terminate with the error (or the `Exit` reason), the state as it was. */
  private crash(error: unknown, self: ProcessContext): Step {
    if (error instanceof ProcessExitedError) throw error; // the callback ended the process itself
    return this.terminate(exitReasonOf(error), self);
  }

  /** A callback returned something invalid: terminate with `reason`, in the state the callback ran in. */
  private fail(reason: unknown, self: ProcessContext): Step {
    this.state = this.nextState;
    this.data = this.nextData;
    return this.terminate(reason, self);
  }

  /**
   * Sends `replies` (stopAndReply), runs terminate (if defined) with the bare reason, reports a
   * non-normal exit, and ends the process. A crash in terminate replaces the exit reason.
   */
  terminate(reason: ExitReason, self: ProcessContext, replies?: readonly ReplyAction[]): Step {
    if (replies !== undefined) {
      for (const r of replies) {
        if (typeof r !== "object" || r === null || r.kind !== "reply" || !isReplyTo(r.to)) {
          return this.terminate({ badReplyActionFromStateFunction: r }, self);
        }
        self.reply(r.to, r.value);
        if (this.debug !== null) this.event({ kind: "out", reply: r.value, to: r.to.pid });
      }
    }
    const finish = (exitReason: ExitReason): void => {
      if (!isNormalExit(exitReason)) this.report(exitReason, self);
      else if (this.debug !== null) this.event({ kind: "terminate", reason: exitReason, state: this.state });
      self.exit(exitReason);
    };
    const terminate = this.callbacks.terminate;
    if (terminate === undefined) return finish(reason);
    let result: unknown;
    try {
      result = terminate.call(this.callbacks, reason, this.state, this.data);
    } catch (thrown) {
      if (thrown instanceof ProcessExitedError) throw thrown;
      // The throw rule: a thrown non-Error is terminate's return value, not a crash.
      return finish(thrown instanceof Error ? exitReasonOf(thrown) : reason);
    }
    if (isThenable(result)) {
      return result.then(
        () => (gone(self) ? undefined : finish(reason)),
        (thrown: unknown) =>
          gone(self) ? undefined : finish(thrown instanceof Error ? exitReasonOf(thrown) : reason),
      );
    }
    return finish(reason);
  }

  private report(reason: ExitReason, self: ProcessContext): void {
    const queue = this.current === undefined ? [] : [this.current];
    for (let i = this.queue.length - 1; i >= 0; i--) queue.push(this.queue[i]!);
    const status = this.formatted(reason, queue);
    // formatStatus may hide the reason and the events too: OTP logs the formatted ones.
    const shaped = typeof status === "object" && status !== null ? (status as Record<string, unknown>) : {};
    const shownQueue = Array.isArray(shaped.queue) ? (shaped.queue as unknown[]) : queue;
    const last = this.current;
    log(
      self.node,
      "error",
      "gen_statem_terminate",
      self.pid,
      `state machine ${String(this.name)} terminating`,
      {
        name: this.name,
        module: this.module,
        callbackMode: this.handleEventMode ? "handleEvent" : "stateFunctions",
        stateEnter: this.stateEnter,
        lastEvent: shownQueue[0],
        status,
        reason: "reason" in shaped ? shaped.reason : reason,
        client: last?.type === "call" ? last.from.pid : undefined,
      },
    );
    reportCrash(self, reason);
  }

  // ---- sys ----

  private event(event: SystemEvent): void {
    this.debug!.event(this.self.node, this.self.pid, this.name, event, (e) => describeEvent(this.name, e));
  }

  getState(): unknown {
    return { state: this.state, data: this.data };
  }

  replaceState(fn: (state: unknown) => unknown): unknown {
    const next = fn({ state: this.state, data: this.data }) as { state: unknown; data: unknown };
    if (typeof next !== "object" || next === null || !("state" in next) || !("data" in next)) {
      throw new TypeError("replaceState must return { state, data }");
    }
    this.state = next.state;
    this.data = next.data;
    return next;
  }

  statusMisc(): unknown {
    return this.formatted(undefined, undefined);
  }

  private formatted(reason: ExitReason | undefined, queue: readonly StatemEvent[] | undefined): unknown {
    const status = {
      state: this.state,
      data: this.data,
      postponed: [...this.postponed],
      timeouts: this.timers.list(),
      log: [...(this.debug?.events ?? [])],
      ...(queue === undefined ? {} : { reason, queue }),
    };
    const format = this.callbacks.formatStatus;
    if (format === undefined) return status;
    try {
      return format.call(this.callbacks, status);
    } catch {
      return `${this.module}.formatStatus crashed`;
    }
  }

  codeChange(oldVsn: unknown, extra: unknown): void {
    const change = this.callbacks.codeChange;
    if (change === undefined) throw new UndefinedCallbackError(this.module, "codeChange");
    const next = change.call(this.callbacks, oldVsn, this.state, this.data, extra) as {
      state: unknown;
      data: unknown;
    };
    if (typeof next !== "object" || next === null || !("state" in next) || !("data" in next)) {
      throw new TypeError(`${this.module}.codeChange must return { state, data }`);
    }
    this.state = next.state;
    this.data = next.data;
    this.modeKnown = false;
  }
}
