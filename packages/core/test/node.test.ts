/**
 * Nodes: start options, pid and ref identity, restarts (creation), stop, and introspection.
 *
 * Over 400 lines because it is one concern (the Node API) told case by case; splitting it would scatter it.
 */
import { describe, expect, it } from "vitest";
import {
  BadArgError,
  ConfigError,
  type DownMessage,
  decode,
  encode,
  isDown,
  isPid,
  isRef,
  Node,
  Pid,
  type ProcessContext,
  ProcessExitedError,
  Ref,
  systemClock,
  VirtualClock,
} from "../src/index.js";
import { useNodes } from "./support.js";

const start = useNodes("node");
const startNode = (name?: string, creation?: number): Node =>
  start({ ...(name === undefined ? {} : { name }), ...(creation === undefined ? {} : { creation }) }).node;

const sleeper = async (self: ProcessContext): Promise<void> => {
  await self.receive((m) => m === "stop");
};

describe("Node.start", () => {
  it("defaults: Erlang's nonode@nohost, a random creation, the system clock, no connections", async () => {
    const node = start.track(Node.start());
    expect(node.name).toBe("nonode@nohost");
    expect(Number.isInteger(node.creation)).toBe(true);
    expect(node.creation).toBeGreaterThan(0);
    expect(node.creation).toBeLessThanOrEqual(0xffffffff);
    expect(node.clock).toBe(systemClock);
    expect(node.nodes()).toEqual([]);
    expect(node.stopped).toBe(false);
    expect(String(node)).toBe("Node<nonode@nohost>");
  });

  it("takes a name, a creation and a clock", () => {
    const clock = new VirtualClock(1000);
    const node = start.track(Node.start({ name: "alpha@host", creation: 0xffffffff, clock }));
    expect(node.name).toBe("alpha@host");
    expect(node.creation).toBe(0xffffffff);
    expect(node.clock).toBe(clock);
    expect(node.clock.now()).toBe(1000);
  });

  it("rejects invalid names and creations with ConfigError", () => {
    const badNames: unknown[] = ["", " ", "a b", "tab\there", "new\nline", 42, {}];
    for (const name of badNames) {
      expect(() => Node.start({ name: name as string }), String(name)).toThrow(ConfigError);
    }
    const badCreations = [
      0,
      -1,
      1.5,
      2 ** 32,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      "7" as unknown as number,
    ];
    for (const creation of badCreations) {
      expect(() => Node.start({ name: "ok", creation }), String(creation)).toThrow(ConfigError);
    }
  });

  it("random creations differ between starts", async () => {
    const creations = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const node = Node.start({ name: "random_creation" });
      creations.add(node.creation);
      await node.stop();
    }
    expect(creations.size).toBeGreaterThan(1);
  });
});

