/**
 * Registered names: register / unregister / whereis, sending by name, `{ name, node }` and
 * `{ via, name }` destinations, and names released by exiting processes. Cases named after OTP's
 * process_SUITE and monitor_SUITE keep their upstream names.
 */
import { describe, expect, it } from "vitest";
import {
  BadArgError,
  type DownMessage,
  isDown,
  type Node,
  Pid,
  type ProcessContext,
  Ref,
  type ViaRegistry,
} from "../src/index.js";
import { drain, useNodes } from "./support.js";

const start = useNodes("names");
const startNode = (name?: string): Node => start(name === undefined ? {} : { name }).node;

/** A process that waits for "stop" (or for `{ exit: reason }`). */
const sleeper = async (self: ProcessContext): Promise<void> => {
  const m = await self.receive((m) => m === "stop" || (typeof m === "object" && m !== null && "exit" in m));
  if (m !== "stop") self.exit((m as { exit: unknown }).exit);
};

describe("register / whereis / unregister", () => {
  it("registers a pid, finds it, lists it, and removes it", async () => {
    const node = startNode();
    const pid = node.spawn(sleeper);
    expect(node.whereis("worker")).toBeUndefined();
    node.register("worker", pid);
    expect(node.whereis("worker")).toBe(pid);
    expect(node.registered()).toEqual(["worker"]);
    expect(node.processInfo(pid)?.registeredName).toBe("worker");
    node.unregister("worker");
    expect(node.whereis("worker")).toBeUndefined();
    expect(node.registered()).toEqual([]);
    expect(node.processInfo(pid)?.registeredName).toBeUndefined();
    // The process can be registered again, under another name.
    node.register("worker2", pid);
    expect(node.whereis("worker2")).toBe(pid);
  });

  it("a process registers itself, or another live local pid, and whereis works from inside", async () => {
    const node = startNode();
    const other = node.spawn(sleeper);
    const seen: unknown[] = [];
    node.spawn((self) => {
      self.register("me");
      self.register("other", other);
      seen.push(self.whereis("me"), self.whereis("other"), self.pid);
    });
    await node.idle();
    expect(seen[0]).toBe(seen[2]);
    expect(seen[1]).toBe(other);
    // The registering process has exited since, and its name went with it.
    expect(node.whereis("me")).toBeUndefined();
    expect(node.whereis("other")).toBe(other);
  });

  it("bad_register: invalid names and things that are not live local pids throw BadArgError", async () => {
    const node = startNode();
    const inbox = node.inbox();
    const [dead, ref] = inbox.spawnMonitor(() => {});
    await node.idle();
    expect(((await inbox.receive(isDown(ref), 0)) as DownMessage).reason).toBe("normal");

    const badNames = ["", "undefined", { bad: "name" }, ["bad", "name"], 42, undefined];
    for (const name of badNames) {
      expect(() => node.register(name as string, inbox.pid)).toThrow(BadArgError);
      expect(() => inbox.register(name as string)).toThrow(BadArgError);
    }
    const badProcs: unknown[] = [dead, node.makeRef(), [], { bad: "process" }, new Uint8Array(0)];
    for (const proc of badProcs) {
      expect(() => node.register("some_name", proc as Pid)).toThrow(BadArgError);
      expect(() => inbox.register("some_name", proc as Pid)).toThrow(BadArgError);
    }
    // Name ! anything_goes: nothing got registered, so every one of these sends fails too.
    for (const name of ["undefined", "some_name"]) {
      expect(() => node.send(name, "anything_goes")).toThrow(BadArgError);
      expect(() => inbox.send(name, "anything_goes")).toThrow(BadArgError);
    }
    expect(node.registered()).toEqual([]);
  });

  it("a pid on another node, or of an older incarnation, cannot be registered here", () => {
    const node = startNode();
    const inbox = node.inbox();
    const elsewhere = startNode("names_elsewhere").inbox();
    expect(() => node.register("x", elsewhere.pid)).toThrow(BadArgError);
    expect(() => inbox.register("x", elsewhere.pid)).toThrow(BadArgError);
    const { id, serial, creation } = inbox.pid;
    const old = new Pid(node.name, id, serial, creation === 1 ? 2 : creation - 1);
    expect(() => node.register("x", old)).toThrow(BadArgError);
    expect(node.whereis("x")).toBeUndefined();
  });

  it("a taken name, or a pid that already has a name, throws and keeps the first registration", () => {
    const node = startNode();
    const a = node.spawn(sleeper);
    const b = node.spawn(sleeper);
    node.register("a", a);
    expect(() => node.register("a", b)).toThrow(BadArgError);
    expect(() => node.register("a", a)).toThrow(BadArgError);
    expect(() => node.register("other", a)).toThrow(BadArgError);
    expect(node.whereis("a")).toBe(a);
    expect(node.whereis("other")).toBeUndefined();
    expect(node.registered()).toEqual(["a"]);
  });

  it("unregister of a name nobody has throws BadArgError; any process may unregister any name", async () => {
    const node = startNode();
    const inbox = node.inbox();
    expect(() => node.unregister("nobody")).toThrow(BadArgError);
    expect(() => inbox.unregister("nobody")).toThrow(BadArgError);
    const target = node.spawn(sleeper, { name: "target" });
    inbox.unregister("target");
    expect(node.whereis("target")).toBeUndefined();
    expect(node.isAlive(target)).toBe(true);
    expect(() => inbox.unregister("target")).toThrow(BadArgError);
  });
});

