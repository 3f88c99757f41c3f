/**
 * Fault injection on the in-memory network: drop, delay, duplicate and reorder, per direction and per
 * channel, seeded (a fixed seed gives a fixed outcome, the same seed the same run), and the trace hook.
 */
import { VirtualClock } from "@maquis/core";
import { describe, expect, it } from "vitest";
import type { DialInfo } from "../src/Connection.js";
import {
  type FaultRule,
  type FrameEvent,
  type MemoryConnection,
  MemoryNetwork,
  type MemoryNetworkOptions,
} from "../src/memory/index.js";

const dial = (from: string, to: string, channel = "default"): DialInfo => ({ from, to, channel });

/** b listens; a dials it on `channel`. Records the first byte of every frame each end receives. */
const connected = async (options: MemoryNetworkOptions = {}, channel = "default") => {
  const clock = new VirtualClock();
  const network = new MemoryNetwork({ clock, delivery: "manual", ...options });
  const atA: number[] = [];
  const atB: number[] = [];
  let b!: MemoryConnection;
  await network.medium("b").listen("memory://b", (c) => {
    b = c;
    c.onFrame = (f) => atB.push(f[0]!);
  });
  const a = await network.medium("a").connect("memory://b", dial("a", "b", channel));
  a.onFrame = (f) => atA.push(f[0]!);
  const events: FrameEvent[] = [];
  network.onFrame = (e) => events.push(e);
  return { clock, network, a, b, atA, atB, events };
};

/** Sends frames [1], [2], ... [n]. */
const sendNumbered = (connection: MemoryConnection, n: number) => {
  for (let i = 1; i <= n; i++) connection.send(new Uint8Array([i]));
};

/** Sends 20 frames a→b under `rule` and lets time pass until everything is delivered. */
const outcome = async (rule: FaultRule, seed: number) => {
  const { clock, network, a, atB, events } = await connected({ seed });
  network.faults.add(rule);
  sendNumbered(a, 20);
  network.runUntilIdle();
  while (network.delayed > 0) {
    clock.advance(1);
    network.runUntilIdle();
  }
  return { received: atB, trace: events.map((e) => `${e.id} ${e.fate} ${e.delayMs ?? ""} @${e.time}`) };
};

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("drop", () => {
  it("with a probability: a fixed seed gives a fixed outcome", async () => {
    const { received } = await outcome({ drop: 0.5 }, 1);
    expect(received).toEqual([4, 5, 7, 8, 9, 10, 11, 13, 15, 16, 17]);
  });

  it("{ next: n } drops exactly the next n matching frames", async () => {
    const { network, a, atB } = await connected();
    const rule = network.faults.add({ drop: { next: 3 } });
    sendNumbered(a, 5);
    network.runUntilIdle();
    expect(atB).toEqual([4, 5]);
    expect(rule.active).toBe(true);
  });

  it("leaves the sender's bufferedAmount alone", async () => {
    const { network, a } = await connected();
    network.faults.add({ drop: 1 });
    a.send(new Uint8Array(10));
    expect(a.bufferedAmount).toBe(0);
  });
});

describe("delay", () => {
  it("holds a frame until the clock has moved by the delay", async () => {
    const { clock, network, a, atB, events } = await connected();
    network.faults.add({ delay: 10 });
    a.send(new Uint8Array([1]));
    network.runUntilIdle();
    expect(atB).toEqual([]);
    expect([network.pending, network.delayed, a.bufferedAmount]).toEqual([0, 1, 1]);
    clock.advance(9);
    network.runUntilIdle();
    expect(atB).toEqual([]);
    clock.advance(1);
    expect([network.pending, network.delayed]).toEqual([1, 0]);
    network.runUntilIdle();
    expect(atB).toEqual([1]);
    expect(a.bufferedAmount).toBe(0);
    expect(events.map((e) => [e.fate, e.time, e.delayMs])).toEqual([
      ["delayed", 0, 10],
      ["delivered", 10, undefined],
    ]);
  });

  it("a range: a fixed seed gives fixed delays, and the connection stays in order", async () => {
    const { received, trace } = await outcome({ delay: [1, 10] }, 1);
    expect(received).toEqual(range(1, 20));
    expect(trace.slice(0, 6)).toEqual([
      "1 delayed 2 @0",
      "2 delayed 8 @0",
      "3 delayed 8 @0",
      "4 delayed 10 @0",
      "5 delayed 4 @0",
      "6 delayed 8 @0",
    ]);
    // frame 5 drew 4 ms but waits behind frame 4 (10 ms), as on TCP
    expect(trace.filter((t) => t.includes("delivered")).slice(0, 6)).toEqual([
      "1 delivered  @2",
      "2 delivered  @8",
      "3 delivered  @8",
      "4 delivered  @10",
      "5 delivered  @10",
      "6 delivered  @10",
    ]);
  });

  it("holds back what is sent after a delayed frame, closes included", async () => {
    const { clock, network, a, b, atB } = await connected();
    const closes: string[] = [];
    b.onClose = (info) => closes.push(info.reason);
    const rule = network.faults.add({ delay: 10 });
    a.send(new Uint8Array([1]));
    rule.remove();
    a.send(new Uint8Array([2]));
    a.close(1000, "done");
    network.runUntilIdle();
    expect([atB, closes, network.delayed]).toEqual([[], [], 3]);
    clock.advance(10);
    network.runUntilIdle();
    expect([atB, closes]).toEqual([[1, 2], ["done"]]);
  });

  it("in automatic mode, delivers on the microtask after the clock moves", async () => {
    const { clock, network, a, atB } = await connected({ delivery: "auto" });
    network.faults.add({ delay: 5 });
    a.send(new Uint8Array([1]));
    await Promise.resolve();
    expect(atB).toEqual([]);
    clock.advance(5);
    expect(atB).toEqual([]);
    await Promise.resolve();
    expect(atB).toEqual([1]);
  });
});

