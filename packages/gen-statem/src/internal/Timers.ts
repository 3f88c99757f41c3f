/**
 * A state machine's timers: the event timeout, the state timeout and generic (named) timeouts, with
 * OTP's zero-timeout queue (`t0q`).
 *
 * Timers are re-armed lazily: setting a timer whose clock timer is already due no later than the new
 * deadline only moves the deadline, and when that clock timer fires early the timer is re-armed for
 * the rest. A machine that sets a state timeout on every event (the common case) then costs no clock
 * work per event, where cancelling and starting a clock timer each time would dominate its cost.
 */
import type { ProcessContext, Ref } from "@maquis/core";
import type { QueuedEvent, TimeoutName } from "../Events.js";
import type { TimerKind } from "../Actions.js";

/** One timer. It is also the message its clock timer delivers, so a stale delivery is recognised by identity. */
export class Timer {
  readonly kind: TimerKind;
  readonly name: TimeoutName | undefined;
  message: unknown;
  /** When it fires, on the node's clock. */
  due: number;
  /** Whether it is set (false once cancelled or fired). */
  live = true;
  /** Its clock timer, while one is outstanding; undefined for a zero timeout waiting in the queue. */
  ref: Ref | undefined = undefined;
  /** When the outstanding clock timer fires (at or before `due`). */
  armedFor = 0;

  constructor(kind: TimerKind, name: TimeoutName | undefined, message: unknown, due: number) {
    this.kind = kind;
    this.name = name;
    this.message = message;
    this.due = due;
  }

  /** The event this timer delivers when it fires. */
  event(): QueuedEvent {
    return this.kind === "genericTimeout"
      ? { type: "genericTimeout", name: this.name!, content: this.message }
      : { type: this.kind, content: this.message };
  }
}

export class Timers {
  /** The event timeout's timer (possibly a cancelled one kept for its clock timer), if any. */
  private eventTimer: Timer | null = null;
  private stateTimer: Timer | null = null;
  private generic: Map<TimeoutName, Timer> | null = null;
  /** Zero timeouts waiting to be handled after the queued events and before new mail, in order. */
  private readonly zeroQueue: Timer[] = [];

  private slot(kind: TimerKind, name: TimeoutName | undefined): Timer | null {
    if (kind === "timeout") return this.eventTimer;
    if (kind === "stateTimeout") return this.stateTimer;
    return this.generic?.get(name!) ?? null;
  }

  private put(kind: TimerKind, name: TimeoutName | undefined, timer: Timer | null): void {
    if (kind === "timeout") this.eventTimer = timer;
    else if (kind === "stateTimeout") this.stateTimer = timer;
    else if (timer === null) this.generic?.delete(name!);
    else (this.generic ??= new Map()).set(name!, timer);
  }

  /**
   * Starts or restarts a timer `delay` ms from now. A relative `0` is queued as a zero timeout; an
   * absolute time already past (`zero` false) still goes through the clock, as in OTP.
   */
  start(
    kind: TimerKind,
    name: TimeoutName | undefined,
    message: unknown,
    delay: number,
    zero: boolean,
    self: ProcessContext,
  ): void {
    const due = self.node.clock.now() + delay;
    const old = this.slot(kind, name);
    if (old !== null) {
      if (old.ref === undefined) {
        if (old.live) this.unqueue(old);
      } else if (!zero && old.armedFor <= due) {
        // The clock timer fires no later than the new deadline: keep it, and re-arm when it fires.
        old.message = message;
        old.due = due;
        old.live = true;
        return;
      } else {
        self.cancelTimer(old.ref); // if it already fired, its delivery is stale: `old` is dropped below
      }
      old.live = false;
    }
    const timer = new Timer(kind, name, message, due);
    if (zero) this.zeroQueue.push(timer);
    else this.arm(timer, delay, self);
    this.put(kind, name, timer);
  }

  /** Replaces a set timer's message, keeping its deadline; with none set, queues a zero timeout (OTP's `update`). */
  update(kind: TimerKind, name: TimeoutName | undefined, message: unknown, self: ProcessContext): void {
    const timer = this.slot(kind, name);
    if (timer?.live === true) timer.message = message;
    else this.start(kind, name, message, 0, true, self);
  }

  /** Cancels a timer; its clock timer, if any, is left to fire and be dropped (it may be re-used first). */
  cancel(kind: TimerKind, name?: TimeoutName): void {
    const timer = this.slot(kind, name);
    if (timer === null || !timer.live) return;
    timer.live = false;
    if (timer.ref === undefined) {
      this.unqueue(timer);
      this.put(kind, name, null);
    }
  }

  private arm(timer: Timer, delay: number, self: ProcessContext): void {
    timer.armedFor = timer.due;
    timer.ref = self.sendAfter(delay, self.pid, timer);
  }

  private unqueue(timer: Timer): void {
    const i = this.zeroQueue.indexOf(timer);
    if (i >= 0) this.zeroQueue.splice(i, 1);
  }

  /**
   * A timer's clock timer fired: the event to handle, or undefined when the timer was cancelled,
   * replaced, or moved later (then re-armed).
   */
  fired(timer: Timer, self: ProcessContext): QueuedEvent | undefined {
    const current = this.slot(timer.kind, timer.name) === timer;
    timer.ref = undefined;
    if (!current || !timer.live) {
      if (current) this.put(timer.kind, timer.name, null);
      return undefined;
    }
    const left = timer.due - self.node.clock.now();
    if (left > 0) {
      this.arm(timer, left, self);
      return undefined;
    }
    timer.live = false;
    this.put(timer.kind, timer.name, null);
    return timer.event();
  }

  /** The next zero timeout's event, taking it off the queue, or undefined. */
  takeZero(): QueuedEvent | undefined {
    if (this.zeroQueue.length === 0) return undefined;
    // The queue holds at most one timer per kind and name: shifting it is cheap.
    const timer = this.zeroQueue.shift()!;
    timer.live = false;
    this.put(timer.kind, timer.name, null);
    return timer.event();
  }

  /** The timers that are set, as `[kind or name, message]` (OTP's "Time-outs" in get_status). */
  list(): Array<readonly [unknown, unknown]> {
    const out: Array<readonly [unknown, unknown]> = [];
    if (this.eventTimer?.live === true) out.push(["timeout", this.eventTimer.message]);
    if (this.stateTimer?.live === true) out.push(["stateTimeout", this.stateTimer.message]);
    if (this.generic !== null)
      for (const [name, t] of this.generic) if (t.live) out.push([{ genericTimeout: name }, t.message]);
    return out;
  }
}
