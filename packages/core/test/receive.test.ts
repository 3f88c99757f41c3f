/**
 * Mailboxes and selective receive: ordering, timeouts on a VirtualClock, the tryReceive fast path,
 * scheduling fairness, handler processes, and how a crashing process ends.
 *
 * Cases named after OTP's after_SUITE keep their upstream names.
 *
 * Over 400 lines because receive, timeouts, fairness and crashes share one fixture and one subject.
 */
import { describe, expect, it } from "vitest";
import {
  BadArgError,
  type DownMessage,
  type Inbox,
  isDown,
  type Node,
  type Pid,
  type ProcessContext,
  Reason,
  type ReplyTo,
  UncaughtThrow,
} from "../src/index.js";
import { drain, useNodes } from "./support.js";

const startNode = useNodes("receive");

/** Tracks whether a promise has settled, without awaiting it. */
const track = <T>(promise: Promise<T>): { settled: boolean; value: T | undefined } => {
  const state: { settled: boolean; value: T | undefined } = { settled: false, value: undefined };
  promise.then((value) => {
    state.settled = true;
    state.value = value;
  });
  return state;
};

/** The DOWN for a monitor set up before the watched process ran. */
const downOf = async (inbox: Inbox, ref: ReturnType<Inbox["monitor"]>): Promise<DownMessage> => {
  await inbox.node.idle();
  const down = await inbox.receive(isDown(ref), 0);
  expect(down).toBeDefined();
  return down!;
};

/** A promise the test resolves by hand. */
const gate = (): { promise: Promise<void>; open: () => void } => {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
};

describe("per-sender FIFO", () => {
  it("messages from each sender arrive in the order that sender sent them", async () => {
    const { node } = startNode();
    const inbox = node.inbox();
    const senders = ["a", "b", "c"];
    for (const tag of senders) {
      node.spawn(async (self) => {
        for (let i = 0; i < 50; i++) {
          self.send(inbox.pid, { tag, i });
          // Let the other senders run between sends, so the streams interleave.
          await Promise.resolve();
        }
      });
    }
    const got = (await drain(inbox)) as Array<{ tag: string; i: number }>;
    expect(got).toHaveLength(150);
    for (const tag of senders) {
      expect(got.filter((m) => m.tag === tag).map((m) => m.i)).toEqual(
        Array.from({ length: 50 }, (_, i) => i),
      );
    }
  });

  it("a process body gets the messages sent to it before it first ran, in order", async () => {
    const { node } = startNode();
    const inbox = node.inbox();
    const pid = node.spawn(async (self) => {
      const got: unknown[] = [];
      for (let i = 0; i < 3; i++) got.push(await self.receive());
      self.send(inbox.pid, got);
    });
    node.send(pid, 1);
    node.send(pid, 2);
    node.send(pid, 3);
    expect(await drain(inbox)).toEqual([[1, 2, 3]]);
  });

  it("a process can send to itself", async () => {
    const { node } = startNode();
    const inbox = node.inbox();
    node.spawn(async (self) => {
      self.send(self.pid, "to me");
      self.send(inbox.pid, await self.receive());
    });
    expect(await drain(inbox)).toEqual(["to me"]);
  });
});