describe("duplicate", () => {
  it("a fixed seed gives a fixed outcome; copies follow their original", async () => {
    const { received } = await outcome({ duplicate: 0.5 }, 1);
    expect(received).toEqual([
      1, 1, 2, 2, 3, 3, 4, 5, 6, 7, 7, 8, 8, 9, 9, 10, 11, 11, 12, 13, 13, 14, 15, 16, 16, 17, 17, 18, 19, 20,
      20,
    ]);
  });

  it("delivers a copy with the original's id, not counted in bufferedAmount", async () => {
    const { network, a, atB, events } = await connected();
    network.faults.add({ duplicate: 1 });
    a.send(new Uint8Array([7, 7, 7]));
    expect(a.bufferedAmount).toBe(3);
    network.runUntilIdle();
    expect(atB).toEqual([7, 7]);
    expect(a.bufferedAmount).toBe(0);
    expect(events.map((e) => `${e.id} ${e.fate}`)).toEqual(["1 duplicated", "1 delivered", "1 delivered"]);
  });
});

describe("reorder", () => {
  it("a fixed seed gives a fixed outcome: a frame overtakes the one queued just ahead of it", async () => {
    const { received } = await outcome({ reorder: 0.5 }, 1);
    expect(received).toEqual([2, 3, 4, 5, 6, 1, 7, 8, 9, 11, 12, 10, 13, 14, 15, 17, 16, 18, 20, 19]);
  });

  it("takes two frames in flight", async () => {
    const { network, a, atB } = await connected();
    network.faults.add({ reorder: 1 });
    for (let i = 1; i <= 3; i++) {
      a.send(new Uint8Array([i]));
      network.runUntilIdle();
    }
    expect(atB).toEqual([1, 2, 3]);
    a.send(new Uint8Array([4]));
    a.send(new Uint8Array([5]));
    network.runUntilIdle();
    expect(atB).toEqual([1, 2, 3, 5, 4]);
  });
});

describe("seeds", () => {
  const everything: FaultRule = { drop: 0.2, delay: [0, 5], duplicate: 0.2, reorder: 0.3 };

  it("the same seed replays the same run; another seed gives another", async () => {
    const first = await outcome(everything, 1234);
    const again = await outcome(everything, 1234);
    const other = await outcome(everything, 4321);
    expect(again).toEqual(first);
    expect(other.trace).not.toEqual(first.trace);
  });

  it("each fault kind draws on its own: adding a delay leaves the drops as they were", async () => {
    const dropsOnly = await outcome({ drop: 0.5 }, 1);
    const withDelay = await outcome({ drop: 0.5, delay: [1, 3] }, 1);
    expect(withDelay.received).toEqual(dropsOnly.received);
  });

  it("a rule's own seed makes it independent of the rules added before it", async () => {
    const alone = await connected();
    alone.network.faults.add({ drop: 0.5, seed: 99 });
    sendNumbered(alone.a, 20);
    alone.network.runUntilIdle();
    const second = await connected();
    second.network.faults.add({ to: "nobody", drop: 1 });
    second.network.faults.add({ drop: 0.5, seed: 99 });
    sendNumbered(second.a, 20);
    second.network.runUntilIdle();
    expect(second.atB).toEqual(alone.atB);
    expect(alone.atB.length).toBeLessThan(20);
  });
});