describe("sending by name", () => {
  it("delivers to the registered process; an unregistered name throws BadArgError", async () => {
    const node = startNode();
    const inbox = node.inbox({ name: "box" });
    node.send("box", 1);
    inbox.send("box", 2);
    expect(() => node.send("nobox", 3)).toThrow(BadArgError);
    expect(() => inbox.send("nobox", 3)).toThrow(BadArgError);
    const caught: unknown[] = [];
    node.spawn((self) => {
      self.send("box", 4);
      try {
        self.send("nobox", 5);
      } catch (error) {
        caught.push(error);
      }
    });
    await node.idle();
    expect(caught).toHaveLength(1);
    expect(caught[0]).toBeInstanceOf(BadArgError);
    expect(await drain(inbox)).toEqual([1, 2, 4]);
  });

  it("a destination that is no pid, name, { name, node } or { via, name } throws BadArgError", () => {
    const node = startNode();
    const inbox = node.inbox();
    for (const bad of [42, null, true, Symbol("x"), {}, { name: 1, node: node.name }, { name: "x" }]) {
      expect(() => node.send(bad as unknown as Pid, "x")).toThrow(BadArgError);
      expect(() => inbox.send(bad as unknown as Pid, "x")).toThrow(BadArgError);
    }
  });

  it("{ name, node } never throws: a local name that is not registered, an unknown node", async () => {
    const node = startNode();
    const inbox = node.inbox({ name: "box" });
    expect(() => node.send({ name: "nobody", node: node.name }, "dropped")).not.toThrow();
    expect(() => inbox.send({ name: "nobody", node: node.name }, "dropped")).not.toThrow();
    expect(() => node.send({ name: "box", node: "no_such_node" }, "dropped")).not.toThrow();
    expect(() => inbox.send({ name: "box", node: "no_such_node" }, "dropped")).not.toThrow();
    node.send({ name: "box", node: node.name }, "delivered");
    expect(await drain(inbox)).toEqual(["delivered"]);
  });

  it("a name is resolved at send time: after unregister the old owner gets nothing more", async () => {
    const node = startNode();
    const first = node.inbox({ name: "svc" });
    node.send("svc", "to first");
    node.unregister("svc");
    const second = node.inbox({ name: "svc" });
    node.send("svc", "to second");
    expect(await drain(first)).toEqual(["to first"]);
    expect(await drain(second)).toEqual(["to second"]);
  });
});

describe("names and exiting processes", () => {
  it("named_down: when the DOWN arrives the name is free to register again", async () => {
    const node = startNode();
    const inbox = node.inbox();
    const named = node.spawn(sleeper, { name: "named_down" });
    const ref = inbox.monitor("named_down");
    node.send(named, { exit: "bang" });
    await node.idle();
    const down = (await inbox.receive(isDown(ref), 0)) as DownMessage;
    expect(down.reason).toBe("bang");
    expect(down.item).toEqual({ name: "named_down", node: node.name });
    expect(node.whereis("named_down")).toBeUndefined();
    inbox.register("named_down");
    expect(node.whereis("named_down")).toBe(inbox.pid);
    inbox.unregister("named_down");
    expect(node.registered()).toEqual([]);
  });

  it("a watcher may take over the name in the very handler that receives the DOWN", async () => {
    const node = startNode();
    const inbox = node.inbox();
    const named = node.spawn(sleeper, { name: "svc" });
    const results: unknown[] = [];
    node.spawn({
      init(self: ProcessContext) {
        self.monitor(named);
      },
      receive(m: unknown, self: ProcessContext) {
        if (!isDown()(m)) return;
        try {
          self.register("svc");
          results.push(self.whereis("svc")?.equals(self.pid));
        } catch (error) {
          results.push(error);
        }
        self.send(inbox.pid, "took over");
      },
    });
    await node.idle();
    node.send("svc", "stop");
    expect(await drain(inbox)).toEqual(["took over"]);
    expect(results).toEqual([true]);
    expect(node.whereis("svc")).not.toBe(named);
  });

  it("names are released on a normal exit, a kill, and node.stop()", async () => {
    const node = startNode();
    node.spawn(() => {}, { name: "brief" });
    const victim = node.spawn(sleeper, { name: "victim" });
    node.spawn(sleeper, { name: "survivor" });
    await node.idle();
    expect(node.whereis("brief")).toBeUndefined();
    node.exit(victim, "kill");
    expect(node.whereis("victim")).toBeUndefined();
    expect(node.registered()).toEqual(["survivor"]);
    await node.stop();
    expect(node.registered()).toEqual([]);
  });
});