describe("pids", () => {
  it("print as <node.id.serial>", () => {
    const node = startNode("alpha");
    const pid = node.spawn(sleeper);
    expect(pid.toString()).toBe(`<alpha.${pid.id}.${pid.serial}>`);
    expect(String(new Pid("a@127.0.0.1:4370", 12, 3, 9))).toBe("<a@127.0.0.1:4370.12.3>");
    expect(JSON.stringify({ pid: new Pid("n", 1, 0, 1) })).toBe('{"pid":"<n.1.0>"}');
  });

  it("are new for each spawn, never reusing a dead process's pid", async () => {
    const node = startNode();
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const pid = node.spawn(() => {});
      expect(seen.has(pid.key)).toBe(false);
      seen.add(pid.key);
      await node.idle();
      expect(node.isAlive(pid)).toBe(false);
    }
  });

  it("equals, key and compare", () => {
    const a = new Pid("n", 1, 0, 5);
    const same = new Pid("n", 1, 0, 5);
    expect(a.equals(same)).toBe(true);
    expect(a.key).toBe(same.key);
    expect(Pid.compare(a, same)).toBe(0);
    const others = [
      new Pid("m", 1, 0, 5),
      new Pid("n", 2, 0, 5),
      new Pid("n", 1, 1, 5),
      new Pid("n", 1, 0, 6),
    ];
    for (const other of others) {
      expect(a.equals(other)).toBe(false);
      expect(a.key).not.toBe(other.key);
      expect(Pid.compare(a, other)).not.toBe(0);
      expect(Math.sign(Pid.compare(a, other))).toBe(-Math.sign(Pid.compare(other, a)));
    }
    expect(a.equals("<n.1.0>")).toBe(false);
    expect(a.equals(new Ref("n", 5, 1))).toBe(false);
    expect(isPid(a)).toBe(true);
    expect(isPid({ node: "n", id: 1, serial: 0, creation: 5 })).toBe(false);
  });

  it("compare orders by node name, then creation, then serial, then id", () => {
    const pids = [
      new Pid("b", 1, 0, 1),
      new Pid("a", 9, 9, 9),
      new Pid("a", 2, 0, 2),
      new Pid("a", 1, 1, 1),
      new Pid("a", 2, 0, 1),
      new Pid("a", 1, 0, 1),
    ];
    expect(pids.sort(Pid.compare).map(String)).toEqual([
      "<a.1.0>", // creation 1, serial 0, id 1
      "<a.2.0>", // creation 1, serial 0, id 2
      "<a.1.1>", // creation 1, serial 1
      "<a.2.0>", // creation 2
      "<a.9.9>", // creation 9
      "<b.1.0>",
    ]);
    expect(pids.map((p) => p.creation)).toEqual([1, 1, 1, 2, 9, 1]);
  });
});

describe("refs", () => {
  it("are unique per node and incarnation, and compare by value", () => {
    const a = startNode("ref_a");
    const b = startNode("ref_b");
    const inbox = a.inbox();
    const keys = new Set<string>();
    for (let i = 0; i < 1000; i++) keys.add(a.makeRef().key);
    for (let i = 0; i < 1000; i++) keys.add(inbox.makeRef().key);
    for (let i = 0; i < 1000; i++) keys.add(b.makeRef().key);
    expect(keys.size).toBe(3000);
    const ref = a.makeRef();
    const copy = new Ref(ref.node, ref.creation, ref.id);
    expect(ref.equals(copy)).toBe(true);
    expect(ref.equals(new Ref(ref.node, ref.creation + 1, ref.id))).toBe(false);
    expect(ref.equals(ref.key)).toBe(false);
    expect(ref.toString()).toBe(`#Ref<ref_a.${ref.id}>`);
    expect(isRef(ref)).toBe(true);
    expect(isRef({ ...ref })).toBe(false);
  });

  it("of a restarted node never equal the old incarnation's refs", async () => {
    const first = startNode("ref_restart", 1);
    const old = first.makeRef();
    await first.stop();
    const second = startNode("ref_restart", 2);
    const fresh = second.makeRef();
    expect(fresh.id).toBe(old.id);
    expect(fresh.equals(old)).toBe(false);
    expect(fresh.key).not.toBe(old.key);
  });
});