describe("selective receive", () => {
  it("takes the oldest matching message and leaves the others in order", async () => {
    const { node } = startNode();
    const inbox = node.inbox();
    for (let i = 1; i <= 10; i++) node.send(inbox.pid, i);
    expect(await inbox.receive((m) => typeof m === "number" && m % 2 === 0)).toBe(2);
    expect(await inbox.receive((m) => typeof m === "number" && m > 7)).toBe(8);
    expect(node.processInfo(inbox.pid)?.messageQueueLength).toBe(8);
    expect(await drain(inbox)).toEqual([1, 3, 4, 5, 6, 7, 9, 10]);
  });

  it("a waiting receive skips arriving messages it does not match and keeps them queued", async () => {
    const { node } = startNode();
    const inbox = node.inbox();
    const waiting = track(inbox.receive((m): m is string => m === "wanted"));
    node.send(inbox.pid, "x");
    node.send(inbox.pid, "y");
    await node.idle();
    expect(waiting.settled).toBe(false);
    node.send(inbox.pid, "wanted");
    node.send(inbox.pid, "z");
    await node.idle();
    expect(waiting).toEqual({ settled: true, value: "wanted" });
    expect(await drain(inbox)).toEqual(["x", "y", "z"]);
  });

  it("a type-guard matcher narrows the received type", async () => {
    const { node } = startNode();
    const inbox = node.inbox();
    const isPoint = (m: unknown): m is { x: number } => typeof m === "object" && m !== null && "x" in m;
    node.send(inbox.pid, "noise");
    node.send(inbox.pid, { x: 3 });
    const point = await inbox.receive(isPoint);
    expect(point.x).toBe(3);
    expect(await drain(inbox)).toEqual(["noise"]);
  });

  it("a second receive while one is pending throws", async () => {
    const { node } = startNode();
    const inbox = node.inbox();
    const first = inbox.receive();
    expect(() => inbox.receive()).toThrow(/already pending/);
    node.send(inbox.pid, "one");
    expect(await first).toBe("one");
  });

  it("receive_zero: a zero timeout scans the queue once, consuming and reordering nothing", async () => {
    const { node } = startNode();
    const inbox = node.inbox();
    node.send(inbox.pid, "x");
    node.send(inbox.pid, "y");
    expect(await inbox.receive((m) => m === "z", 0)).toBeUndefined();
    node.send(inbox.pid, "w");
    expect(await inbox.receive()).toBe("x");
    expect(await drain(inbox)).toEqual(["y", "w"]);
  });

  it("receive_var_zero: a zero timeout returns a queued match at once and never arms a timer", async () => {
    const { node, clock } = startNode();
    const inbox = node.inbox();
    const zero = 0;
    expect(await inbox.receive(undefined, zero)).toBeUndefined();
    node.send(inbox.pid, "x");
    node.send(inbox.pid, "y");
    expect(await inbox.receive((m) => m === "y", zero)).toBe("y");
    expect(clock.pending).toBe(0);
    expect(await drain(inbox)).toEqual(["x"]);
  });
});

