// Bare-Node ceilings (performance-anchors.md §2a): the least code that moves messages
// between "processes" on one event loop. No pids, links, monitors or error handling,
// so a real runtime will land below these numbers.

// A run ends after BUDGET messages handled or sent, like Erlang's reductions; counting
// sends too is what stops a sender from filling the receiver's mailbox unchecked.
const BUDGET = 1000;
const SLICE_MS = 5; // then yield to I/O

/** Power-of-two ring buffer; grows by doubling. */
class Ring<T> {
  private buf: (T | undefined)[] = new Array<T | undefined>(8);
  private head = 0;
  length = 0;

  push(x: T): void {
    if (this.length === this.buf.length) this.grow();
    this.buf[(this.head + this.length) & (this.buf.length - 1)] = x;
    this.length++;
  }

  /** Caller checks `length > 0` first. */
  shift(): T {
    const x = this.buf[this.head] as T;
    this.buf[this.head] = undefined; // don't keep delivered messages alive
    this.head = (this.head + 1) & (this.buf.length - 1);
    this.length--;
    return x;
  }

  private grow(): void {
    const next = new Array<T | undefined>(this.buf.length * 2);
    for (let i = 0; i < this.length; i++) next[i] = this.buf[(this.head + i) & (this.buf.length - 1)];
    this.buf = next;
    this.head = 0;
  }
}

class Proc {
  readonly mailbox = new Ring<unknown>();
  queued = false;
  readonly handle: (msg: unknown) => void;
  constructor(handle: (msg: unknown) => void) {
    this.handle = handle;
  }
}

/** One run queue, drained synchronously; started from a microtask, never per message. */
class Scheduler {
  private readonly runq = new Ring<Proc>();
  private kicked = false;
  private reductions = 0;

  send(to: Proc, msg: unknown): void {
    this.reductions--;
    to.mailbox.push(msg);
    if (to.queued) return;
    to.queued = true;
    this.runq.push(to);
    if (!this.kicked) {
      this.kicked = true;
      queueMicrotask(this.drain);
    }
  }

  private readonly drain = (): void => {
    const runq = this.runq;
    const deadline = performance.now() + SLICE_MS;
    let sinceClock = 0; // read the clock once per BUDGET reductions, not per process switch
    while (runq.length > 0) {
      const p = runq.shift();
      const mb = p.mailbox;
      this.reductions = BUDGET;
      while (this.reductions > 0 && mb.length > 0) {
        p.handle(mb.shift());
        this.reductions--;
      }
      if (mb.length > 0) runq.push(p);
      else p.queued = false;
      sinceClock += BUDGET - this.reductions;
      if (sinceClock >= BUDGET) {
        sinceClock = 0;
        if (performance.now() >= deadline) {
          setImmediate(this.drain);
          return;
        }
      }
    }
    this.kicked = false;
  };
}

/** One sender, one counting receiver; msg/s from first send to last receipt. */
export function ceilingLocalSend(n = 5_000_000): Promise<number> {
  return new Promise((resolve) => {
    const s = new Scheduler();
    let received = 0;
    let t0 = 0;
    const receiver = new Proc(() => {
      if (++received === n) resolve((n * 1000) / (performance.now() - t0));
    });
    // Each "go" sends one budget's worth; the run then ends and the receiver gets its turn.
    let sent = 0;
    const sender = new Proc(() => {
      const end = Math.min(n, sent + BUDGET);
      while (sent < end) s.send(receiver, ["msg", sent++]);
      if (sent < n) s.send(sender, "go");
    });
    t0 = performance.now();
    s.send(sender, "go");
  });
}

/** Two processes bouncing a message; round trips/s. */
export function ceilingPingPong(n = 1_000_000): Promise<number> {
  return new Promise((resolve) => {
    const s = new Scheduler();
    let left = n;
    let t0 = 0;
    const echo = new Proc((m) => s.send((m as [string, Proc])[1], "pong"));
    const pinger = new Proc(() => {
      if (--left > 0) s.send(echo, ["ping", pinger]);
      else resolve((n * 1000) / (performance.now() - t0));
    });
    t0 = performance.now();
    s.send(echo, ["ping", pinger]);
  });
}
