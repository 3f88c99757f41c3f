/** A cluster's basics on the in-memory network: join, remote send, nodes(), nodeup, leave. */
import { isExit, NodeMessage, type Pid } from "@maquis/core";
import { describe, expect, it } from "vitest";
import { Rpc } from "../../src/rpc/index.js";
import { drain, settle, until, useCluster } from "./support.js";

const env = useCluster();
const { start, mesh } = env;

describe("join", () => {
  it("joins by address: both nodes see each other and the topology gossips the rest", async () => {
    const [a, b, c] = await mesh("a", "b", "c");
    expect(a!.node.nodes().sort()).toEqual(["b", "c"]);
    expect(b!.node.nodes().sort()).toEqual(["a", "c"]);
    expect(c!.node.nodes().sort()).toEqual(["a", "b"]);
    expect(
      c!.cluster
        .members()
        .map((m) => m.name)
        .sort(),
    ).toEqual(["a", "b"]);
  });

  it("monitorNodes subscribers get nodeup once the session is up", async () => {
    const a = await start("a");
    const b = await start("b");
    const inbox = a.node.inbox();
    inbox.monitorNodes(true);
    await b.cluster.syncJoin("memory://a");
    await until(() => a.cluster.isConnected("b"));
    expect(await drain(inbox)).toEqual([new NodeMessage("nodeup", "b")]);
  });

  it("a join to an address nobody listens on rejects with ClusterError unreachable", async () => {
    const a = await start("a");
    await expect(a.cluster.join("memory://nobody")).rejects.toMatchObject({
      name: "ClusterError",
      code: "unreachable",
    });
  });

  it("a wrong secret is refused and the node keeps running", async () => {
    const a = await start("a");
    const b = await start("b", { secret: "wrong" });
    await expect(b.cluster.join("memory://a")).rejects.toMatchObject({ code: "unreachable" });
    await settle();
    expect(a.node.nodes()).toEqual([]);
    expect(a.warnings.some((w) => w.includes("refused"))).toBe(true);
  });
});

describe("remote processes", () => {
  it("send by pid and by { name, node }; pids round-trip inside messages", async () => {
    const [a, b] = await mesh("a", "b");
    const echo = b!.node.spawn(
      async (self) => {
        for (;;) {
          const m = (await self.receive()) as { from: Pid; text: string };
          self.send(m.from, { echo: m.text, by: self.pid });
        }
      },
      { name: "echo" },
    );
    const inbox = a!.node.inbox();
    inbox.send(echo, { from: inbox.pid, text: "by pid" });
    inbox.send({ name: "echo", node: "b" }, { from: inbox.pid, text: "by name" });
    const replies = (await drain(inbox)) as Array<{ echo: string; by: Pid }>;
    expect(replies.map((r) => r.echo)).toEqual(["by pid", "by name"]);
    expect(replies[0]!.by.equals(echo)).toBe(true);
  });

  it("a remote call through core's request machinery", async () => {
    const [a, b] = await mesh("a", "b");
    b!.node.spawn(
      async (self) => {
        for (;;) {
          const m = (await self.receive()) as { replyTo: Parameters<typeof self.reply>[0]; n: number };
          self.reply(m.replyTo, m.n * 2);
        }
      },
      { name: "double" },
    );
    const inbox = a!.node.inbox();
    const result = await inbox.request({ name: "double", node: "b" }, (replyTo) => ({ replyTo, n: 21 }));
    expect(result).toBe(42);
  });

  it("a handler process answers a remote message within the read that brought it", async () => {
    const [a, b] = await mesh("a", "b");
    b!.node.spawn(
      {
        receive(message, self) {
          const [from, n] = message as [Pid, number];
          self.send(from, n + 1);
        },
      },
      { name: "next" },
    );
    const inbox = a!.node.inbox();
    await settle();
    env.network.delivery = "manual";
    try {
      inbox.send({ name: "next", node: "b" }, [inbox.pid, 41]);
      await until(() => env.network.pending === 1); // a's frame, held by the network
      env.network.step(); // b reads it: the answer goes out before step returns, not from a microtask
      expect(env.network.pending).toBe(1);
      env.network.step();
      expect(inbox.tryReceive()).toBe(42);
    } finally {
      env.network.delivery = "auto";
    }
  });

  it("links across nodes: a remote crash reaches a trapping linker", async () => {
    const [a, b] = await mesh("a", "b");
    const doomed = b!.node.spawn(async (self) => {
      await self.receive((m) => m === "crash");
      throw new Error("boom");
    });
    const inbox = a!.node.inbox({ trapExit: true });
    inbox.link(doomed);
    await settle();
    inbox.send(doomed, "crash");
    const exit = await inbox.receive(isExit(doomed));
    expect((exit.reason as Error).message).toBe("boom");
    expect((await drain(inbox)).filter(isExit(doomed))).toEqual([]);
  });
});