describe("receive with a timeout", () => {
  it("t_after: resolves undefined when the clock reaches the timeout, never before", async () => {
    const { node, clock } = startNode();
    const inbox = node.inbox();
    const result = track(inbox.receive(undefined, 100));
    clock.advance(99);
    await node.idle();
    expect(result.settled).toBe(false);
    clock.advance(1);
    await node.idle();
    expect(result).toEqual({ settled: true, value: undefined });
    expect(clock.pending).toBe(0);
  });

  it("receive_after: timeouts of 5000, 2500, ... 1 ms each complete on time", async () => {
    const { node, clock } = startNode();
    const done: number[] = [];
    node.spawn(async (self) => {
      for (let n = 5000; n >= 1; n = Math.floor(n / 2)) {
        const t0 = self.node.clock.now();
        expect(await self.receive(undefined, n)).toBeUndefined();
        done.push(self.node.clock.now() - t0);
      }
    });
    await node.idle();
    const expected: number[] = [];
    for (let n = 5000; n >= 1; n = Math.floor(n / 2)) {
      clock.advance(n - 1);
      await node.idle();
      expect(done).toEqual(expected);
      clock.advance(1);
      await node.idle();
      expected.push(n);
      expect(done).toEqual(expected);
    }
  });

  it("receive_after_big: timeouts beyond 2^31 ms can be set, and a message still ends them", async () => {
    const { node, clock } = startNode();
    const inbox = node.inbox();
    for (const big of [0xf7654321, 0xf7999977]) {
      const result = track(inbox.receive(undefined, big));
      clock.advance(2 ** 31);
      await node.idle();
      expect(result.settled).toBe(false);
      node.send(inbox.pid, big);
      await node.idle();
      expect(result).toEqual({ settled: true, value: big });
      expect(clock.pending).toBe(0);
    }
  });

  it("a message that matches before the deadline wins, and the timer is released", async () => {
    const { node, clock } = startNode();
    const inbox = node.inbox();
    const result = track(inbox.receive((m) => m === "go", 1000));
    expect(clock.pending).toBe(1);
    node.send(inbox.pid, "noise");
    clock.advance(500);
    await node.idle();
    expect(result.settled).toBe(false);
    node.send(inbox.pid, "go");
    await node.idle();
    expect(result).toEqual({ settled: true, value: "go" });
    expect(clock.pending).toBe(0);
    clock.advance(1000);
    expect(await drain(inbox)).toEqual(["noise"]);
  });

  it("a timeout leaves non-matching messages in the mailbox", async () => {
    const { node, clock } = startNode();
    const inbox = node.inbox();
    node.send(inbox.pid, 1);
    const result = track(inbox.receive((m) => m === 2, 10));
    node.send(inbox.pid, 3);
    clock.advance(10);
    await node.idle();
    expect(result).toEqual({ settled: true, value: undefined });
    expect(await drain(inbox)).toEqual([1, 3]);
  });

  it("an infinite timeout arms no timer", async () => {
    const { node, clock } = startNode();
    const inbox = node.inbox();
    const result = track(inbox.receive(undefined, Number.POSITIVE_INFINITY));
    expect(clock.pending).toBe(0);
    node.send(inbox.pid, "late");
    await node.idle();
    expect(result.value).toBe("late");
  });

  it("multi_timeout: messages arriving while a process waits in a long timeout do not disturb it", async () => {
    const { node, clock } = startNode();
    const inbox = node.inbox();
    const pid = node.spawn(async (self) => {
      await self.receive((m) => m === "a");
      const b = await self.receive((m) => m === "b", 100_000);
      const rest: unknown[] = [];
      for (let m = self.tryReceive(); m !== undefined; m = self.tryReceive()) rest.push(m);
      self.send(inbox.pid, { b, rest });
    });
    node.send(pid, "a");
    await node.idle();
    for (let i = 0; i < 5; i++) {
      node.send(pid, i);
      clock.advance(10_000);
      await node.idle();
    }
    expect(node.isAlive(pid)).toBe(true);
    node.send(pid, "b");
    expect(await drain(inbox)).toEqual([{ b: "b", rest: [0, 1, 2, 3, 4] }]);
  });

  it("receive_after_blast: many processes waiting for one deadline all finish normally", async () => {
    const { node, clock } = startNode();
    const inbox = node.inbox();
    const count = 2000;
    const refs = new Set<string>();
    for (let i = 0; i < count; i++) {
      const pid = node.spawn(async (self) => {
        await self.receive(undefined, 50);
      });
      refs.add(inbox.monitor(pid).key);
    }
    await node.idle();
    expect(clock.pending).toBe(count);
    clock.advance(49);
    await node.idle();
    expect(node.processes()).toHaveLength(count + 1);
    clock.advance(1);
    const downs = (await drain(inbox)) as DownMessage[];
    expect(downs).toHaveLength(count);
    for (const down of downs) {
      expect(down.reason).toBe(Reason.normal);
      expect(refs.delete(down.ref.key)).toBe(true);
    }
    expect(node.processes()).toEqual([inbox.pid]);
  });
});

describe("tryReceive", () => {
  it("returns undefined at once on an empty mailbox and the oldest (matching) message otherwise", async () => {
    const { node } = startNode();
    const inbox = node.inbox();
    expect(inbox.tryReceive()).toBeUndefined();
    node.send(inbox.pid, "a");
    node.send(inbox.pid, "b");
    node.send(inbox.pid, "c");
    expect(inbox.tryReceive((m) => m === "b")).toBe("b");
    expect(inbox.tryReceive((m) => m === "nope")).toBeUndefined();
    expect(inbox.tryReceive()).toBe("a");
    expect(inbox.tryReceive()).toBe("c");
    expect(inbox.tryReceive()).toBeUndefined();
  });

  it("after a budget of messages it yields once; receive() then resumes in order", async () => {
    const { node } = startNode();
    const inbox = node.inbox();
    const total = 2500;
    for (let i = 0; i < total; i++) node.send(inbox.pid, i);
    const got: number[] = [];
    let yields = 0;
    while (got.length < total) {
      const m = inbox.tryReceive<number>();
      if (m !== undefined) {
        got.push(m);
        continue;
      }
      yields++;
      got.push(await inbox.receive<number>());
    }
    expect(yields).toBeGreaterThanOrEqual(2);
    expect(yields).toBeLessThan(total / 10);
    expect(got).toEqual(Array.from({ length: total }, (_, i) => i));
  });
});

