import type { ClockHandle } from "../Clock.js";
import { BadArgError } from "../Errors.js";
import { TimeoutMessage } from "../Messages.js";
import type { Pid } from "../Pid.js";
import type { Ref } from "../Ref.js";
import type { Runtime } from "./Runtime.js";

interface Timer {
  readonly ref: Ref;
  readonly due: number;
  readonly to: Pid | string;
  /** The process a pid timer belongs to: its timers die with it, as in Erlang. */
  readonly owner: number | undefined;
  handle: ClockHandle;
}

/** `sendAfter` / `startTimer` / `cancelTimer` / `readTimer` on the node's clock. */
export class Timers {
  private readonly rt: Runtime;
  private readonly active = new Map<number, Timer>();

  constructor(rt: Runtime) {
    this.rt = rt;
  }

  start(delayMs: number, to: Pid | string, message: unknown, wrap: boolean): Ref {
    const rt = this.rt;
    if (!(delayMs >= 0) || !Number.isFinite(delayMs))
      throw new BadArgError(`invalid timer delay: ${delayMs}`);
    if (!wrap && message === undefined) throw new BadArgError("cannot send undefined");
    const ref = rt.makeRef();
    const owner = typeof to === "string" ? undefined : rt.lookup(to);
    const timer: Timer = {
      ref,
      due: rt.clock.now() + delayMs,
      to,
      owner: owner?.pid.id,
      handle: undefined,
    };
    if (typeof to !== "string" && owner === undefined && rt.isLocal(to)) return ref; // dead target: nothing to do
    timer.handle = rt.clock.schedule(delayMs, () => {
      this.active.delete(ref.id);
      if (owner !== undefined) owner.timers?.delete(ref.id);
      const payload = wrap ? new TimeoutMessage(ref, message) : message;
      // A timer to an unregistered name is dropped silently rather than raising in nobody's context.
      if (typeof to === "string") rt.lookupName(to)?.deliver(payload);
      else rt.sendQuietly(to, payload);
    });
    this.active.set(ref.id, timer);
    if (owner !== undefined) (owner.timers ??= new Set()).add(ref.id);
    return ref;
  }

  cancel(ref: Ref): number | false {
    const timer = this.find(ref);
    if (timer === undefined) return false;
    this.rt.clock.cancel(timer.handle);
    this.active.delete(ref.id);
    if (timer.owner !== undefined) this.rt.table.get(timer.owner)?.timers?.delete(ref.id);
    return Math.max(0, timer.due - this.rt.clock.now());
  }

  read(ref: Ref): number | false {
    const timer = this.find(ref);
    return timer === undefined ? false : Math.max(0, timer.due - this.rt.clock.now());
  }

  /** Cancels the timers of a process that exited. */
  dropAll(ids: Iterable<number>): void {
    for (const id of ids) {
      const timer = this.active.get(id);
      if (timer === undefined) continue;
      this.rt.clock.cancel(timer.handle);
      this.active.delete(id);
    }
  }

  /** Cancels every timer (the node is stopping). */
  clear(): void {
    for (const timer of this.active.values()) this.rt.clock.cancel(timer.handle);
    this.active.clear();
  }

  get size(): number {
    return this.active.size;
  }

  private find(ref: Ref): Timer | undefined {
    if (ref.node !== this.rt.name || ref.creation !== this.rt.creation) return undefined;
    const timer = this.active.get(ref.id);
    return timer?.ref.equals(ref) ? timer : undefined;
  }
}
