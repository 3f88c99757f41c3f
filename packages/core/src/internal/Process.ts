/**
 * A process: its mailbox, its run loop and the ProcessContext API it hands to user code. Over 400
 * lines because the context API is one interface and every method is a thin call into the runtime.
 */
import type {
  DemonitorOptions,
  Destination,
  Matcher,
  MonitorTarget,
  ProcessBody,
  ProcessContext,
  ProcessHandler,
  SendOptions,
  SpawnOptions,
} from "../Context.js";
import { BadArgError, type CallSite, ProcessExitedError } from "../Errors.js";
import { DownMessage, ReplyMessage, type ReplyTo } from "../Messages.js";
import type { Node } from "../Node.js";
import type { Pid } from "../Pid.js";
import { reasonFromThrown, type ExitReason } from "../Reason.js";
import type { Ref } from "../Ref.js";
import type { ClockHandle } from "../Clock.js";
import { Mailbox } from "./Mailbox.js";
import type { Runtime } from "./Runtime.js";
import { BUDGET, type Runnable, schedule, wakeAsync } from "./Scheduler.js";
import type { Request } from "./Requests.js";
import type { ProcessSignals } from "./Signals.js";

// Process flags, one small integer so an idle process stays small.
export const TRAP_EXIT = 1;
export const EXITED = 2;
/** A handler's promise (init or receive) is pending: no other message may start. */
export const BUSY = 4;
/** init has run (or there was none). */
export const STARTED = 8;
/** Written as an async body or inbox: messages are taken by receive(), not pushed to a handler. */
export const PULL = 16;
/** tryReceive spent its budget: the next receive() goes through the run queue. */
export const MUST_YIELD = 32;

interface Waiter {
  readonly match: Matcher | undefined;
  readonly resolve: (message: unknown) => void;
  timer: ClockHandle | undefined;
  /** A message handed over through the run queue (budget yield); `undefined` while waiting. */
  ready: unknown;
}

/**
 * A process: its mailbox, its code and its place in the run queue. It is also the `self` context its
 * code receives, which saves one object per process. Link, monitor and exit logic lives in the runtime
 * (Signals.ts); this file is the message loop.
 */
export class Process implements Runnable, ProcessContext {
  scheduled = false;
  flags = 0;
  readonly pid: Pid;
  readonly rt: Runtime;
  readonly code: ProcessHandler | ProcessBody | null;
  mailbox: Mailbox | null = null;
  waiter: Waiter | null = null;
  /** Links and monitors, created on first use. */
  signals: ProcessSignals | null = null;
  /** Head of the intrusive list of local requests waiting on this process (see Request.watch). */
  watchers: Request | null = null;
  /** Registered name, if any. */
  name: string | undefined = undefined;
  /** Timers targeting this pid, cancelled when it exits. */
  timers: Set<number> | null = null;
  reason: ExitReason = undefined;
  /**
   * Work left in this turn, counted down by messages handled or taken and by messages sent (Erlang
   * charges reductions for both), so a process that keeps sending to itself still yields.
   */
  reductions = BUDGET;
  messagesIn = 0;
  messagesOut = 0;

  constructor(rt: Runtime, pid: Pid, code: ProcessHandler | ProcessBody | null, flags: number) {
    this.rt = rt;
    this.pid = pid;
    this.code = code;
    this.flags = flags;
  }

  get node(): Node {
    return this.rt.node;
  }

  // ---- delivery (called by the runtime on the sender's stack) ----

  deliver(message: unknown): void {
    const flags = this.flags;
    if (flags & EXITED) return;
    this.messagesIn++;
    const waiter = this.waiter;
    if (waiter !== null && waiter.ready === undefined) {
      let wanted = true;
      if (waiter.match !== undefined) {
        try {
          wanted = waiter.match(message) as boolean;
        } catch (thrown) {
          this.rt.exitProcess(this, reasonFromThrown(thrown));
          return;
        }
      }
      if (wanted) {
        if (waiter.timer !== undefined) this.rt.clock.cancel(waiter.timer);
        waiter.timer = undefined;
        this.reductions = BUDGET;
        if (wakeAsync()) {
          this.waiter = null;
          waiter.resolve(message);
        } else {
          waiter.ready = message; // the time slice is spent: hand it over through the run queue
          schedule(this);
        }
        return;
      }
    }
    let mailbox = this.mailbox;
    if (mailbox === null) mailbox = this.mailbox = new Mailbox();
    mailbox.push(message);
    if ((flags & (PULL | BUSY)) === 0) schedule(this);
  }

  // ---- the run queue slice ----