describe("rules", () => {
  it("apply in one direction only", async () => {
    const { network, a, b, atA, atB } = await connected();
    network.faults.add({ from: "a", to: "b", drop: 1 });
    a.send(new Uint8Array([1]));
    b.send(new Uint8Array([2]));
    network.runUntilIdle();
    expect([atA, atB]).toEqual([[2], []]);
  });

  it("match on the sender alone or the receiver alone", async () => {
    const { clock, network, a, b, atA, atB } = await connected();
    network.faults.add({ from: "a", duplicate: 1 });
    network.faults.add({ to: "a", delay: 5 });
    a.send(new Uint8Array([1]));
    b.send(new Uint8Array([2]));
    network.runUntilIdle();
    expect([atA, atB]).toEqual([[], [1, 1]]);
    clock.advance(5);
    network.runUntilIdle();
    expect(atA).toEqual([2]);
  });

  it("with a channel, affect only connections dialled for that channel", async () => {
    const { network, a, atB } = await connected({}, "data");
    const membership = await network.medium("a").connect("memory://b", dial("a", "b", "membership"));
    network.faults.add({ channel: "data", drop: 1 });
    network.faults.add({ to: "c", drop: 1 }); // another node: no effect here
    a.send(new Uint8Array([1]));
    membership.send(new Uint8Array([2]));
    network.runUntilIdle();
    expect(atB).toEqual([2]);
  });

  it("can be removed one by one or all together, and take effect for frames sent after", async () => {
    const { network, a, atB } = await connected();
    a.send(new Uint8Array([1]));
    const drop = network.faults.add({ drop: 1 });
    const dup = network.faults.add({ duplicate: 1 });
    expect(network.faults.rules).toEqual([{ drop: 1 }, { duplicate: 1 }]);
    a.send(new Uint8Array([2]));
    drop.remove();
    drop.remove();
    expect([drop.active, dup.active]).toEqual([false, true]);
    a.send(new Uint8Array([3]));
    network.clearFaults();
    expect(dup.active).toBe(false);
    expect(network.faults.rules).toEqual([]);
    a.send(new Uint8Array([4]));
    network.runUntilIdle();
    expect(atB).toEqual([1, 3, 3, 4]);
  });

  it("combine: delays add up, and any rule that drops a frame drops it", async () => {
    const { clock, network, a, atB } = await connected();
    network.faults.add({ delay: 3 });
    network.faults.add({ from: "a", delay: 4 });
    a.send(new Uint8Array([1]));
    clock.advance(6);
    network.runUntilIdle();
    expect(atB).toEqual([]);
    clock.advance(1);
    network.runUntilIdle();
    expect(atB).toEqual([1]);
    network.faults.add({ drop: { next: 1 } });
    a.send(new Uint8Array([2]));
    clock.advance(7);
    network.runUntilIdle();
    expect(atB).toEqual([1]);
  });

  it("are validated", () => {
    const { faults } = new MemoryNetwork();
    const invalid: FaultRule[] = [
      {},
      { from: "a" },
      { drop: 1.5 },
      { drop: -0.1 },
      { drop: { next: -1 } },
      { drop: { next: 1.5 } },
      { delay: -1 },
      { delay: Number.POSITIVE_INFINITY },
      { delay: [5, 1] },
      { delay: [0.5, 2] },
      { duplicate: 2 },
      { reorder: Number.NaN },
      { drop: 0.1, seed: 0.5 },
    ];
    for (const rule of invalid) expect(() => faults.add(rule), JSON.stringify(rule)).toThrow(RangeError);
    expect(faults.rules).toEqual([]);
    expect(() => new MemoryNetwork({ seed: 1.5 })).toThrow(RangeError);
  });
});

describe("trace", () => {
  it("reports every decision with the frame's id, connection, nodes, channel, size and time", async () => {
    const { clock, network, a, events } = await connected({}, "data");
    network.faults.add({ drop: { next: 1 } });
    network.faults.add({ delay: 2, duplicate: 1 });
    a.send(new Uint8Array(5)); // dropped
    a.send(new Uint8Array(6)); // delayed and duplicated
    clock.advance(2);
    network.runUntilIdle();
    const base = { connection: a.id, from: "a", to: "b", channel: "data" };
    expect(events).toEqual([
      { ...base, id: 1, size: 5, fate: "dropped", cause: "fault", time: 0 },
      { ...base, id: 2, size: 6, fate: "delayed", delayMs: 2, time: 0 },
      { ...base, id: 2, size: 6, fate: "duplicated", time: 0 },
      { ...base, id: 2, size: 6, fate: "delivered", time: 2 },
      { ...base, id: 2, size: 6, fate: "delivered", time: 2 },
    ]);
  });

  it("reports a reorder under the id of the frame that overtook", async () => {
    const { network, a, events } = await connected();
    a.send(new Uint8Array([1]));
    network.faults.add({ reorder: 1 });
    a.send(new Uint8Array([2]));
    network.runUntilIdle();
    expect(events.map((e) => `${e.id} ${e.fate}`)).toEqual(["2 reordered", "2 delivered", "1 delivered"]);
  });
});
