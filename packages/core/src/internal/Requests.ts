/**
 * Requests: the machinery under every call (Erlang's `gen:call`, built on a monitor that is also an
 * alias). A request's ref is both the monitor on the server and the alias its reply is sent to; when
 * the request ends (reply, DOWN, timeout, abandon) the alias is dropped, so a late reply goes nowhere.
 */
import type { ClockHandle } from "../Clock.js";
import { CallError, type CallSite } from "../Errors.js";
import { DownMessage, type RemoteName, ReplyMessage } from "../Messages.js";
import type { ExitReason } from "../Reason.js";
import type { Ref } from "../Ref.js";
import type { Pid } from "../Pid.js";
import { EXITED, type Process } from "./Process.js";
import type { Runtime } from "./Runtime.js";

/**
 * One outstanding request. In promise mode the reply settles `resolve`; in mailbox mode
 * (`sendRequest`) the reply and the DOWN land in the owner's mailbox.
 */
export class Request {
  readonly ref: Ref;
  readonly owner: Process;
  resolve: ((value: unknown) => void) | null = null;
  reject: ((error: CallError) => void) | null = null;
  site: CallSite | undefined = undefined;
  done = false;
  // Deadline list links (see Deadlines).
  deadline = 0;
  prev: Request | null = null;
  next: Request | null = null;
  bucket: DeadlineBucket | null = null;
  /**
   * A local server is watched through an intrusive list on the server (no monitor-table entries, no
   * string keys: a call costs no hashing); a remote one through an ordinary monitor.
   */
  watched: Process | null = null;
  watchPrev: Request | null = null;
  watchNext: Request | null = null;

  constructor(owner: Process, ref: Ref) {
    this.owner = owner;
    this.ref = ref;
  }

  /** A message sent to the alias. */
  reply(value: unknown): void {
    if (this.done) return;
    this.finish(this.owner.rt);
    this.unmonitor();
    if (this.owner.flags & EXITED) return; // the caller is gone: nobody to resume
    if (this.resolve !== null) this.resolve(value);
    else this.owner.deliver(new ReplyMessage(this.ref, value));
  }

  /** The monitor fired: the server is gone (or never was). */
  down(item: Pid | RemoteName, reason: ExitReason): void {
    if (this.done) return;
    this.finish(this.owner.rt);
    if (this.owner.flags & EXITED) return;
    if (this.reject !== null) this.reject(new CallError(reason, this.site));
    else this.owner.deliver(new DownMessage(this.ref, item, reason));
  }

  /** The deadline passed. */
  expire(): void {
    if (this.done) return;
    this.finish(this.owner.rt);
    this.unmonitor();
    if ((this.owner.flags & EXITED) === 0) this.reject?.(new CallError("timeout", this.site));
  }

  /** Stops waiting: no reply or DOWN for this request will be delivered from now on. */
  abandon(): boolean {
    if (this.done) return false;
    this.finish(this.owner.rt);
    this.unmonitor();
    return true;
  }

  /** Watches a local server: its exit calls {@link down}. */
  watch(server: Process): void {
    const head = server.watchers;
    this.watched = server;
    this.watchNext = head;
    if (head !== null) head.watchPrev = this;
    server.watchers = this;
  }

  private unmonitor(): void {
    const server = this.watched;
    if (server === null) {
      this.owner.rt.router.dropMonitor(this.owner, this.ref);
      return;
    }
    const { watchPrev: prev, watchNext: next } = this;
    if (prev === null) server.watchers = next;
    else prev.watchNext = next;
    if (next !== null) next.watchPrev = prev;
    this.watched = this.watchPrev = this.watchNext = null;
  }

  /** The owner exited: its monitors are being torn down already; just retire the alias and deadline. */
  retire(): void {
    if (!this.done) this.finish(this.owner.rt);
  }

  private finish(rt: Runtime): void {
    this.done = true;
    rt.aliases.delete(this.ref.id);
    if (this.bucket !== null) this.bucket.remove(this);
  }
}

/**
 * Request deadlines, one list per distinct timeout value. Requests with the same timeout expire in the
 * order they were made, so each list is FIFO: one clock timer per list, armed for its head, instead of
 * a timer per call (a call with the default 5 s timeout would otherwise arm and cancel a timer each time).
 */
export class Deadlines {
  private readonly rt: Runtime;
  private readonly buckets = new Map<number, DeadlineBucket>();

  constructor(rt: Runtime) {
    this.rt = rt;
  }

  add(request: Request, timeoutMs: number): void {
    let bucket = this.buckets.get(timeoutMs);
    if (bucket === undefined) this.buckets.set(timeoutMs, (bucket = new DeadlineBucket(this.rt)));
    bucket.add(request, this.rt.clock.now() + timeoutMs);
  }

  clear(): void {
    for (const bucket of this.buckets.values()) bucket.clear();
    this.buckets.clear();
  }
}

export class DeadlineBucket {
  private readonly rt: Runtime;
  private head: Request | null = null;
  private tail: Request | null = null;
  private timer: ClockHandle | undefined = undefined;
  /** When the armed timer fires; it may be earlier than the head's deadline (the old head finished). */
  private armedFor = 0;

  constructor(rt: Runtime) {
    this.rt = rt;
  }

  add(request: Request, deadline: number): void {
    request.deadline = deadline;
    request.bucket = this;
    request.prev = this.tail;
    if (this.tail === null) this.head = request;
    else this.tail.next = request;
    this.tail = request;
    if (this.timer === undefined) this.arm(deadline);
  }

  remove(request: Request): void {
    const { prev, next } = request;
    if (prev === null) this.head = next;
    else prev.next = next;
    if (next === null) this.tail = prev;
    else next.prev = prev;
    request.prev = request.next = null;
    request.bucket = null;
  }

  clear(): void {
    if (this.timer !== undefined) this.rt.clock.cancel(this.timer);
    this.timer = undefined;
    this.head = this.tail = null;
  }

  private arm(deadline: number): void {
    this.armedFor = deadline;
    this.timer = this.rt.clock.schedule(Math.max(0, deadline - this.rt.clock.now()), () => this.fire());
  }

  private fire(): void {
    this.timer = undefined;
    const now = Math.max(this.rt.clock.now(), this.armedFor);
    let head = this.head;
    while (head !== null && head.deadline <= now) {
      head.expire(); // unlinks it
      head = this.head;
    }
    if (head !== null) this.arm(head.deadline);
  }
}
