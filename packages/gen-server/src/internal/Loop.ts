/**
 * The generic server loop (the engine of `gen_server.erl`), kept apart from user code: it receives
 * calls, casts, infos and system messages one at a time, runs the callbacks (sync or async), applies
 * their results, and runs terminate when the server stops.
 *
 * Each handler below returns `undefined` when the message was handled synchronously, or a promise
 * while an async callback runs; core then holds further messages until it settles.
 *
 * Over 400 lines on purpose: dispatch, result handling, timeouts, terminate and the sys hooks are one
 * state machine (as in gen_server.erl's loop); split, each part would need the others' private state.
 */
import {
  ExitMessage,
  type ExitReason,
  isNormalExit,
  type Matcher,
  type Pid,
  ProcessExitedError,
  type ProcessContext,
  type ProcessHandler,
  type Ref,
  type ReplyTo,
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
import type { GenServer } from "../GenServer.js";
import type { Next } from "../Results.js";

/** The message a gen-server timeout delivers to itself; stale ones (cancelled timeouts) are dropped. */
class TimeoutTick {
  readonly message: unknown;
  /** A plain numeric timeout (not `{ timeout, message }`): a system message restarts it, as in OTP. */
  readonly restartMs: number;
  constructor(message: unknown, restartMs: number) {
    this.message = message;
    this.restartMs = restartMs;
  }
}

// The callbacks are invoked through this loose view: the class's own signatures are for its users.
interface Callbacks {
  readonly constructor: { readonly name: string };
  init(args: unknown): unknown;
  handleCall?(request: unknown, from: ReplyTo, state: unknown): unknown;
  handleCast?(request: unknown, state: unknown): unknown;
  handleInfo?(message: unknown, state: unknown): unknown;
  handleContinue?(value: unknown, state: unknown): unknown;
  terminate?(reason: ExitReason, state: unknown): unknown;
  codeChange?(oldVsn: unknown, state: unknown, extra: unknown): unknown;
  formatStatus?(status: { state: unknown; log: SystemEvent[] }): unknown;
}

interface Result {
  readonly kind: string;
  readonly state?: unknown;
  readonly reply?: unknown;
  readonly next?: Next;
  readonly reason?: ExitReason;
  readonly hasReply?: boolean;
}

export class GenServerLoop implements ProcessHandler, SystemProcess {
  select: Matcher | undefined = undefined;
  debug: Debug | null = null;
  parent!: Pid;
  state: unknown = undefined;
  private readonly server: Callbacks;
  private readonly starter: Starter;
  private args: unknown;
  private self!: ProcessContext;
  private tick: TimeoutTick | null = null;
  private tickTimer: Ref | undefined = undefined;
  /** The message being handled, for the error report if the server crashes. */
  private current: unknown = undefined;

  constructor(server: GenServer, starter: Starter, args: unknown) {
    this.server = server as unknown as Callbacks;
    this.starter = starter;
    this.args = args;
  }

  get behaviour(): string {
    return "GenServer";
  }

  get module(): string {
    return this.server.constructor.name;
  }

  /** Gives the user's server its process context. */
  private bind(self: ProcessContext): void {
    this.self = self;
    (this.server as unknown as GenServer).self = self;
  }

  get name(): unknown {
    return this.starter.name ?? this.self.pid;
  }

  // ---- start ----

  init(self: ProcessContext): Step {
    this.bind(self);
    this.parent = this.starter.parent;
    this.debug = Debug.from(this.starter.options.debug, self.node);
    if (!this.starter.register(self)) return;
    let result: unknown;
    const args = this.args;
    this.args = undefined; // the state is what lives on, not the start arguments
    try {
      result = this.server.init(args);
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

  /**
   * Takes over the calling process with `state` instead of running init (Erlang's `enter_loop`), and
   * serves messages until the process ends. The caller must be an async process body or init.
   */
  async enter(self: ProcessContext, state: unknown, next: Next | undefined): Promise<never> {
    this.bind(self);
    this.parent = this.starter.parent;
    this.debug = Debug.from(this.starter.options.debug, self.node);
    this.state = state;
    let step = this.next(next, self);
    for (;;) {
      if (step !== undefined) await step;
      step = this.receive(await self.receive(this.select), self);
    }
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
        this.state = r.state;
        this.starter.ack(self);
        return this.next(r.next, self);
      case "ignore":
        return this.starter.fail(self, "ignore", "normal");
      case "stop":
        return this.starter.fail(self, r.reason, r.reason);
      case "error":
        return this.starter.fail(self, r.reason, "normal");
      default: {
        const reason = { badReturnValue: result };
        return this.starter.fail(self, reason, reason);
      }
    }
  }

  // ---- the loop ----

  receive(message: unknown, self: ProcessContext): Step {
    if (message instanceof GenCall) {
      if (this.tick !== null) this.cancelTimeout(self);
      this.current = message;
      if (this.debug !== null) this.event({ kind: "in", message: message.request, from: message.from.pid });
      return this.call(message, self);
    }
    if (message instanceof GenCast) {
      if (this.tick !== null) this.cancelTimeout(self);
      this.current = message;
      if (this.debug !== null) this.event({ kind: "in", message: message.request });
      return this.noreplyCallback("handleCast", message.request, self);
    }
    if (message instanceof SystemMessage) {
      const step = handleSystemMessage(this, self, message);
      // OTP re-enters `receive … after Timeout` after a system message: a plain timeout starts over.
      const tick = this.tick;
      if (tick !== null && tick.restartMs > 0 && step === undefined) {
        this.cancelTimeout(self);
        this.armTimeout(tick.restartMs, tick.message, self, true);
      }
      return step;
    }
    let info = message;
    if (message instanceof TimeoutTick) {
      if (message !== this.tick) return; // a timeout cancelled after it was queued
      this.tick = null;
      this.tickTimer = undefined;
      info = message.message;
    } else {
      if (this.tick !== null) this.cancelTimeout(self);
      // Seen only while trapping exits: the parent's EXIT ends the server, running terminate.
      if (
        message instanceof ExitMessage &&
        message.from.equals(this.parent) &&
        !this.parent.equals(self.pid)
      ) {
        return this.terminate(message.reason, self);
      }
    }
    return this.info(info, self);
  }

  /** Hands `info` to handleInfo (or logs and drops it when the server has none). */
  private info(info: unknown, self: ProcessContext): Step {
    this.current = info;
    if (this.debug !== null) this.event({ kind: "in", message: info });
    if (this.server.handleInfo === undefined) {
      log(self.node, "warning", "unexpected_message", self.pid, `${this.module} got an unexpected message`, {
        message: info,
      });
      return;
    }
    return this.noreplyCallback("handleInfo", info, self);
  }

  private call(message: GenCall, self: ProcessContext): Step {
    const server = this.server;
    if (server.handleCall === undefined) {
      return this.crash(new UndefinedCallbackError(this.module, "handleCall"), self);
    }
    let result: unknown;
    try {
      result = server.handleCall(message.request, message.from, this.state);
    } catch (thrown) {
      if (thrown instanceof Error) return this.crash(thrown, self);
      result = thrown;
    }
    return this.afterCall(result, message, self);
  }

  private afterCall(result: unknown, message: GenCall, self: ProcessContext): Step {
    const r = result as Result | null | undefined;
    switch (r?.kind) {
      case "reply":
        try {
          self.reply(message.from, r.reply);
        } catch (error) {
          // An unsendable reply (core refuses `undefined`) crashes the server like any callback
          // error: terminate runs and the crash is reported, instead of the process dying silently.
          return this.crash(error as Error, self);
        }
        this.state = r.state;
        if (this.debug !== null)
          this.event({ kind: "out", reply: r.reply, to: message.from.pid, state: r.state });
        return r.next === undefined ? undefined : this.next(r.next, self);
      case "noreply":
        this.state = r.state;
        if (this.debug !== null) this.event({ kind: "noreply", state: r.state });
        return r.next === undefined ? undefined : this.next(r.next, self);
      case "stop":
        this.state = r.state;
        return this.terminate(r.reason!, self, r.hasReply === true ? [message.from, r.reply] : undefined);
      default:
        // Checked after the result kinds, so that a synchronous result never pays for a `then` lookup.
        if (isThenable(result)) {
          return afterCallback(
            result,
            self,
            (value) => this.afterCall(value, message, self),
            (error) => this.crash(error, self),
          );
        }
        return this.terminate({ badReturnValue: result }, self);
    }
  }

  /** handleCast, handleInfo or handleContinue: the callbacks that answer noreply or stop. */
  private noreplyCallback(
    callback: "handleCast" | "handleInfo" | "handleContinue",
    value: unknown,
    self: ProcessContext,
  ): Step {
    const fn = this.server[callback];
    if (fn === undefined) return this.crash(new UndefinedCallbackError(this.module, callback), self);
    let result: unknown;
    try {
      result = fn.call(this.server, value, this.state);
    } catch (thrown) {
      if (thrown instanceof Error) return this.crash(thrown, self);
      result = thrown;
    }
    return this.afterNoreply(result, self);
  }

  private afterNoreply(result: unknown, self: ProcessContext): Step {
    const r = result as Result | null | undefined;
    switch (r?.kind) {
      case "noreply":
        this.state = r.state;
        if (this.debug !== null) this.event({ kind: "noreply", state: r.state });
        return r.next === undefined ? undefined : this.next(r.next, self);
      case "stop":
        this.state = r.state;
        return this.terminate(r.reason!, self);
      default:
        // Checked after the result kinds, so that a synchronous result never pays for a `then` lookup.
        if (isThenable(result)) {
          return afterCallback(
            result,
            self,
            (value) => this.afterNoreply(value, self),
            (error) => this.crash(error, self),
          );
        }
        return this.terminate({ badReturnValue: result }, self);
    }
  }

  /** Applies a callback's `Next`: a timeout, hibernate (a no-op), or a continue that runs right now. */
  private next(next: Next | undefined, self: ProcessContext): Step {
    if (next === undefined || next === "hibernate") return;
    if (typeof next === "number") return this.armTimeout(next, "timeout", self, true);
    if (typeof next === "object" && next !== null) {
      if ("continue" in next) {
        this.current = next;
        if (this.debug !== null) this.event({ kind: "continue", value: next.continue });
        return this.noreplyCallback("handleContinue", next.continue, self);
      }
      if ("timeout" in next) {
        // OTP's `{timeout, 0, Msg}`: Msg is handled at once, ahead of anything already queued (unlike a
        // plain 0, which only fires on an empty mailbox).
        if (next.timeout === 0) return this.info(next.message, self);
        return this.armTimeout(next.timeout, next.message, self, false);
      }
    }
    return this.terminate({ badReturnValue: next }, self);
  }

  private armTimeout(ms: number, message: unknown, self: ProcessContext, plain: boolean): Step {
    if (ms === Number.POSITIVE_INFINITY) return;
    if (!(ms >= 0)) return this.terminate({ badReturnValue: ms }, self);
    const tick = new TimeoutTick(message, plain ? ms : 0);
    this.tick = tick;
    // A zero timeout goes behind whatever is queued, so it fires only if nothing else came first.
    if (ms === 0) self.send(self.pid, tick);
    else this.tickTimer = self.sendAfter(ms, self.pid, tick);
  }

  private cancelTimeout(self: ProcessContext): void {
    if (this.tickTimer !== undefined) self.cancelTimer(this.tickTimer);
    this.tick = null;
    this.tickTimer = undefined;
  }

  // ---- stopping ----

  private crash(error: Error, self: ProcessContext): Step {
    if (error instanceof ProcessExitedError) throw error; // the callback ended the process itself
    return this.terminate(exitReasonOf(error), self);
  }

  /**
   * Runs terminate (if defined), then sends a pending stop reply, reports a non-normal exit, and ends
   * the process. A crash in terminate replaces the exit reason.
   */
  terminate(reason: ExitReason, self: ProcessContext, pendingReply?: [ReplyTo, unknown]): Step {
    const finish = (exitReason: ExitReason): void => {
      if (pendingReply !== undefined) {
        try {
          self.reply(pendingReply[0], pendingReply[1]);
        } catch (error) {
          exitReason = error; // an unsendable reply: reported as the exit reason
        }
      }
      if (!isNormalExit(exitReason)) this.report(exitReason, self);
      self.exit(exitReason);
    };
    const terminate = this.server.terminate;
    if (terminate === undefined) return finish(reason);
    let result: unknown;
    try {
      result = terminate.call(this.server, reason, this.state);
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
    const last = this.current;
    log(
      self.node,
      "error",
      "gen_server_terminate",
      self.pid,
      `generic server ${String(this.name)} terminating`,
      {
        name: this.name,
        module: this.module,
        lastMessage: last instanceof GenCall || last instanceof GenCast ? last.request : last,
        state: this.formatted("terminate", reason),
        reason,
        client: last instanceof GenCall ? last.from.pid : undefined,
      },
    );
    reportCrash(self, reason);
  }

  // ---- sys ----

  private event(event: SystemEvent): void {
    this.debug!.event(this.self.node, this.self.pid, this.name, event, (e) => describeEvent(this.name, e));
  }

  getState(): unknown {
    return this.state;
  }

  replaceState(fn: (state: unknown) => unknown): unknown {
    this.state = fn(this.state);
    return this.state;
  }

  statusMisc(): unknown {
    return this.formatted("normal", undefined);
  }

  private formatted(_why: "normal" | "terminate", _reason: ExitReason): unknown {
    const format = this.server.formatStatus;
    const status = { state: this.state, log: [...(this.debug?.events ?? [])] };
    if (format === undefined) return status;
    try {
      return format.call(this.server, status);
    } catch {
      return `${this.module}.formatStatus crashed`;
    }
  }

  codeChange(oldVsn: unknown, extra: unknown): void {
    const change = this.server.codeChange;
    if (change === undefined) throw new UndefinedCallbackError(this.module, "codeChange");
    this.state = change.call(this.server, oldVsn, this.state, extra);
  }
}
