/**
 * The DistributionPort contract, exercised with a small in-memory network: several nodes in one OS
 * process, each with a port that encodes every signal with the core codec and delivers it to the other
 * node's host on a microtask (in order per pair of nodes), or "cuts" a connection with nodeDown on both
 * sides. Covers remote send, links, monitors, nodedown, and a node with no transport at all.
 *
 * Over 400 lines because the fake network and every signal kind it carries belong together.
 */
import { describe, expect, it } from "vitest";
import {
  decode,
  type DistributionHost,
  type DistributionPort,
  type DownMessage,
  encode,
  type ExitMessage,
  type Inbox,
  isDown,
  isExit,
  type Node,
  NodeMessage,
  type Pid,
  type ProcessContext,
  Ref,
  type Signal,
  type Transport,
} from "../src/index.js";
import { drain, useNodes } from "./support.js";

/** An in-memory network: connections between named hosts, every signal a msgpack frame. */
class FakeNet {
  private readonly hosts = new Map<string, DistributionHost>();
  private readonly connected = new Set<string>();
  private readonly blocked = new Set<string>();
  /** Bumped by a cut, so that frames in flight on the old connection are lost. */
  private readonly epochs = new Map<string, number>();
  /** Every frame sent, as `from>to:kind`. */
  readonly log: string[] = [];
  bytes = 0;

  readonly transport: Transport = (host) => {
    this.hosts.set(host.name, host);
    const port: DistributionPort = {
      send: (node, signal) => this.send(host.name, node, signal),
      nodes: () => this.peers(host.name),
      stop: () => this.leave(host.name),
    };
    return port;
  };

  private static pair(a: string, b: string): string {
    return a < b ? `${a}|${b}` : `${b}|${a}`;
  }

  peers(name: string): string[] {
    return [...this.hosts.keys()].filter((n) => n !== name && this.connected.has(FakeNet.pair(name, n)));
  }

  connect(a: string, b: string): void {
    const key = FakeNet.pair(a, b);
    if (this.connected.has(key) || this.blocked.has(key)) return;
    const ha = this.hosts.get(a);
    const hb = this.hosts.get(b);
    if (ha === undefined || hb === undefined) return;
    this.connected.add(key);
    ha.nodeUp(b);
    hb.nodeUp(a);
  }

  /** A network cut: frames in flight are lost, and both sides see the other go down. */
  disconnect(a: string, b: string): void {
    const key = FakeNet.pair(a, b);
    if (!this.connected.delete(key)) return;
    this.epochs.set(key, (this.epochs.get(key) ?? 0) + 1);
    this.hosts.get(a)?.nodeDown(b);
    this.hosts.get(b)?.nodeDown(a);
  }

  /** Keeps `a` and `b` apart: no connection can be made until `unblock`. */
  block(a: string, b: string): void {
    this.blocked.add(FakeNet.pair(a, b));
    this.disconnect(a, b);
  }

  private send(from: string, to: string, signal: Signal): boolean {
    const key = FakeNet.pair(from, to);
    // Like Erlang, the first signal to a node sets up the connection.
    if (!this.connected.has(key)) this.connect(from, to);
    if (!this.connected.has(key)) return false;
    const frame = encode(signal);
    this.bytes += frame.length;
    this.log.push(`${from}>${to}:${signal.kind}`);
    const epoch = this.epochs.get(key) ?? 0;
    queueMicrotask(() => {
      if ((this.epochs.get(key) ?? 0) !== epoch) return;
      this.hosts.get(to)?.deliver(from, decode(frame) as Signal);
    });
    return true;
  }

  /** A node stops: what it already sent still arrives, then its peers see it go down. */
  private leave(name: string): Promise<void> {
    return new Promise((resolve) =>
      queueMicrotask(() => {
        for (const peer of this.peers(name)) this.disconnect(name, peer);
        this.hosts.delete(name);
        resolve();
      }),
    );
  }
}

const start = useNodes("dist");

const startNodes = (...names: string[]): { net: FakeNet; nodes: Node[] } => {
  const net = new FakeNet();
  return { net, nodes: names.map((name) => start({ name, transport: net.transport }).node) };
};

const startAlone = (name: string): Node => start({ name }).node;

/** Takes the message `match` accepts once everything is quiet; fails if there is none. */
const take = async <T>(inbox: Inbox, match: (m: unknown) => m is T): Promise<T> => {
  await inbox.node.idle();
  const message = await inbox.receive(match, 0);
  expect(message, "expected message is missing").toBeDefined();
  return message as T;
};