describe("a restarted node", () => {
  it("never aliases the old incarnation's pids", async () => {
    const first = startNode("phoenix", 1);
    const oldPid = first.spawn(sleeper);
    const oldBytes = encode(oldPid);
    await first.stop();
    expect(first.isAlive(oldPid)).toBe(false);

    const second = startNode("phoenix", 2);
    const newPid = second.spawn(async (self) => {
      const got: unknown[] = [];
      for (;;) {
        const m = await self.receive();
        if (m === "report") break;
        got.push(m);
      }
      throw new Error(`got ${JSON.stringify(got)}`);
    });
    // Same node name, same number: only the creation tells them apart.
    expect(newPid.node).toBe(oldPid.node);
    expect(newPid.id).toBe(oldPid.id);
    expect(newPid.serial).toBe(oldPid.serial);
    expect(newPid.equals(oldPid)).toBe(false);
    expect(second.isAlive(oldPid)).toBe(false);
    expect(second.processInfo(oldPid)).toBeUndefined();

    const inbox = second.inbox();
    second.send(oldPid, "for the old one");
    inbox.send(oldPid, "for the old one too");
    const ref = inbox.monitor(oldPid);
    await second.idle();
    const down = (await inbox.receive(isDown(ref), 0)) as DownMessage;
    expect(down.reason).toBe("noproc");
    expect(down.item).toBe(oldPid);

    // Decoding the old pid on the new node does not hand back the new process's pid.
    const decoded = decode(oldBytes) as Pid;
    expect(decoded).not.toBe(newPid);
    expect(second.isAlive(decoded)).toBe(false);

    const watch = inbox.monitor(newPid);
    second.send(newPid, "report");
    await second.idle();
    const report = (await inbox.receive(isDown(watch), 0)) as DownMessage;
    expect((report.reason as Error).message).toBe("got []");
  });
});

describe("node.stop()", () => {
  it("ends every process with reason shutdown and refuses new work", async () => {
    const node = startNode();
    const handler = node.spawn({ receive() {} });
    const body = node.spawn(sleeper, { name: "named" });
    const inbox = node.inbox({ trapExit: true });
    inbox.link(body);
    inbox.link(handler);
    expect(node.processes()).toEqual([handler, body, inbox.pid]);

    await node.stop();
    expect(node.stopped).toBe(true);
    expect(node.processes()).toEqual([]);
    for (const pid of [handler, body, inbox.pid]) {
      expect(node.isAlive(pid)).toBe(false);
      expect(node.processInfo(pid)).toBeUndefined();
    }
    expect(node.registered()).toEqual([]);
    // The trapping inbox was stopped too, not sent EXITs: its context now reports its own reason.
    let thrown: unknown;
    try {
      inbox.send(body, "x");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProcessExitedError);
    expect((thrown as ProcessExitedError).reason).toBe("shutdown");
    expect(() => inbox.tryReceive()).toThrow(ProcessExitedError);

    expect(() => node.spawn(sleeper)).toThrow(BadArgError);
    expect(() => node.inbox()).toThrow(BadArgError);
    expect(() => node.send(body, "dropped")).not.toThrow();
    await node.stop(); // idempotent
    expect(node.stopped).toBe(true);
  });

  it("a pending receive of a stopped process never settles", async () => {
    const node = startNode();
    const inbox = node.inbox();
    let settled = false;
    inbox.receive().then(
      () => (settled = true),
      () => (settled = true),
    );
    await node.stop();
    await node.idle();
    expect(settled).toBe(false);
  });
});