describe("losing a node", () => {
  it("a stopped node: its processes exit with shutdown first, then nodedown", async () => {
    const [a, b] = await mesh("a", "b");
    const remote = b!.node.spawn(async (self) => {
      await self.receive((m) => m === "never");
    });
    const inbox = a!.node.inbox({ trapExit: true });
    inbox.monitorNode("b", true);
    const ref = inbox.monitor(remote);
    inbox.link(remote);
    await settle();
    await b!.node.stop();
    await until(() => a!.node.nodes().length === 0, "nodedown");
    const messages = await drain(inbox);
    expect(messages).toContainEqual(expect.objectContaining({ kind: "DOWN", ref, reason: "shutdown" }));
    expect(messages).toContainEqual(
      expect.objectContaining({ kind: "EXIT", from: remote, reason: "shutdown" }),
    );
    expect(messages).toContainEqual(new NodeMessage("nodedown", "b", "connection_closed"));
  });

  it("a cut connection gives noconnection DOWN and EXIT, and nodedown, on both sides", async () => {
    const [a, b] = await mesh("a", "b");
    const remote = b!.node.spawn(async (self) => {
      await self.receive((m) => m === "never");
    });
    const inbox = a!.node.inbox({ trapExit: true });
    const far = b!.node.inbox({ trapExit: true });
    inbox.monitorNode("b", true);
    far.monitorNode("a", true);
    const ref = inbox.monitor(remote);
    inbox.link(remote);
    far.link(inbox.pid);
    await settle();
    env.network.partition(["a"], ["b"]);
    await until(() => a!.node.nodes().length === 0 && b!.node.nodes().length === 0, "nodedown");
    const messages = await drain(inbox);
    expect(messages).toContainEqual(expect.objectContaining({ kind: "DOWN", ref, reason: "noconnection" }));
    expect(messages).toContainEqual(
      expect.objectContaining({ kind: "EXIT", from: remote, reason: "noconnection" }),
    );
    expect(messages).toContainEqual(
      expect.objectContaining({ kind: "EXIT", from: far.pid, reason: "noconnection" }),
    );
    expect(messages.filter((m) => m instanceof NodeMessage)).toEqual([
      new NodeMessage("nodedown", "b", "connection_closed"),
    ]);
    const farMessages = await drain(far);
    expect(farMessages).toContainEqual(
      expect.objectContaining({ kind: "EXIT", from: inbox.pid, reason: "noconnection" }),
    );
    expect(b!.node.isAlive(remote)).toBe(false); // not trapping: the noconnection exit killed it
  });

  it("leave: the node disconnects and the others drop it from membership", async () => {
    const [a, b, c] = await mesh("a", "b", "c");
    await c!.cluster.leave();
    await until(() => a!.node.nodes().length === 1 && b!.node.nodes().length === 1, "c gone");
    await until(() => a!.cluster.members().length === 1, "membership converged");
    expect(a!.cluster.members().map((m) => m.name)).toEqual(["b"]);
    expect(c!.node.nodes()).toEqual([]);
  });
});

describe("rpc over a cluster", () => {
  it("calls a registered function and spawns a linked process on another node", async () => {
    const [a, b] = await mesh("a", "b");
    Rpc.start(b!.node, {
      functions: { add: (x: number, y: number) => x + y },
      spawnables: {
        crasher: async (self) => {
          await self.receive((m) => m === "crash");
          throw new Error("remote crash");
        },
      },
    });
    const inbox = a!.node.inbox({ trapExit: true });
    expect(await Rpc.call<number>(inbox, "b", "add", [20, 22], { timeoutMs: 1000 })).toBe(42);
    await expect(Rpc.call(inbox, "b", "nope", [])).rejects.toMatchObject({ name: "RpcError", kind: "undef" });
    const pid = await Rpc.spawn(inbox, "b", "crasher", [], { link: true });
    expect(pid.node).toBe("b");
    inbox.send(pid, "crash");
    const exit = await inbox.receive(isExit(pid));
    expect((exit.reason as Error).message).toBe("remote crash");
  });
});