  runSlice(): void {
    // BUSY: an async init or receive is pending (a message it sent itself before its first await
    // scheduled this process); the settling promise reschedules it.
    if (this.flags & EXITED) return;
    // A message parked for a pending receive (async body, or a handler's callback awaiting receive).
    if (this.flags & PULL || (this.waiter !== null && this.waiter.ready !== undefined)) {
      this.handOver();
      return;
    }
    if (this.flags & BUSY) return;
    if ((this.flags & STARTED) === 0 && !this.start()) return;
    const mailbox = this.mailbox;
    if (mailbox === null) return;
    const handler = this.code as ProcessHandler;
    this.reductions = BUDGET;
    try {
      while (mailbox.size > 0 && this.reductions-- > 0) {
        const select = handler.select;
        const message = select === undefined ? mailbox.shift() : mailbox.take(select);
        if (message === undefined) return; // only unselected messages are queued: wait for new mail
        const result = handler.receive(message, this);
        if (result !== undefined && typeof (result as PromiseLike<void>).then === "function") {
          this.awaitHandler(result as PromiseLike<void>);
          return;
        }
        if (this.flags & EXITED) return;
      }
    } catch (thrown) {
      this.crash(thrown);
      return;
    }
    if (mailbox.size > 0) schedule(this);
  }

  /** First slice: run the body or the handler's init. Returns true if messages may be handled now. */
  private start(): boolean {
    this.flags |= STARTED;
    const code = this.code;
    if (code === null) return true;
    let result: void | PromiseLike<void>;
    try {
      if (typeof code === "function") {
        this.flags |= PULL;
        result = code(this);
      } else {
        if (code.init === undefined) return true;
        result = code.init(this);
      }
    } catch (thrown) {
      this.crash(thrown);
      return false;
    }
    if (typeof code === "function") {
      if (result !== undefined && typeof result.then === "function") {
        result.then(
          () => this.rt.exitProcess(this, "normal"),
          (thrown: unknown) => this.crash(thrown),
        );
      } else {
        this.rt.exitProcess(this, "normal");
      }
      return false;
    }
    if (result !== undefined && typeof result.then === "function") {
      this.awaitHandler(result);
      return false;
    }
    return true;
  }

  private awaitHandler(pending: PromiseLike<void>): void {
    this.flags |= BUSY;
    pending.then(
      () => {
        this.flags &= ~BUSY;
        if ((this.flags & EXITED) === 0 && this.mailbox !== null && this.mailbox.size > 0) schedule(this);
      },
      (thrown: unknown) => {
        this.flags &= ~BUSY;
        this.crash(thrown);
      },
    );
  }

  /** A pull process was scheduled to receive a message after spending its budget. */
  private handOver(): void {
    const waiter = this.waiter;
    if (waiter === null || waiter.ready === undefined) return;
    this.waiter = null;
    wakeAsync(); // already on the run queue's path: only the drain's step-aside matters here
    waiter.resolve(waiter.ready);
  }

  crash(thrown: unknown): void {
    if (this.flags & EXITED) return; // unwinding after exit() or a kill: the reason is already set
    this.rt.exitProcess(this, reasonFromThrown(thrown));
  }

  private alive(): void {
    if (this.flags & EXITED) throw new ProcessExitedError(this.reason);
  }

  // ---- ProcessContext ----

  send(to: Destination, message: unknown, options?: SendOptions): void {
    this.alive();
    this.messagesOut++;
    this.reductions--;
    this.rt.send(to, message, options);
  }

  receive<T = unknown>(match?: Matcher<T>, timeoutMs?: number): Promise<T> {
    this.alive();
    if (timeoutMs !== undefined && !(timeoutMs >= 0))
      throw new BadArgError(`invalid receive timeout: ${timeoutMs}`);
    if (this.waiter !== null) throw new Error("receive() is already pending in this process");
    const mailbox = this.mailbox;
    let message: unknown;
    if (mailbox !== null && mailbox.size > 0) {
      message = match === undefined ? mailbox.shift() : mailbox.take(match);
    }
    if (message !== undefined) {
      if ((this.flags & MUST_YIELD) === 0 && --this.reductions > 0) return Promise.resolve(message as T);
      // Budget spent: resolve through the run queue so that other processes run first.
      this.flags &= ~MUST_YIELD;
      this.reductions = BUDGET;
      return new Promise<T>((resolve) => {
        this.waiter = { match, resolve: resolve as (m: unknown) => void, timer: undefined, ready: message };
        schedule(this);
      });
    }
    this.flags &= ~MUST_YIELD;
    this.reductions = BUDGET;
    if (timeoutMs !== undefined && timeoutMs <= 0) return Promise.resolve(undefined as T);
    return new Promise<T>((resolve) => {
      const waiter: Waiter = {
        match,
        resolve: resolve as (m: unknown) => void,
        timer: undefined,
        ready: undefined,
      };
      if (timeoutMs !== undefined && timeoutMs !== Number.POSITIVE_INFINITY) {
        waiter.timer = this.rt.clock.schedule(timeoutMs, () => {
          if (this.waiter !== waiter) return;
          this.waiter = null;
          resolve(undefined as T);
        });
      }
      this.waiter = waiter;
    });
  }