describe("introspection", () => {
  it("processInfo reports a process's state", async () => {
    const node = startNode();
    const inbox = node.inbox({ name: "observer" });
    async function worker(self: ProcessContext): Promise<void> {
      self.send(inbox.pid, "hello");
      self.send(inbox.pid, "again");
      await self.receive((m) => m === "stop");
    }
    const pid = node.spawn(worker, { trapExit: true });
    const ref = inbox.monitor(pid);
    inbox.link(pid);
    node.send(pid, "not now");
    await node.idle();

    const info = node.processInfo(pid)!;
    expect(info.pid).toBe(pid);
    expect(info.status).toBe("waiting");
    expect(info.registeredName).toBeUndefined();
    expect(info.initialCall).toBe("function worker");
    expect(info.messageQueueLength).toBe(1);
    expect(info.messagesIn).toBe(1);
    expect(info.messagesOut).toBe(2);
    expect(info.trapExit).toBe(true);
    expect(info.links).toEqual([inbox.pid]);
    expect(info.monitors).toEqual([]);
    expect(info.monitoredBy).toEqual([inbox.pid]);
    expect(info.memory).toBeGreaterThan(0);

    const mine = node.processInfo(inbox.pid)!;
    expect(mine.registeredName).toBe("observer");
    expect(mine.initialCall).toBe("inbox");
    expect(mine.trapExit).toBe(false);
    expect(mine.messageQueueLength).toBe(2);
    expect(mine.monitors).toHaveLength(1);
    expect(mine.monitors[0]!.ref.equals(ref)).toBe(true);
    expect(mine.monitors[0]!.item).toBe(pid);

    class Counter {
      receive() {}
    }
    expect(node.processInfo(node.spawn(new Counter()))?.initialCall).toBe("handler Counter");
    expect(node.processInfo(node.spawn({ receive() {} }))?.initialCall).toBe("handler Object");
  });

  it("status tells runnable, running and waiting apart", async () => {
    const node = startNode();
    let release!: () => void;
    const busy = node.spawn({
      receive: () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }),
    });
    const idle = node.spawn({ receive() {} });
    expect(node.processInfo(idle)?.status).toBe("waiting");
    node.send(busy, "work");
    expect(node.processInfo(busy)?.status).toBe("runnable");
    await node.idle();
    expect(node.processInfo(busy)?.status).toBe("running");
    release();
    await node.idle();
    expect(node.processInfo(busy)?.status).toBe("waiting");
  });

  it("processes() lists live processes in spawn order", async () => {
    const node = startNode();
    expect(node.processes()).toEqual([]);
    const a = node.spawn(sleeper);
    const b = node.spawn(() => {});
    const c = node.inbox().pid;
    expect(node.processes()).toEqual([a, b, c]);
    await node.idle();
    expect(node.processes()).toEqual([a, c]);
    node.send(a, "stop");
    await node.idle();
    expect(node.processes()).toEqual([c]);
  });

  it("two nodes in one realm keep separate tables, names and timers", async () => {
    const a = startNode("left");
    const b = startNode("right");
    const pa = a.spawn(sleeper, { name: "same" });
    const pb = b.spawn(sleeper, { name: "same" });
    a.sendAfter(10, pa, "x");
    expect(a.whereis("same")).toBe(pa);
    expect(b.whereis("same")).toBe(pb);
    expect(a.isAlive(pb)).toBe(false);
    expect(a.processes()).toEqual([pa]);
    expect(b.processes()).toEqual([pb]);
    expect(a.timerCount).toBe(1);
    expect(b.timerCount).toBe(0);
    await a.stop();
    expect(b.isAlive(pb)).toBe(true);
    expect(b.whereis("same")).toBe(pb);
  });
});

describe("Inbox", () => {
  it("close ends the inbox with the given reason, seen by a monitor", async () => {
    const node = Node.start({ name: "inbox-close", clock: new VirtualClock() });
    const watcher = node.inbox();
    const inbox = node.inbox();
    const ref = watcher.monitor(inbox.pid);
    inbox.close("done");
    expect(node.isAlive(inbox.pid)).toBe(false);
    const down = await watcher.receive(isDown(ref));
    expect(down.reason).toBe("done");
    expect(() => inbox.send(watcher.pid, 1)).toThrow(ProcessExitedError);
    await node.stop();
  });

  it("close defaults to reason normal", async () => {
    const node = Node.start({ name: "inbox-close2", clock: new VirtualClock() });
    const watcher = node.inbox();
    const inbox = node.inbox();
    const ref = watcher.monitor(inbox.pid);
    inbox.close();
    expect((await watcher.receive(isDown(ref))).reason).toBe("normal");
    await node.stop();
  });
});

describe("receive timeout validation (after_SUITE receive_after_errors)", () => {
  it("rejects a negative or NaN timeout with BadArgError", async () => {
    const node = Node.start({ name: "recv-bad", clock: new VirtualClock() });
    const inbox = node.inbox();
    expect(() => inbox.receive(undefined, -1)).toThrow(BadArgError);
    expect(() => inbox.receive(undefined, Number.NaN)).toThrow(BadArgError);
    await node.stop();
  });
});