/** Waits for "stop" or `{ exit: reason }`. */
const sleeper = async (self: ProcessContext): Promise<void> => {
  const m = await self.receive((m) => m === "stop" || (typeof m === "object" && m !== null && "exit" in m));
  if (m !== "stop") self.exit((m as { exit: unknown }).exit);
};

/** Replies to `{ from, body }` with `{ echo: body, by: self.pid, from }`, forever. */
const echo = async (self: ProcessContext): Promise<void> => {
  for (;;) {
    const { from, body } = await self.receive<{ from: Pid; body: unknown }>();
    self.send(from, { echo: body, by: self.pid, from });
  }
};

describe("remote send", () => {
  it("to a pid and to { name, node }, with replies back to the sender's pid", async () => {
    const { net, nodes } = startNodes("a", "b");
    const [a, b] = nodes as [Node, Node];
    const server = b.spawn(echo, { name: "echo" });
    const inbox = a.inbox();
    inbox.send(server, { from: inbox.pid, body: "by pid" });
    inbox.send({ name: "echo", node: "b" }, { from: inbox.pid, body: "by name" });
    a.send({ name: "echo", node: "b" }, { from: inbox.pid, body: "from outside" });
    const replies = (await drain(inbox)) as Array<{ echo: string; by: Pid; from: Pid }>;
    expect(replies.map((r) => r.echo)).toEqual(["by pid", "by name", "from outside"]);
    for (const reply of replies) {
      // Decoded on arrival, a live local pid is the process's own object again, on both sides.
      expect(reply.from).toBe(inbox.pid);
      expect(reply.by).toBe(server);
    }
    expect(a.nodes()).toEqual(["b"]);
    expect(b.nodes()).toEqual(["a"]);
    expect(net.log.filter((f) => f.endsWith(":send"))).toEqual([
      "a>b:send",
      "a>b:send",
      "a>b:send",
      "b>a:send",
      "b>a:send",
      "b>a:send",
    ]);
  });

  it("never throws for a dead remote pid or an unregistered remote name; the message is dropped", async () => {
    const { nodes } = startNodes("a", "b");
    const [a, b] = nodes as [Node, Node];
    const gone = b.spawn(() => {});
    await a.idle();
    const inbox = a.inbox();
    const bystander = b.inbox({ name: "bystander" });
    expect(() => inbox.send(gone, "lost")).not.toThrow();
    expect(() => inbox.send({ name: "nobody", node: "b" }, "lost")).not.toThrow();
    expect(() => inbox.send({ name: "echo", node: "no_such_node" }, "lost")).not.toThrow();
    inbox.send({ name: "bystander", node: "b" }, "kept");
    expect(await drain(bystander)).toEqual(["kept"]);
  });

  it("messages between two processes keep their order across the wire", async () => {
    const { nodes } = startNodes("a", "b");
    const [a, b] = nodes as [Node, Node];
    const inbox = b.inbox();
    a.spawn((self) => {
      for (let i = 0; i < 200; i++) self.send(inbox.pid, i);
    });
    expect(await drain(inbox)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it("pids, refs, errors and containers inside messages survive encode/decode", async () => {
    const { net, nodes } = startNodes("a", "b");
    const [a, b] = nodes as [Node, Node];
    const server = b.spawn(echo);
    const inbox = a.inbox();
    const other = a.spawn(sleeper);
    const ref = inbox.makeRef();
    const body = {
      pids: [inbox.pid, other, server],
      ref,
      byPid: new Map([[other.key, other]]),
      error: Object.assign(new Error("carried", { cause: "why" }), { at: other }),
      big: 2n ** 70n,
      bytes: new Uint8Array([9, 8, 7]),
      missing: undefined,
    };
    const before = net.bytes;
    inbox.send(server, { from: inbox.pid, body });
    const [reply] = (await drain(inbox)) as Array<{ echo: typeof body }>;
    expect(net.bytes).toBeGreaterThan(before);
    const back = reply!.echo;
    expect(back).not.toBe(body);
    expect(back.pids[0]).toBe(inbox.pid);
    expect(back.pids[1]).toBe(other);
    expect(back.pids[2]).toBe(server);
    expect(back.ref).not.toBe(ref);
    expect(back.ref).toBeInstanceOf(Ref);
    expect(back.ref.equals(ref)).toBe(true);
    expect(back.byPid.get(other.key)).toBe(other);
    expect(back.error).toBeInstanceOf(Error);
    expect(back.error.message).toBe("carried");
    expect(back.error.cause).toBe("why");
    expect(back.error.at).toBe(other);
    expect(back.big).toBe(2n ** 70n);
    expect(back.bytes).toEqual(new Uint8Array([9, 8, 7]));
    expect(Object.hasOwn(back, "missing")).toBe(true);
  });
});

describe("remote links", () => {
  it("a remote crash reaches a trapping process as EXIT with the remote reason", async () => {
    const { nodes } = startNodes("a", "b");
    const [a, b] = nodes as [Node, Node];
    const inbox = a.inbox({ trapExit: true });
    const remote = b.spawn(async (self) => {
      await self.receive((m) => m === "crash");
      throw new RangeError("remote boom");
    });
    inbox.link(remote);
    await a.idle();
    expect(a.processInfo(inbox.pid)?.links).toEqual([remote]);
    expect(b.processInfo(remote)?.links).toEqual([inbox.pid]);
    inbox.send(remote, "crash");
    const exit = await take(inbox, isExit(remote));
    expect(exit.from.equals(remote)).toBe(true);
    expect(exit.reason).toBeInstanceOf(Error);
    expect((exit.reason as Error).name).toBe("RangeError");
    expect((exit.reason as Error).message).toBe("remote boom");
    expect(a.processInfo(inbox.pid)?.links).toEqual([]);
  });

  it("a remote crash kills a linked process that does not trap exits, with the remote reason", async () => {
    const { nodes } = startNodes("a", "b");
    const [a, b] = nodes as [Node, Node];
    const remote = b.spawn(sleeper);
    const local = a.spawn(async (self) => {
      self.link(remote);
      await self.receive((m) => m === "never");
    });
    const watcher = a.inbox();
    const ref = watcher.monitor(local);
    await a.idle();
    b.send(remote, { exit: "remote_reason" });
    const down = await take(watcher, isDown(ref));
    expect(down.reason).toBe("remote_reason");
    expect(a.isAlive(local)).toBe(false);
  });

  it("a local exit travels the other way, and a remote normal exit is ignored unless trapped", async () => {
    const { nodes } = startNodes("a", "b");
    const [a, b] = nodes as [Node, Node];
    const remoteTrapper = b.inbox({ trapExit: true });
    const remoteSleeper = b.spawn(sleeper);
    const local = a.spawn(async (self) => {
      self.link(remoteTrapper.pid);
      self.link(remoteSleeper);
      await self.receive((m) => m === "finish");
    });
    await a.idle();
    a.send(local, "finish"); // exits normal
    const exit = await take(remoteTrapper, isExit(local));
    expect(exit.reason).toBe("normal");
    expect(b.isAlive(remoteSleeper)).toBe(true);
    expect(b.processInfo(remoteSleeper)?.links).toEqual([]);
  });

  it("link to a dead remote pid gives EXIT noproc and no link", async () => {
    const { nodes } = startNodes("a", "b");
    const [a, b] = nodes as [Node, Node];
    const dead = b.spawn(() => {});
    await a.idle();
    const inbox = a.inbox({ trapExit: true });
    inbox.link(dead);
    const exit = await take(inbox, isExit(dead));
    expect(exit.reason).toBe("noproc");
    expect(a.processInfo(inbox.pid)?.links).toEqual([]);
  });

  it("after unlink, a remote crash no longer arrives", async () => {
    const { nodes } = startNodes("a", "b");
    const [a, b] = nodes as [Node, Node];
    const inbox = a.inbox({ trapExit: true });
    const remote = b.spawn(sleeper);
    inbox.link(remote);
    await a.idle();
    inbox.unlink(remote);
    await a.idle();
    expect(b.processInfo(remote)?.links).toEqual([]);
    b.send(remote, { exit: "late" });
    expect(await drain(inbox)).toEqual([]);
  });

  it("exit(pid, reason) reaches a remote process", async () => {
    const { nodes } = startNodes("a", "b");
    const [a, b] = nodes as [Node, Node];
    const remote = b.spawn(sleeper);
    const trapping = b.inbox({ trapExit: true });
    const watcher = a.inbox();
    const ref = watcher.monitor(remote);
    watcher.exit(remote, "kill");
    watcher.exit(trapping.pid, "please");
    expect((await take(watcher, isDown(ref))).reason).toBe("killed");
    const exit = await take(trapping, isExit(watcher.pid));
    expect(exit.reason).toBe("please");
  });
});

describe("remote monitors", () => {
  it("DOWN carries the remote reason, and messages sent before the exit come first", async () => {
    const { nodes } = startNodes("a", "b");
    const [a, b] = nodes as [Node, Node];
    const inbox = a.inbox();
    const remote = b.spawn(async (self) => {
      const from = await self.receive<Pid>();
      self.send(from, "last words");
      self.exit({ shutdown: "bye" });
    });
    const ref = inbox.monitor(remote);
    await a.idle();
    expect(b.processInfo(remote)?.monitoredBy).toEqual([inbox.pid]);
    inbox.send(remote, inbox.pid);
    const [words, down] = await drain(inbox);
    expect(words).toBe("last words");
    expect(down).toMatchObject({ kind: "DOWN", reason: { shutdown: "bye" } });
    expect((down as DownMessage).ref.equals(ref)).toBe(true);
    // The pid came back over the wire after its process died: an equal pid, not the dead one's object.
    expect((down as DownMessage).item).toEqual(remote);
    expect(((down as DownMessage).item as Pid).equals(remote)).toBe(true);
    expect(a.processInfo(inbox.pid)?.monitors).toEqual([]);
  });

  it("a remote pid that is already dead gives DOWN noproc", async () => {
    const { nodes } = startNodes("a", "b");
    const [a, b] = nodes as [Node, Node];
    const dead = b.spawn(() => {});
    await a.idle();
    const inbox = a.inbox();
    const ref = inbox.monitor(dead);
    const down = await take(inbox, isDown(ref));
    expect(down.reason).toBe("noproc");
    expect((down.item as Pid).equals(dead)).toBe(true);
  });

  it("by { name, node }: DOWN names the pair; an unregistered remote name gives noproc", async () => {
    const { nodes } = startNodes("a", "b");
    const [a, b] = nodes as [Node, Node];
    const named = b.spawn(sleeper, { name: "svc" });
    const inbox = a.inbox();
    const ref = inbox.monitor({ name: "svc", node: "b" });
    const missing = inbox.monitor({ name: "nobody", node: "b" });
    const noproc = await take(inbox, isDown(missing));
    expect(noproc.reason).toBe("noproc");
    expect(noproc.item).toEqual({ name: "nobody", node: "b" });
    expect(b.processInfo(named)?.monitoredBy).toEqual([inbox.pid]);
    b.send(named, { exit: "crashed" });
    const down = await take(inbox, isDown(ref));
    expect(down.reason).toBe("crashed");
    expect(down.item).toEqual({ name: "svc", node: "b" });
  });

  it("demonitor stops a remote DOWN and clears the remote side", async () => {
    const { nodes } = startNodes("a", "b");
    const [a, b] = nodes as [Node, Node];
    const remote = b.spawn(sleeper);
    const inbox = a.inbox();
    const ref = inbox.monitor(remote);
    await a.idle();
    expect(b.processInfo(remote)?.monitoredBy).toHaveLength(1);
    inbox.demonitor(ref);
    await a.idle();
    expect(b.processInfo(remote)?.monitoredBy).toEqual([]);
    b.send(remote, { exit: "unseen" });
    expect(await drain(inbox)).toEqual([]);
  });

  it("a watcher that exits removes its monitor on the remote side", async () => {
    const { nodes } = startNodes("a", "b");
    const [a, b] = nodes as [Node, Node];
    const remote = b.spawn(sleeper);
    const watcher = a.spawn(async (self) => {
      self.monitor(remote);
      await self.receive((m) => m === "go away");
    });
    await a.idle();
    expect(b.processInfo(remote)?.monitoredBy).toEqual([watcher]);
    a.send(watcher, "go away");
    await a.idle();
    expect(b.processInfo(remote)?.monitoredBy).toEqual([]);
  });
});

describe("connection loss", () => {
  it("nodeDown fires links and monitors with noconnection on both sides", async () => {
    const { net, nodes } = startNodes("a", "b");
    const [a, b] = nodes as [Node, Node];
    const remote = b.spawn(sleeper);
    const remoteTrapper = b.inbox({ trapExit: true });
    const trapper = a.inbox({ trapExit: true });
    const doomed = a.spawn(async (self) => {
      self.link(remote);
      await self.receive((m) => m === "never");
    });
    const watcher = a.inbox();
    const doomedRef = watcher.monitor(doomed);
    const remoteRef = watcher.monitor(remote);
    trapper.link(remote);
    remoteTrapper.link(trapper.pid);
    await a.idle();
    expect(b.processInfo(remote)?.links).toHaveLength(2);

    net.disconnect("a", "b");
    expect(a.nodes()).toEqual([]);
    expect((await take(trapper, isExit(remote))).reason).toBe("noconnection");
    expect((await take(trapper, isExit(remoteTrapper.pid))).reason).toBe("noconnection");
    expect((await take(watcher, isDown(doomedRef))).reason).toBe("noconnection");
    const down = await take(watcher, isDown(remoteRef));
    expect(down.reason).toBe("noconnection");
    expect(down.item).toBe(remote);
    expect(a.isAlive(doomed)).toBe(false);
    expect(a.processInfo(trapper.pid)?.links).toEqual([]);
    expect(a.processInfo(watcher.pid)?.monitors).toEqual([]);

    // The other side: the remote sleeper was linked to `doomed` and `trapper`; it is not trapping.
    expect(b.isAlive(remote)).toBe(false);
    expect((await take(remoteTrapper, isExit(trapper.pid))).reason).toBe("noconnection");
    // Nothing else is queued anywhere.
    expect(await drain(trapper)).toEqual([]);
    expect(await drain(watcher)).toEqual([]);
  });

  it("signals in flight when the connection is cut are lost; nodeDown still reports the loss", async () => {
    const { net, nodes } = startNodes("a", "b");
    const [a, b] = nodes as [Node, Node];
    const remote = b.spawn(sleeper);
    const inbox = a.inbox();
    const ref = inbox.monitor(remote);
    await a.idle();
    b.exit(remote, "too late"); // the DOWN is now on the wire
    expect(b.isAlive(remote)).toBe(false);
    net.disconnect("a", "b");
    const downs = (await drain(inbox)) as DownMessage[];
    expect(downs).toHaveLength(1);
    expect(downs[0]!.ref.equals(ref)).toBe(true);
    expect(downs[0]!.reason).toBe("noconnection");
  });

  it("monitorNode delivers nodedown for each active subscription, and none after turning it off", async () => {
    const { net, nodes } = startNodes("a", "b");
    const [a] = nodes as [Node, Node];
    net.connect("a", "b");
    const twice = a.inbox();
    const off = a.inbox();
    twice.monitorNode("b", true);
    twice.monitorNode("b", true);
    off.monitorNode("b", true);
    off.monitorNode("b", false);
    net.disconnect("a", "b");
    const got = await drain(twice);
    expect(got).toEqual([
      new NodeMessage("nodedown", "b", "noconnection"),
      new NodeMessage("nodedown", "b", "noconnection"),
    ]);
    expect(got[0]).toBeInstanceOf(NodeMessage);
    expect(await drain(off)).toEqual([]);
  });

  it("monitorNode on a node that is not connected gives nodedown at once", async () => {
    const { net, nodes } = startNodes("a", "b");
    const [a] = nodes as [Node, Node];
    net.block("a", "b");
    const inbox = a.inbox();
    inbox.monitorNode("b", true);
    inbox.monitorNode("a", true); // its own node: never down while it runs
    expect(await drain(inbox)).toEqual([new NodeMessage("nodedown", "b", "noconnection")]);
  });

  it("a node that stops sends its processes' real exit reasons before its peers see it go", async () => {
    const { nodes } = startNodes("a", "b");
    const [a, b] = nodes as [Node, Node];
    const remote = b.spawn(sleeper);
    const inbox = a.inbox({ trapExit: true });
    const ref = inbox.monitor(remote);
    inbox.link(remote);
    await a.idle();
    inbox.monitorNode("b", true);
    await b.stop();
    const got = await drain(inbox);
    expect(got).toHaveLength(3);
    const exit = got.find(isExit(remote));
    const down = got.find(isDown(ref));
    expect(exit?.reason).toBe("shutdown");
    expect(down?.reason).toBe("shutdown");
    expect(got[2]).toEqual(new NodeMessage("nodedown", "b", "noconnection"));
    expect(a.nodes()).toEqual([]);
  });

  it("a blocked node cannot be reached: sends are dropped, links and monitors fire noconnection", async () => {
    const { net, nodes } = startNodes("a", "b");
    const [a, b] = nodes as [Node, Node];
    net.block("a", "b");
    const remote = b.inbox();
    const inbox = a.inbox({ trapExit: true });
    inbox.send(remote.pid, "dropped");
    const ref = inbox.monitor(remote.pid);
    inbox.link(remote.pid);
    expect((await take(inbox, isDown(ref))).reason).toBe("noconnection");
    expect((await take(inbox, isExit(remote.pid))).reason).toBe("noconnection");
    expect(await drain(remote)).toEqual([]);
    expect(net.log).toEqual([]);
  });
});

describe("runPending", () => {
  /** A node whose transport hands the test its host and sends nowhere. */
  const startWithHost = (name: string): { node: Node; host: DistributionHost } => {
    let host: DistributionHost | undefined;
    const { node } = start({
      name,
      transport: (h) => {
        host = h;
        return { send: () => true, nodes: () => [], stop: () => {} };
      },
    });
    return { node, host: host! };
  };

  it("runs the handler processes a delivered signal woke before it returns", async () => {
    const { node, host } = startWithHost("rp1");
    const seen: unknown[] = [];
    const pid = node.spawn({ receive: (m) => void seen.push(m) });
    await node.idle();
    host.deliver("peer", { kind: "send", to: pid, message: "hello" });
    expect(seen).toEqual([]); // scheduled, not run
    host.runPending();
    expect(seen).toEqual(["hello"]);
    host.runPending(); // nothing queued: nothing happens
    expect(seen).toEqual(["hello"]);
  });

  it("is a no-op from inside a process: the scheduler is already running", async () => {
    const { node, host } = startWithHost("rp2");
    const order: string[] = [];
    const second = node.spawn({ receive: () => void order.push("second ran") });
    const first = node.spawn({
      receive: () => {
        host.deliver("peer", { kind: "send", to: second, message: "go" });
        host.runPending();
        order.push("first returned");
      },
    });
    await node.idle();
    host.deliver("peer", { kind: "send", to: first, message: "go" });
    host.runPending();
    expect(order).toEqual(["first returned", "second ran"]);
  });
});

describe("a node without a transport", () => {
  it("drops remote sends silently and has no connections", async () => {
    const { nodes } = startNodes("b");
    const [b] = nodes as [Node];
    const alone = startAlone("alone");
    const target = b.inbox({ name: "target" });
    const inbox = alone.inbox();
    expect(() => inbox.send(target.pid, "lost")).not.toThrow();
    expect(() => alone.send({ name: "target", node: "b" }, "lost")).not.toThrow();
    expect(alone.nodes()).toEqual([]);
    expect(await drain(target)).toEqual([]);
  });

  it("gives DOWN noconnection for a remote monitor, by pid or by name", async () => {
    const alone = startAlone("alone");
    const remote = startAlone("elsewhere").inbox({ name: "svc" });
    const inbox = alone.inbox();
    const byPid = inbox.monitor(remote.pid);
    const byName = inbox.monitor({ name: "svc", node: "elsewhere" });
    const downs = (await drain(inbox)) as DownMessage[];
    expect(downs.map((d) => [d.ref.key, d.reason, d.item])).toEqual([
      [byPid.key, "noconnection", remote.pid],
      [byName.key, "noconnection", { name: "svc", node: "elsewhere" }],
    ]);
    expect(alone.processInfo(inbox.pid)?.monitors).toEqual([]);
  });

  it("gives EXIT noconnection to a trapping linker and kills one that does not trap", async () => {
    const alone = startAlone("alone");
    const remote = startAlone("elsewhere").inbox();
    const trapper = alone.inbox({ trapExit: true });
    trapper.link(remote.pid);
    const exit = (await take(trapper, isExit(remote.pid))) as ExitMessage;
    expect(exit.reason).toBe("noconnection");
    expect(alone.processInfo(trapper.pid)?.links).toEqual([]);

    const linker = alone.spawn(async (self) => {
      self.link(remote.pid);
      await self.receive();
    });
    const ref = trapper.monitor(linker);
    const down = await take(trapper, isDown(ref));
    expect(down.reason).toBe("noconnection");
  });

  it("monitorNode gives nodedown at once", async () => {
    const alone = startAlone("alone");
    const inbox = alone.inbox();
    inbox.monitorNode("elsewhere", true);
    expect(await drain(inbox)).toEqual([new NodeMessage("nodedown", "elsewhere", "noconnection")]);
  });
});