  tryReceive<T = unknown>(match?: Matcher<T>): T | undefined {
    this.alive();
    const mailbox = this.mailbox;
    if (mailbox === null || mailbox.size === 0) return undefined;
    if (--this.reductions <= 0) {
      this.flags |= MUST_YIELD;
      return undefined;
    }
    return (match === undefined ? mailbox.shift() : mailbox.take(match)) as T | undefined;
  }

  spawn(code: ProcessBody | ProcessHandler, options?: SpawnOptions): Pid {
    this.alive();
    return this.rt.spawn(code, options).pid;
  }

  spawnLink(code: ProcessBody | ProcessHandler, options?: SpawnOptions): Pid {
    this.alive();
    const child = this.rt.spawn(code, options);
    this.rt.addLocalLink(this, child);
    return child.pid;
  }

  spawnMonitor(code: ProcessBody | ProcessHandler, options?: SpawnOptions): [Pid, Ref] {
    this.alive();
    const child = this.rt.spawn(code, options);
    return [child.pid, this.rt.monitor(this, child.pid)];
  }

  link(pid: Pid): void {
    this.alive();
    this.rt.link(this, pid);
    // A link to an unreachable node can end this process on the spot (noconnection): unwind now.
    this.alive();
  }

  unlink(pid: Pid): void {
    this.alive();
    this.rt.unlink(this, pid);
  }

  monitor(target: MonitorTarget): Ref {
    this.alive();
    return this.rt.monitor(this, target);
  }

  demonitor(ref: Ref, options?: DemonitorOptions): boolean {
    this.alive();
    return this.rt.demonitor(this, ref, options);
  }

  trapExit(on: boolean): boolean {
    this.alive();
    const was = (this.flags & TRAP_EXIT) !== 0;
    this.flags = on ? this.flags | TRAP_EXIT : this.flags & ~TRAP_EXIT;
    return was;
  }

  exit(...args: [ExitReason] | [Pid, ExitReason]): never {
    this.alive();
    const [reasonOrPid, reason] = args;
    if (args.length >= 2) {
      this.rt.exitSignal(this.pid, reasonOrPid as Pid, reason);
      if (this.flags & EXITED) throw new ProcessExitedError(this.reason);
      return undefined as never;
    }
    this.rt.exitProcess(this, reasonOrPid);
    throw ProcessExitedError.unwinding(reasonOrPid);
  }

  register(name: string, pid?: Pid): void {
    this.alive();
    this.rt.register(name, pid ?? this.pid);
  }

  unregister(name: string): void {
    this.alive();
    this.rt.unregister(name);
  }

  whereis(name: string): Pid | undefined {
    return this.rt.whereis(name);
  }

  sendAfter(delayMs: number, to: Pid | string, message: unknown): Ref {
    this.alive();
    return this.rt.timers.start(delayMs, to, message, false);
  }

  startTimer(delayMs: number, to: Pid | string, message: unknown): Ref {
    this.alive();
    return this.rt.timers.start(delayMs, to, message, true);
  }

  cancelTimer(ref: Ref): number | false {
    return this.rt.timers.cancel(ref);
  }

  readTimer(ref: Ref): number | false {
    return this.rt.timers.read(ref);
  }

  makeRef(): Ref {
    return this.rt.makeRef();
  }

  /** Ends an inbox (or any process, from outside) as if it exited with `reason`. */
  close(reason: ExitReason = "normal"): void {
    this.rt.exitProcess(this, reason);
  }

  request<R = unknown>(
    to: Destination,
    build: (replyTo: ReplyTo) => unknown,
    timeoutMs = Number.POSITIVE_INFINITY,
    site?: CallSite,
  ): Promise<R> {
    this.alive();
    this.reductions--;
    return this.rt.request(this, to, build, timeoutMs, site);
  }

  sendRequest(to: Destination, build: (replyTo: ReplyTo) => unknown): Ref {
    this.alive();
    this.reductions--;
    return this.rt.sendRequest(this, to, build);
  }

  abandonRequest(ref: Ref): boolean {
    const found = this.rt.abandonRequest(this, ref);
    this.mailbox?.removeAll(
      (m) => (m instanceof ReplyMessage || m instanceof DownMessage) && m.ref.equals(ref),
    );
    return found;
  }

  reply(to: ReplyTo, value: unknown): void {
    this.alive();
    this.messagesOut++;
    this.reductions--;
    this.rt.sendToAlias(to.tag, value);
  }

  discard(match: Matcher): number {
    return this.mailbox === null ? 0 : this.mailbox.removeAll(match);
  }

  monitorNode(node: string, on: boolean): void {
    this.alive();
    this.rt.monitorNode(this, node, on);
  }

  monitorNodes(on: boolean): void {
    this.alive();
    this.rt.monitorNodes(this, on);
  }
}
