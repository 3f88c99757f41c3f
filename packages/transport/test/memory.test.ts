/**
 * The in-memory network's connections: connect and accept, refusals, frames (whole, in order, copied,
 * asynchronous), bufferedAmount, close from either end, and the two delivery modes (automatic on
 * microtasks, manual stepping).
 */
import { VirtualClock } from "@maquis/core";
import { describe, expect, it } from "vitest";
import type { CloseInfo, DialInfo } from "../src/Connection.js";
import {
  ConnectRefusedError,
  ListenError,
  type MemoryConnection,
  MemoryNetwork,
  type MemoryNetworkOptions,
} from "../src/memory/index.js";

const dial = (from: string, to: string, channel = "default"): DialInfo => ({ from, to, channel });
const bytes = (...values: number[]) => new Uint8Array(values);

/** Sets both handlers of `connection` and records what reaches them. */
const record = (connection: MemoryConnection) => {
  const seen = { frames: [] as number[][], closes: [] as CloseInfo[] };
  connection.onFrame = (frame) => seen.frames.push([...frame]);
  connection.onClose = (info) => seen.closes.push(info);
  return seen;
};

/** A network with node b listening on memory://b and node a connected to it. */
const connected = async (options: MemoryNetworkOptions = {}) => {
  const clock = new VirtualClock();
  const network = new MemoryNetwork({ clock, delivery: "manual", ...options });
  const accepted: MemoryConnection[] = [];
  const listener = await network.medium("b").listen("memory://b", (c) => accepted.push(c));
  const a = await network.medium("a").connect("memory://b", dial("a", "b"));
  const b = accepted[0]!;
  return { clock, network, listener, a, b, atA: record(a), atB: record(b) };
};