describe("fairness", () => {
  it("a handler with a long mailbox does not starve another process", async () => {
    const { node } = startNode();
    const log: string[] = [];
    const long = 5000;
    const a = node.spawn({ receive: () => void log.push("A") });
    const b = node.spawn({ receive: () => void log.push("B") });
    for (let i = 0; i < long; i++) node.send(a, i);
    node.send(b, "one");
    await node.idle();
    expect(log).toHaveLength(long + 1);
    const at = log.indexOf("B");
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(long / 2);
  });

  it("a body draining its mailbox with tryReceive lets another process in", async () => {
    const { node } = startNode();
    const log: string[] = [];
    const long = 5000;
    const a = node.spawn(async (self) => {
      for (let i = 0; i < long; i++) {
        if (self.tryReceive() === undefined) await self.receive();
        log.push("A");
      }
    });
    const b = node.spawn({ receive: () => void log.push("B") });
    for (let i = 0; i < long; i++) node.send(a, i);
    node.send(b, "one");
    await node.idle();
    expect(log).toHaveLength(long + 1);
    const at = log.indexOf("B");
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(long / 2);
  });
});

describe("yielding to I/O", () => {
  it("a handler and an async body bouncing a message forever still let a macrotask run", async () => {
    const { node } = startNode();
    let pump: Pid | undefined;
    const sink = node.spawn(async (self) => {
      for (;;) {
        await self.receive();
        self.send(pump!, "tick");
      }
    });
    pump = node.spawn({ receive: (_tick: unknown, self) => self.send(sink, "wake") });
    node.send(pump, "tick");
    // Macrotasks keep running while the bouncing keeps making progress. If every drain were kicked by
    // a microtask with a fresh time slice, the first await would never resolve and the test would hang.
    const handled = () => node.processInfo(pump!)?.messagesIn ?? 0;
    for (let turn = 0; turn < 1000 && handled() < 100; turn++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    expect(handled()).toBeGreaterThanOrEqual(100);
    await node.stop();
  });
});

describe("yielding to I/O between async bodies", () => {
  it("two async bodies bouncing a message forever still let a macrotask run", async () => {
    const { node } = startNode();
    let b: Pid | undefined;
    const a = node.spawn(async (self) => {
      for (;;) {
        await self.receive();
        self.send(b!, "ball");
      }
    });
    b = node.spawn(async (self) => {
      for (;;) {
        await self.receive();
        self.send(a, "ball");
      }
    });
    node.send(a, "ball");
    // Each delivery resolves the other body's receive directly: without a slice check on those wakes,
    // the bounce is an endless microtask chain and the first await below never resolves.
    const handled = () => node.processInfo(a)?.messagesIn ?? 0;
    for (let turn = 0; turn < 1000 && handled() < 100; turn++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    expect(handled()).toBeGreaterThanOrEqual(100);
  });
});

describe("handler processes", () => {
  it("handle one message at a time even when receive is async", async () => {
    const { node } = startNode();
    const log: string[] = [];
    const gates = new Map<number, ReturnType<typeof gate>>();
    for (const n of [1, 2, 3]) gates.set(n, gate());
    const pid = node.spawn({
      async receive(n: number) {
        log.push(`start ${n}`);
        await gates.get(n)!.promise;
        log.push(`end ${n}`);
      },
    });
    node.send(pid, 1);
    node.send(pid, 2);
    node.send(pid, 3);
    await node.idle();
    expect(log).toEqual(["start 1"]);
    expect(node.processInfo(pid)).toMatchObject({ status: "running", messageQueueLength: 2 });
    gates.get(2)!.open(); // opening a later gate first changes nothing
    await node.idle();
    expect(log).toEqual(["start 1"]);
    gates.get(1)!.open();
    await node.idle();
    expect(log).toEqual(["start 1", "end 1", "start 2", "end 2", "start 3"]);
    gates.get(3)!.open();
    await node.idle();
    expect(log).toEqual(["start 1", "end 1", "start 2", "end 2", "start 3", "end 3"]);
    expect(node.processInfo(pid)).toMatchObject({ status: "waiting", messageQueueLength: 0 });
  });

  it("an async init completes before the first message is handled", async () => {
    const { node } = startNode();
    const log: string[] = [];
    const ready = gate();
    const pid = node.spawn({
      async init(self: ProcessContext) {
        log.push(`init ${self.pid}`);
        await ready.promise;
        log.push("init done");
      },
      receive(m: unknown) {
        log.push(`got ${String(m)}`);
      },
    });
    node.send(pid, "early");
    await node.idle();
    expect(log).toEqual([`init ${pid}`]);
    ready.open();
    await node.idle();
    expect(log).toEqual([`init ${pid}`, "init done", "got early"]);
  });

  it("receives `self` and can reply", async () => {
    const { node } = startNode();
    const inbox = node.inbox();
    const echo = node.spawn({
      receive(m: { from: Pid; text: string }, self: ProcessContext) {
        self.send(m.from, `${m.text} from ${self.pid}`);
      },
    });
    inbox.send(echo, { from: inbox.pid, text: "hi" });
    expect(await drain(inbox)).toEqual([`hi from ${echo}`]);
  });
});

describe("a crashing process", () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);

  /** Spawns `code`, monitors it from an inbox, and returns the DOWN reason. */
  const crashReason = async (code: Parameters<Node["spawn"]>[0], message?: unknown): Promise<unknown> => {
    const { node } = startNode();
    const inbox = node.inbox();
    process.on("unhandledRejection", onUnhandled);
    try {
      unhandled.length = 0;
      const pid = node.spawn(code);
      const ref = inbox.monitor(pid);
      if (message !== undefined) node.send(pid, message);
      const down = await downOf(inbox, ref);
      expect(node.isAlive(pid)).toBe(false);
      // Unhandled rejections are reported after a macrotask turn; idle() spans several.
      await node.idle();
      expect(unhandled).toEqual([]);
      return down.reason;
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  };

  it("an async body that throws after an await exits with the error", async () => {
    const error = new Error("async boom");
    const reason = await crashReason(async (self) => {
      await self.receive();
      throw error;
    }, "go");
    expect(reason).toBe(error);
  });

  it("a plain (non-async) function body that throws exits with the error", async () => {
    const error = new TypeError("sync boom");
    expect(
      await crashReason(() => {
        throw error;
      }),
    ).toBe(error);
  });

  it("a body that returns a rejected promise exits with the rejection", async () => {
    const error = new RangeError("rejected");
    expect(await crashReason(() => Promise.reject(error))).toBe(error);
  });

  it("a handler whose receive throws exits with the error", async () => {
    const error = new Error("handler boom");
    const reason = await crashReason(
      {
        receive() {
          throw error;
        },
      },
      "go",
    );
    expect(reason).toBe(error);
  });

  it("a handler whose async receive rejects exits with the error", async () => {
    const error = new Error("async handler boom");
    const reason = await crashReason(
      {
        async receive() {
          await Promise.resolve();
          throw error;
        },
      },
      "go",
    );
    expect(reason).toBe(error);
  });

  it("a handler whose init throws, or rejects, exits with the error", async () => {
    const thrown = new Error("init boom");
    expect(
      await crashReason({
        init() {
          throw thrown;
        },
        receive() {},
      }),
    ).toBe(thrown);
    const rejected = new Error("async init boom");
    expect(
      await crashReason({
        async init() {
          throw rejected;
        },
        receive() {},
      }),
    ).toBe(rejected);
  });

  it("throwing a value that is not an Error exits with an UncaughtThrow holding it", async () => {
    const reason = await crashReason(async () => {
      throw { code: 42 };
    });
    expect(reason).toBeInstanceOf(UncaughtThrow);
    expect((reason as UncaughtThrow).value).toEqual({ code: 42 });
  });

  it("a matcher that throws inside receive() crashes the receiver", async () => {
    const error = new Error("bad matcher");
    const reason = await crashReason(async (self) => {
      await self.receive(() => {
        throw error;
      });
    }, "queued first");
    expect(reason).toBe(error);
  });

  it("a matcher that throws when a message is delivered crashes the receiver, not the sender", async () => {
    const error = new Error("bad matcher on delivery");
    const { node } = startNode();
    const inbox = node.inbox();
    const pid = node.spawn(async (self) => {
      await self.receive(() => {
        throw error;
      });
    });
    const ref = inbox.monitor(pid);
    await node.idle();
    expect(() => inbox.send(pid, "trigger")).not.toThrow();
    expect((await downOf(inbox, ref)).reason).toBe(error);
  });

  it("self.exit(reason) ends the body with that reason", async () => {
    const reason = await crashReason(async (self) => {
      self.exit({ shutdown: "done" });
    });
    expect(reason).toEqual({ shutdown: "done" });
  });

  it("a body killed while awaiting something else fails quietly when it touches self again", async () => {
    const { node } = startNode();
    const inbox = node.inbox();
    const external = gate();
    const after: unknown[] = [];
    process.on("unhandledRejection", onUnhandled);
    try {
      unhandled.length = 0;
      const pid = node.spawn(async (self) => {
        await external.promise;
        try {
          self.send(inbox.pid, "from the dead");
        } catch (error) {
          after.push(error);
          throw error;
        }
      });
      const ref = inbox.monitor(pid);
      await node.idle();
      node.exit(pid, Reason.kill);
      external.open();
      const down = await downOf(inbox, ref);
      expect(down.reason).toBe(Reason.killed);
      expect(after).toHaveLength(1);
      expect((after[0] as Error).name).toBe("ProcessExitedError");
      await node.idle();
      expect(await drain(inbox)).toEqual([]);
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});

describe("replying from a killed body", () => {
  it("throws ProcessExitedError, like every other self method, and the caller sees the death", async () => {
    const { node } = startNode();
    const inbox = node.inbox();
    const external = gate();
    const after: unknown[] = [];
    const pid = node.spawn(async (self) => {
      const replyTo = await self.receive<ReplyTo>();
      await external.promise;
      try {
        self.reply(replyTo, "from the dead");
      } catch (error) {
        after.push(error);
      }
    });
    const outcome = inbox
      .request<string>(pid, (replyTo) => replyTo)
      .then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
    await node.idle();
    node.exit(pid, Reason.kill);
    external.open();
    expect(await outcome).not.toHaveProperty("value");
    await node.idle();
    expect(after.map((e) => (e as Error).name)).toEqual(["ProcessExitedError"]);
  });
});

describe("sending undefined", () => {
  it("throws BadArgError from every sender and delivers nothing", async () => {
    const { node } = startNode();
    const inbox = node.inbox({ name: "target" });
    expect(() => node.send(inbox.pid, undefined)).toThrow(BadArgError);
    expect(() => inbox.send(inbox.pid, undefined)).toThrow(BadArgError);
    expect(() => node.send("target", undefined)).toThrow(BadArgError);
    expect(() => node.send({ name: "target", node: node.name }, undefined)).toThrow(BadArgError);
    const caught: unknown[] = [];
    node.spawn((self) => {
      try {
        self.send(inbox.pid, undefined);
      } catch (error) {
        caught.push(error);
      }
    });
    await node.idle();
    expect(caught).toHaveLength(1);
    expect(caught[0]).toBeInstanceOf(BadArgError);
    expect(node.processInfo(inbox.pid)?.messagesIn).toBe(0);
    expect(await drain(inbox)).toEqual([]);
  });

  it("null and other falsy values are ordinary messages", async () => {
    const { node } = startNode();
    const inbox = node.inbox();
    for (const m of [null, 0, "", false, Number.NaN]) node.send(inbox.pid, m);
    expect(await drain(inbox)).toEqual([null, 0, "", false, Number.NaN]);
  });
});
