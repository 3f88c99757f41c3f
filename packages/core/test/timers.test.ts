/**
 * sendAfter / startTimer / cancelTimer / readTimer on a VirtualClock. Cases named after OTP's
 * timer_bif_SUITE keep their upstream names.
 */
import { describe, expect, it } from "vitest";
import { BadArgError, Ref, TimeoutMessage } from "../src/index.js";
import { drain, useNodes } from "./support.js";

const startNode = useNodes("timers");

describe("timer_bif_SUITE", () => {
  it("start_timer_1: delivers {timeout, ref, msg}, then read and cancel give false", async () => {
    const { node, clock } = startNode();
    const inbox = node.inbox();
    const ref1 = inbox.startTimer(1000, inbox.pid, "plopp");
    expect(ref1).toBeInstanceOf(Ref);
    clock.advance(999);
    expect(await drain(inbox)).toEqual([]);
    clock.advance(1);
    const [timeout, ...rest] = await drain(inbox);
    expect(rest).toEqual([]);
    expect(timeout).toBeInstanceOf(TimeoutMessage);
    expect(timeout).toMatchObject({ kind: "timeout", msg: "plopp" });
    expect((timeout as TimeoutMessage).ref.equals(ref1)).toBe(true);
    expect(inbox.readTimer(ref1)).toBe(false);
    expect(inbox.cancelTimer(ref1)).toBe(false);
    expect(inbox.readTimer(ref1)).toBe(false);

    const ref2 = inbox.startTimer(1000, inbox.pid, "plapp");
    clock.advance(250);
    expect(inbox.cancelTimer(ref2)).toBe(750);
    clock.advance(2000);
    expect(await drain(inbox)).toEqual([]);
    expect(inbox.cancelTimer(ref2)).toBe(false);

    inbox.startTimer(1000, inbox.pid, "plupp");
    clock.advance(600);
    expect(await drain(inbox)).toEqual([]); // never early
    expect(node.timerCount).toBe(1);
  });

  it("send_after_1: delivers the bare message, then readTimer is false", async () => {
    const { node, clock } = startNode();
    const inbox = node.inbox();
    const ref = inbox.sendAfter(1000, inbox.pid, "plipp");
    expect(inbox.readTimer(ref)).toBe(1000);
    clock.advance(1000);
    expect(await drain(inbox)).toEqual(["plipp"]);
    expect(inbox.readTimer(ref)).toBe(false);
    expect(node.timerCount).toBe(0);
  });

  it("start_timer_big / send_after_big: a 2^31 ms timer can be set, read and cancelled", async () => {
    const { node, clock } = startNode();
    const inbox = node.inbox();
    const big = 2 ** 31;
    const t1 = inbox.startTimer(big, inbox.pid, "big");
    const t2 = inbox.sendAfter(big, inbox.pid, "big");
    clock.advance(200);
    expect(inbox.cancelTimer(t1)).toBe(big - 200);
    expect(inbox.cancelTimer(t2)).toBe(big - 200);
    clock.advance(big);
    expect(await drain(inbox)).toEqual([]);
  });

  it("send_after_2: timers arrive in expiry order, not start order", async () => {
    const { node, clock } = startNode();
    const inbox = node.inbox();
    inbox.sendAfter(5000, inbox.pid, "last");
    inbox.sendAfter(0, inbox.pid, "a0");
    inbox.sendAfter(200, inbox.pid, "a2");
    inbox.sendAfter(100, inbox.pid, "a1");
    inbox.sendAfter(500, inbox.pid, "a5");
    inbox.sendAfter(300, inbox.pid, "a3");
    inbox.sendAfter(400, inbox.pid, "a4");
    clock.advance(5000);
    expect(await drain(inbox)).toEqual(["a0", "a1", "a2", "a3", "a4", "a5", "last"]);
  });

  it("send_after_3: timers 1 ms apart arrive in that order", async () => {
    const { node, clock } = startNode();
    const inbox = node.inbox();
    inbox.sendAfter(103, inbox.pid, 3);
    inbox.sendAfter(101, inbox.pid, 1);
    inbox.sendAfter(100, inbox.pid, 0);
    inbox.sendAfter(102, inbox.pid, 2);
    clock.advance(101);
    expect(await drain(inbox)).toEqual([0, 1]);
    clock.advance(2);
    expect(await drain(inbox)).toEqual([2, 3]);
  });

  it("cancel_timer_1 / read_timer_trivial: a ref that is no timer gives false", () => {
    const { node } = startNode();
    const inbox = node.inbox();
    expect(inbox.cancelTimer(node.makeRef())).toBe(false);
    expect(inbox.readTimer(inbox.makeRef())).toBe(false);
    expect(node.cancelTimer(node.makeRef())).toBe(false);
    expect(node.readTimer(node.makeRef())).toBe(false);
    // Same id as a live timer, but made by another node or incarnation: not that timer.
    const live = node.sendAfter(100, inbox.pid, "x");
    expect(node.readTimer(new Ref("elsewhere", node.creation, live.id))).toBe(false);
    expect(node.readTimer(new Ref(node.name, node.creation + 1, live.id))).toBe(false);
    expect(node.cancelTimer(new Ref(node.name, node.creation + 1, live.id))).toBe(false);
    expect(node.readTimer(live)).toBe(100);
  });

  it("start_timer_e / send_after_e: invalid delays throw and start nothing", () => {
    const { node, clock } = startNode();
    const inbox = node.inbox();
    for (const bad of [-4, -0.5, Number.NaN, Number.POSITIVE_INFINITY, "a" as unknown as number]) {
      expect(() => inbox.startTimer(bad, inbox.pid, "x")).toThrow(BadArgError);
      expect(() => inbox.sendAfter(bad, inbox.pid, "x")).toThrow(BadArgError);
      expect(() => node.sendAfter(bad, inbox.pid, "x")).toThrow(BadArgError);
    }
    expect(node.timerCount).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it("sendAfter of undefined throws BadArgError, like send; startTimer wraps it and may carry it", async () => {
    const { node, clock } = startNode();
    const inbox = node.inbox();
    expect(() => node.sendAfter(10, inbox.pid, undefined)).toThrow(BadArgError);
    expect(() => inbox.sendAfter(10, inbox.pid, undefined)).toThrow(BadArgError);
    expect(node.timerCount).toBe(0);
    const ref = inbox.startTimer(10, inbox.pid, undefined);
    clock.advance(10);
    const got = await drain(inbox);
    expect(got).toEqual([new TimeoutMessage(ref, undefined)]);
  });

  it("read_timer: readTimer and cancelTimer agree on the time left", async () => {
    const { node, clock } = startNode();
    const inbox = node.inbox();
    const big = 2 ** 31;
    const ref = inbox.sendAfter(big, inbox.pid, "hej_hopp");
    clock.advance(200);
    const left = inbox.readTimer(ref);
    const left2 = inbox.cancelTimer(ref);
    expect(left).toBe(big - 200);
    expect(left2).toBe(left);
    expect(inbox.readTimer(ref)).toBe(false);
    expect(node.timerCount).toBe(0);
  });

  it("cleanup: timers to a dead pid are accepted but never armed", async () => {
    const { node, clock } = startNode();
    const inbox = node.inbox();
    const dead = node.spawn(() => {});
    await node.idle();
    expect(node.isAlive(dead)).toBe(false);
    const t1 = inbox.startTimer(1000, dead, "x");
    const t2 = inbox.sendAfter(1000, dead, "x");
    expect(inbox.readTimer(t1)).toBe(false);
    expect(inbox.readTimer(t2)).toBe(false);
    expect(node.timerCount).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it("cleanup: timers to a pid are cancelled when that process exits", async () => {
    const { node, clock } = startNode();
    const inbox = node.inbox();
    const target = node.spawn(async (self) => {
      await self.receive((m) => m === "die");
    });
    const t1 = inbox.startTimer(1000, target, "x");
    const t2 = inbox.sendAfter(1000, target, "x");
    const toInbox = inbox.sendAfter(1000, inbox.pid, "mine");
    expect(inbox.readTimer(t1)).toBe(1000);
    expect(node.timerCount).toBe(3);
    clock.advance(100);
    node.send(target, "die");
    await node.idle();
    expect(node.isAlive(target)).toBe(false);
    expect(inbox.readTimer(t1)).toBe(false);
    expect(inbox.readTimer(t2)).toBe(false);
    expect(inbox.cancelTimer(t1)).toBe(false);
    expect(node.timerCount).toBe(1);
    expect(inbox.readTimer(toInbox)).toBe(900);
    clock.advance(900);
    expect(await drain(inbox)).toEqual(["mine"]);
    expect(node.timerCount).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it("cleanup: explicit cancel returns the time left for both kinds, and timers to self fire", async () => {
    const { node, clock } = startNode();
    const inbox = node.inbox();
    const a = inbox.startTimer(1000, inbox.pid, "a");
    const b = inbox.sendAfter(1000, inbox.pid, "b");
    clock.advance(10);
    expect(inbox.cancelTimer(a)).toBe(990);
    expect(inbox.cancelTimer(b)).toBe(990);
    expect(inbox.readTimer(a)).toBe(false);
    expect(inbox.readTimer(b)).toBe(false);
    const payload = inbox.makeRef();
    const t7 = inbox.startTimer(5, inbox.pid, payload);
    inbox.sendAfter(5, inbox.pid, payload);
    clock.advance(1000);
    const got = await drain(inbox);
    expect(got).toHaveLength(2);
    expect(got[0]).toEqual(new TimeoutMessage(t7, payload));
    expect(got[1]).toBe(payload);
  });

  it("a process's timers to itself die with it", async () => {
    const { node, clock } = startNode();
    const inbox = node.inbox();
    const pid = node.spawn(async (self) => {
      self.sendAfter(500, self.pid, "tick");
      self.startTimer(500, self.pid, "tock");
      self.send(inbox.pid, "armed");
      await self.receive((m) => m === "die");
    });
    expect(await drain(inbox)).toEqual(["armed"]);
    expect(node.timerCount).toBe(2);
    node.send(pid, "die");
    await node.idle();
    expect(node.timerCount).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it("registered_process: a name is resolved when the timer fires", async () => {
    const { node, clock } = startNode();
    const inbox = node.inbox();
    expect(node.whereis("timer_target")).toBeUndefined();
    const t1 = inbox.startTimer(5001, "timer_target", "hej");
    const t2 = inbox.sendAfter(5001, "timer_target", "hej");
    expect(inbox.cancelTimer(t1)).toBe(5001);
    expect(inbox.cancelTimer(t2)).toBe(5001);
    expect(inbox.readTimer(t1)).toBe(false);

    const t3 = inbox.startTimer(100, "timer_target", "first");
    inbox.sendAfter(100, "timer_target", "second");
    inbox.register("timer_target");
    clock.advance(100);
    expect(await drain(inbox)).toEqual([new TimeoutMessage(t3, "first"), "second"]);

    const t5 = inbox.startTimer(100, "timer_target", "third");
    clock.advance(100);
    expect(await drain(inbox)).toEqual([new TimeoutMessage(t5, "third")]);
  });

  it("timers to a name are not cancelled when its process exits, and are dropped if nobody has the name", async () => {
    const { node, clock } = startNode();
    const inbox = node.inbox();
    const first = node.spawn(
      async (self) => {
        await self.receive((m) => m === "die");
      },
      { name: "svc" },
    );
    const ref = node.sendAfter(100, "svc", "for svc");
    node.sendAfter(200, "svc", "for the successor");
    node.send(first, "die");
    await node.idle();
    expect(node.whereis("svc")).toBeUndefined();
    expect(node.readTimer(ref)).toBe(100);
    expect(node.timerCount).toBe(2);
    // Fires with nobody registered: dropped, no error.
    expect(() => clock.advance(100)).not.toThrow();
    expect(node.timerCount).toBe(1);
    const successor = node.inbox({ name: "svc" });
    clock.advance(100);
    expect(await drain(successor)).toEqual(["for the successor"]);
    expect(await drain(inbox)).toEqual([]);
    expect(node.timerCount).toBe(0);
  });

  it("node.stop() cancels every timer and receive timeout", async () => {
    const { node, clock } = startNode();
    const inbox = node.inbox();
    const waiting = node.spawn(async (self) => {
      await self.receive(undefined, 10_000);
    });
    node.sendAfter(100, inbox.pid, "x");
    node.sendAfter(100, "somebody", "x");
    inbox.startTimer(100, waiting, "y");
    await node.idle();
    expect(node.timerCount).toBe(3);
    expect(clock.pending).toBe(4);
    await node.stop();
    expect(node.timerCount).toBe(0);
    expect(clock.pending).toBe(0);
    expect(clock.nextDelay()).toBeUndefined();
  });

  it("a timer from a process outlives it when aimed elsewhere", async () => {
    const { node, clock } = startNode();
    const inbox = node.inbox();
    node.spawn((self) => {
      self.sendAfter(50, inbox.pid, "from the departed");
    });
    await node.idle();
    expect(node.processes()).toEqual([inbox.pid]);
    clock.advance(50);
    expect(await drain(inbox)).toEqual(["from the departed"]);
  });
});