/** Resolves after every pending microtask and one macrotask: automatic flushes have run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("connect and accept", () => {
  it("hands the listener one end and resolves the dialler with the other", async () => {
    const network = new MemoryNetwork();
    const accepted: MemoryConnection[] = [];
    await network.medium("b").listen("memory://b", (c) => accepted.push(c));
    const pending = network.medium("a").connect("memory://b", dial("a", "b", "data"));
    expect(accepted).toHaveLength(0); // accept never runs inside the connect call
    const a = await pending;
    expect(accepted).toHaveLength(1);
    const b = accepted[0]!;
    expect(a).not.toBe(b);
    expect(a.id).toBe(b.id);
    expect([a.localNode, a.remoteNode, a.remoteAddress, a.channel]).toEqual(["a", "b", "memory://b", "data"]);
    expect([b.localNode, b.remoteNode, b.remoteAddress, b.channel]).toEqual(["b", "a", "memory://a", "data"]);
    expect(b.dialInfo).toEqual({ from: "a", to: "b", channel: "data" });
    expect(a.open && b.open).toBe(true);
  });

  it("refuses an address nobody listens on with a typed error", async () => {
    const network = new MemoryNetwork();
    const attempt = network.medium("a").connect("memory://nobody", dial("a", "nobody"));
    await expect(attempt).rejects.toBeInstanceOf(ConnectRefusedError);
    await expect(attempt).rejects.toMatchObject({ address: "memory://nobody", reason: "no-listener" });
    await expect(network.medium("a").connect("ws://b", dial("a", "b"))).rejects.toMatchObject({
      reason: "no-listener",
    });
  });

  it("refuses connects once the listener is closed, keeps connections made before, and can listen again", async () => {
    const { network, listener, a, atB } = await connected();
    await listener.close();
    await listener.close(); // idempotent
    await expect(network.medium("c").connect("memory://b", dial("c", "b"))).rejects.toMatchObject({
      reason: "listener-closed",
    });
    a.send(bytes(1));
    network.runUntilIdle();
    expect(atB.frames).toEqual([[1]]);
    const again: MemoryConnection[] = [];
    await network.medium("b").listen("memory://b", (c) => again.push(c));
    await network.medium("c").connect("memory://b", dial("c", "b"));
    expect(again.map((c) => c.remoteNode)).toEqual(["c"]);
  });

  it("refuses a taken or malformed listen address", async () => {
    const network = new MemoryNetwork();
    await network.medium("b").listen("memory://b", () => {});
    await expect(network.medium("c").listen("memory://b", () => {})).rejects.toMatchObject({
      reason: "address-in-use",
    });
    await expect(network.medium("c").listen("tcp://c", () => {})).rejects.toBeInstanceOf(ListenError);
    await expect(network.medium("c").listen("memory://", () => {})).rejects.toMatchObject({
      reason: "invalid-address",
    });
  });

  it("rejects the connect with the error an accept throws, and discards the connection", async () => {
    const network = new MemoryNetwork({ delivery: "manual" });
    const failure = new Error("accept failed");
    let acceptor: MemoryConnection | undefined;
    await network.medium("b").listen("memory://b", (c) => {
      acceptor = c;
      throw failure;
    });
    await expect(network.medium("a").connect("memory://b", dial("a", "b"))).rejects.toBe(failure);
    expect(acceptor?.open).toBe(false);
    expect(network.pending).toBe(0);
  });

  it("gives each node one medium", () => {
    const network = new MemoryNetwork();
    expect(network.medium("a")).toBe(network.medium("a"));
    expect(network.medium("a").node).toBe("a");
    expect(() => network.medium("")).toThrow(RangeError);
  });
});

describe("frames", () => {
  it("arrive whole and in order in each direction", async () => {
    const { network, a, b, atA, atB } = await connected();
    a.send(bytes(1, 2, 3));
    b.send(bytes(9));
    a.send(bytes());
    a.send(bytes(4));
    b.send(bytes(8, 7));
    network.runUntilIdle();
    expect(atB.frames).toEqual([[1, 2, 3], [], [4]]);
    expect(atA.frames).toEqual([[9], [8, 7]]);
  });

  it("are never delivered during send, and are copies of what was sent", async () => {
    const { network, a, b } = await connected();
    const received: Uint8Array[] = [];
    b.onFrame = (frame) => received.push(frame);
    const buffer = bytes(1, 2);
    a.send(buffer);
    expect(received).toEqual([]);
    buffer[0] = 99; // the sender reuses its buffer at once
    a.send(buffer);
    network.runUntilIdle();
    expect(received.map((f) => [...f])).toEqual([
      [1, 2],
      [99, 2],
    ]);
    expect(received[0]).not.toBe(buffer);
    expect(received[1]).not.toBe(buffer);
  });

  it("are delivered on a microtask in automatic mode, in send order across connections", async () => {
    const network = new MemoryNetwork();
    const order: string[] = [];
    await network.medium("b").listen("memory://b", (c) => {
      c.onFrame = (f) => order.push(`b<-${c.remoteNode}:${f[0]}`);
    });
    const a = await network.medium("a").connect("memory://b", dial("a", "b"));
    const c = await network.medium("c").connect("memory://b", dial("c", "b"));
    a.send(bytes(1));
    c.send(bytes(2));
    a.send(bytes(3));
    expect(order).toEqual([]);
    expect(network.pending).toBe(3);
    await Promise.resolve();
    expect(order).toEqual(["b<-a:1", "b<-c:2", "b<-a:3"]);
    expect(network.pending).toBe(0);
  });

  it("sent in response to a delivery go out in a later automatic flush", async () => {
    const network = new MemoryNetwork();
    const order: string[] = [];
    await network.medium("b").listen("memory://b", (c) => {
      c.onFrame = (f) => {
        order.push(`b got ${f[0]}`);
        c.send(bytes(f[0]! * 10));
      };
    });
    const a = await network.medium("a").connect("memory://b", dial("a", "b"));
    a.onFrame = (f) => order.push(`a got ${f[0]}`);
    a.send(bytes(1));
    a.send(bytes(2));
    await Promise.resolve();
    expect(order).toEqual(["b got 1", "b got 2"]);
    await Promise.resolve();
    expect(order).toEqual(["b got 1", "b got 2", "a got 10", "a got 20"]);
  });

  it("wait for the dialler to set its handlers when the listener sends at once", async () => {
    const network = new MemoryNetwork(); // automatic: the flush comes before the dialler has its end
    await network.medium("b").listen("memory://b", (c) => {
      c.onFrame = () => {};
      c.send(bytes(42));
      c.close(4000, "bye");
    });
    const a = await network.medium("a").connect("memory://b", dial("a", "b"));
    await settle();
    expect(a.open).toBe(true); // the close waits too
    const atA = record(a);
    await settle();
    expect(atA.frames).toEqual([[42]]);
    expect(atA.closes).toEqual([{ code: 4000, reason: "bye", local: false }]);
  });

  it("count in bufferedAmount until delivered", async () => {
    const { network, a, b } = await connected();
    a.send(bytes(1, 2, 3));
    a.send(bytes(4, 5));
    expect(a.bufferedAmount).toBe(5);
    expect(b.bufferedAmount).toBe(0);
    network.step();
    expect(a.bufferedAmount).toBe(2);
    network.step();
    expect(a.bufferedAmount).toBe(0);
  });
});

describe("close", () => {
  it("from the dialler: open flips at once, both ends hear of it later, frames sent before still arrive", async () => {
    const { network, a, b, atA, atB } = await connected();
    a.send(bytes(1));
    a.close(4005, "replaced");
    expect(a.open).toBe(false);
    expect(b.open).toBe(true);
    expect(atA.closes).toEqual([]);
    a.send(bytes(2)); // after close: dropped
    network.runUntilIdle();
    expect(atB.frames).toEqual([[1]]);
    expect(atA.closes).toEqual([{ code: 4005, reason: "replaced", local: true }]);
    expect(atB.closes).toEqual([{ code: 4005, reason: "replaced", local: false }]);
    expect(b.open).toBe(false);
  });

  it("from the listener's end, with the default code", async () => {
    const { network, a, b, atA, atB } = await connected();
    b.close();
    network.runUntilIdle();
    expect(atB.closes).toEqual([{ code: 1000, reason: "", local: true }]);
    expect(atA.closes).toEqual([{ code: 1000, reason: "", local: false }]);
    expect(a.open).toBe(false);
  });

  it("is idempotent, and ends closing together each hear only of their own close", async () => {
    const { network, a, b, atA, atB } = await connected();
    a.close(4000, "a");
    a.close(4001, "again");
    b.close(4002, "b");
    network.runUntilIdle();
    expect(atA.closes).toEqual([{ code: 4000, reason: "a", local: true }]);
    expect(atB.closes).toEqual([{ code: 4002, reason: "b", local: true }]);
  });

  it("drops frames still on their way to the end that closed", async () => {
    const { network, a, b, atA } = await connected();
    const fates: string[] = [];
    network.onFrame = (e) => fates.push(`${e.from}->${e.to} ${e.fate}${e.cause ? ` ${e.cause}` : ""}`);
    b.send(bytes(1));
    a.close();
    expect(b.bufferedAmount).toBe(1);
    network.runUntilIdle();
    expect(atA.frames).toEqual([]);
    expect(b.bufferedAmount).toBe(0);
    b.send(bytes(2)); // b is closed by now too
    expect(fates).toEqual(["b->a dropped closed", "b->a dropped closed"]);
  });
});

describe("delivery modes", () => {
  it("manual: nothing moves until step, which delivers one frame or close at a time", async () => {
    const { network, a, b, atA, atB } = await connected();
    a.send(bytes(1));
    b.send(bytes(2));
    a.send(bytes(3));
    a.close();
    await settle();
    expect(atB.frames).toEqual([]);
    expect(network.pending).toBe(5); // three frames, a's own close notice, b's close notice
    expect(network.step()).toBe(true);
    expect(atB.frames).toEqual([[1]]);
    expect(network.step()).toBe(true);
    expect(atA.frames).toEqual([]); // a closed before b's frame arrived
    expect(network.runUntilIdle()).toBe(3);
    expect(atB.frames).toEqual([[1], [3]]);
    expect(network.step()).toBe(false);
    expect(network.pending).toBe(0);
  });

  it("switching to automatic delivers what is pending", async () => {
    const { network, a, atB } = await connected();
    a.send(bytes(1));
    await settle();
    expect(atB.frames).toEqual([]);
    network.delivery = "auto";
    await Promise.resolve();
    expect(atB.frames).toEqual([[1]]);
  });

  it("runUntilIdle stops a livelock after maxSteps", async () => {
    const { network, a, b } = await connected();
    let echoes = 0;
    // Bounded, so that a broken limit fails the test instead of hanging it.
    a.onFrame = (f) => ++echoes < 1000 && a.send(f);
    b.onFrame = (f) => b.send(f);
    a.send(bytes(0));
    expect(() => network.runUntilIdle(100)).toThrow(/still busy after 100 deliveries/);
    expect(network.runUntilIdle()).toBeGreaterThan(1000);
  });

  it("step lets a handler's exception through and stays consistent", async () => {
    const { network, a, b } = await connected();
    b.onFrame = () => {
      throw new Error("handler failed");
    };
    a.send(bytes(1));
    a.send(bytes(2));
    expect(() => network.step()).toThrow("handler failed");
    expect(network.pending).toBe(1);
    expect(a.bufferedAmount).toBe(1);
  });

  it("automatic: endpoints echoing forever do not starve macrotasks", async () => {
    const network = new MemoryNetwork();
    let echoes = 0;
    await network.medium("b").listen("memory://b", (c) => {
      c.onFrame = (f) => c.send(f);
    });
    const a = await network.medium("a").connect("memory://b", dial("a", "b"));
    const cap = 10_000; // bounded, so that a missing yield fails the test instead of hanging it
    a.onFrame = (f) => ++echoes < cap && a.send(f);
    a.send(bytes(1));
    await settle(); // a macrotask: it runs only if the flushes yield
    expect(echoes).toBeGreaterThan(0);
    expect(echoes).toBeLessThan(cap);
    a.close();
    await settle();
    const after = echoes;
    await settle();
    expect(echoes).toBe(after);
  });
});