describe("spawn with { name }", () => {
  it("registers before the process first runs", async () => {
    const node = startNode();
    const inbox = node.inbox();
    const pid = node.spawn(
      async (self) => {
        self.send(inbox.pid, await self.receive());
      },
      { name: "early" },
    );
    expect(node.whereis("early")).toBe(pid);
    node.send("early", "hello"); // before the body has started
    expect(await drain(inbox)).toEqual(["hello"]);
  });

  it("with a taken or invalid name throws BadArgError and starts nothing", async () => {
    const node = startNode();
    const inbox = node.inbox({ name: "taken" });
    const ran: string[] = [];
    const before = node.processes();
    expect(() => node.spawn(() => void ran.push("body"), { name: "taken" })).toThrow(BadArgError);
    expect(() => inbox.spawn({ init: () => void ran.push("init"), receive() {} }, { name: "taken" })).toThrow(
      BadArgError,
    );
    expect(() => inbox.spawnLink(() => void ran.push("linked"), { name: "" })).toThrow(BadArgError);
    expect(() => node.inbox({ name: "undefined" })).toThrow(BadArgError);
    await node.idle();
    expect(ran).toEqual([]);
    expect(node.processes()).toEqual(before);
    expect(node.processInfo(inbox.pid)?.links).toEqual([]);
    expect(node.whereis("taken")).toBe(inbox.pid);
  });

  it("spawnMonitor and spawnLink accept a name too", async () => {
    const node = startNode();
    const inbox = node.inbox();
    const [pid, ref] = inbox.spawnMonitor(sleeper, { name: "monitored" });
    const linked = inbox.spawnLink(sleeper, { name: "linked" });
    expect(node.whereis("monitored")).toBe(pid);
    expect(node.whereis("linked")).toBe(linked);
    expect(ref).toBeInstanceOf(Ref);
    node.send("monitored", "stop");
    await node.idle();
    expect(node.whereis("monitored")).toBeUndefined();
  });
});

/**
 * A minimal `{ via, name }` registry: names are any JSON value, kept in a map, and dropped when their
 * process ends (a watcher process monitors them).
 */
class WatchedRegistry implements ViaRegistry {
  readonly names = new Map<string, Pid>();
  readonly watcher: Pid;
  readonly node: Node;

  constructor(node: Node) {
    this.node = node;
    const names = this.names;
    this.watcher = node.spawn({
      receive(m: unknown, self: ProcessContext) {
        if (isDown()(m)) {
          for (const [key, pid] of names) if (pid.equals(m.item)) names.delete(key);
        } else {
          self.monitor(m as Pid);
        }
      },
    });
  }

  registerName(name: unknown, pid: Pid): boolean {
    const key = JSON.stringify(name);
    if (this.names.has(key) || !this.node.isAlive(pid)) return false;
    this.names.set(key, pid);
    this.node.send(this.watcher, pid);
    return true;
  }

  unregisterName(name: unknown): void {
    this.names.delete(JSON.stringify(name));
  }

  whereisName(name: unknown): Pid | undefined {
    return this.names.get(JSON.stringify(name));
  }

  send(name: unknown, message: unknown): void {
    const pid = this.whereisName(name);
    if (pid === undefined) throw new BadArgError(`not registered: ${JSON.stringify(name)}`);
    this.node.send(pid, message);
  }
}

describe("ViaRegistry", () => {
  it("send({ via, name }) goes through the registry, and throws when the name is unknown", async () => {
    const node = startNode();
    const via = new WatchedRegistry(node);
    const room = node.inbox();
    expect(via.registerName(["room", 7], room.pid)).toBe(true);
    expect(via.registerName(["room", 7], node.inbox().pid)).toBe(false);
    expect(via.whereisName(["room", 7])).toBe(room.pid);
    const sender = node.inbox();
    sender.send({ via, name: ["room", 7] }, "hello");
    node.send({ via, name: ["room", 7] }, "from outside");
    expect(() => sender.send({ via, name: ["room", 8] }, "lost")).toThrow(BadArgError);
    expect(() => node.send({ via, name: ["room", 7] }, undefined)).toThrow(BadArgError);
    expect(await drain(room)).toEqual(["hello", "from outside"]);
    via.unregisterName(["room", 7]);
    expect(() => sender.send({ via, name: ["room", 7] }, "lost")).toThrow(BadArgError);
  });

  it("a registry that watches its processes forgets a name when its process exits", async () => {
    const node = startNode();
    const via = new WatchedRegistry(node);
    const worker = node.spawn(sleeper);
    expect(via.registerName("job", worker)).toBe(true);
    await node.idle();
    node.send({ via, name: "job" }, "stop");
    await node.idle();
    expect(node.isAlive(worker)).toBe(false);
    expect(via.whereisName("job")).toBeUndefined();
    const inbox = node.inbox();
    expect(() => inbox.send({ via, name: "job" }, "again")).toThrow(BadArgError);
    expect(via.registerName("job", inbox.pid)).toBe(true);
  });
});
