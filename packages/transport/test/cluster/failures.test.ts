/**
 * What goes wrong between nodes, and how a cluster reports it: overload, unencodable messages, a
 * partition that heals, a silent peer (keep-alive), and malformed input from an authenticated peer.
 * Timers (backoff, keep-alive, drain polls) run on the virtual clock.
 */
import { DownMessage, ExitMessage, isDown, isExit, type Node, NodeMessage, type Pid } from "@maquis/core";
import { describe, expect, it } from "vitest";
import { type CloseInfo, CloseCode } from "../../src/Connection.js";
import type { NodeSpec } from "../../src/NodeSpec.js";
import { WIRE_VERSION } from "../../src/wire/Frame.js";
import { encodeFrame } from "../../src/wire/FrameCodec.js";
import { handshake } from "../../src/wire/Handshake.js";
import { advanceUntil, drain, settle, turn, until, useCluster } from "./support.js";

const env = useCluster(5);

/** A process that stays until told "stop". */
const idle = (node: Node): Pid =>
  node.spawn(async (self) => {
    await self.receive((m) => m === "stop");
  });

/** Sends `text` to a fresh inbox on `to` and waits until it arrives (the session carries traffic). */
const roundTrip = async (from: Node, to: Node, text: string): Promise<void> => {
  const far = to.inbox();
  from.send(far.pid, text);
  expect(await drain(far)).toEqual([text]);
  far.close();
};

describe("bounded memory", () => {
  it("a connection holding over maxBufferedBytes is closed: nodedown overloaded, noconnection, node lives", async () => {
    const a = await env.start("a", { highWaterMark: 1_000, maxBufferedBytes: 10_000 });
    const b = await env.start("b");
    await env.connect(a, b);
    const remote = idle(b.node);
    const inbox = a.node.inbox({ trapExit: true });
    inbox.monitorNodes(true);
    const ref = inbox.monitor(remote);
    inbox.link(remote);
    await settle();

    env.network.delivery = "manual"; // b reads nothing: a's frames stay in the socket
    for (let i = 0; i < 5 && a.cluster.isConnected("b"); i++) {
      inbox.send(remote, `${i}${"x".repeat(4_000)}`);
      await turn();
    }
    expect(a.cluster.isConnected("b")).toBe(false);
    expect(a.warnings.some((w) => w.includes("holds over 10000 bytes"))).toBe(true);
    const messages = await drain(inbox);
    expect(messages).toContainEqual(new NodeMessage("nodedown", "b", "overloaded"));
    expect(messages).toContainEqual(new DownMessage(ref, remote, "noconnection"));
    expect(messages).toContainEqual(new ExitMessage(remote, "noconnection"));

    // The node goes on: its processes run, and it reconnects once b reads again.
    expect(a.node.stopped).toBe(false);
    const local = a.node.inbox();
    inbox.send(local.pid, "still here");
    expect(await drain(local)).toEqual(["still here"]);
    env.network.delivery = "auto";
    await advanceUntil(
      env.clock,
      () => a.cluster.isConnected("b") && b.cluster.isConnected("a"),
      "reconnect",
    );
    await roundTrip(a.node, b.node, "after overload");
  });
});

describe("unencodable messages", () => {
  it("a message holding a function is dropped and logged; the ones around it arrive", async () => {
    const [a, b] = await env.mesh("a", "b");
    const far = b!.node.inbox();
    a!.node.send(far.pid, "before");
    a!.node.send(far.pid, { callback: () => 1 });
    a!.node.send(far.pid, "after");
    expect(await drain(far)).toEqual(["before", "after"]);
    expect(a!.warnings.some((w) => w.startsWith("dropped a send signal for b"))).toBe(true);
    expect(a!.cluster.isConnected("b")).toBe(true);
  });
});

describe("node loss", () => {
  it("after a partition heals the members reconnect by themselves, and sends work again", async () => {
    // Backoff of at most 1 s; no periodic gossip in the test's time span (it would redial too).
    const options = { reconnect: { initialMs: 100, maxMs: 1_000 }, periodicMs: 3_600_000 };
    const [a, b] = await env.connect(await env.start("a", options), await env.start("b", options));
    const watchA = a!.node.inbox();
    const watchB = b!.node.inbox();
    watchA.monitorNodes(true);
    watchB.monitorNodes(true);
    const remote = idle(b!.node);
    const ref = watchA.monitor(remote);
    await settle();

    const split = env.network.partition(["a"], ["b"]);
    await until(() => a!.node.nodes().length === 0 && b!.node.nodes().length === 0, "nodedown");
    expect(await drain(watchA)).toEqual([
      new DownMessage(ref, remote, "noconnection"),
      new NodeMessage("nodedown", "b", "connection_closed"),
    ]);
    expect(await drain(watchB)).toEqual([new NodeMessage("nodedown", "a", "connection_closed")]);

    // While partitioned, redials fail (and back off); nothing comes up.
    for (let i = 0; i < 50; i++) {
      env.clock.advance(100);
      await turn();
    }
    expect(a!.node.nodes()).toEqual([]);
    expect(b!.node.nodes()).toEqual([]);

    split.heal();
    await advanceUntil(
      env.clock,
      () => a!.cluster.isConnected("b") && b!.cluster.isConnected("a"),
      "reconnected after the heal",
      { stepMs: 20, maxMs: 1_500 }, // past the longest backoff
    );
    const upA = (await drain(watchA)).filter((m) => (m as NodeMessage).kind === "nodeup");
    const upB = (await drain(watchB)).filter((m) => (m as NodeMessage).kind === "nodeup");
    expect(upA).toEqual([new NodeMessage("nodeup", "b")]);
    expect(upB).toEqual([new NodeMessage("nodeup", "a")]);
    await roundTrip(a!.node, b!.node, "a to b after the heal");
    await roundTrip(b!.node, a!.node, "b to a after the heal");
  });
});

describe("keep-alive", () => {
  const keepAlive = { idleMs: 100, timeoutMs: 50, maxMisses: 3 };

  it("a peer that answers pings stays connected however long nothing else is sent", async () => {
    const a = await env.start("a", { keepAlive });
    const b = await env.start("b", { keepAlive });
    await env.connect(a, b);
    const mark = env.wire.records.length;
    for (let i = 0; i < 200; i++) {
      env.clock.advance(10);
      await turn();
    }
    expect(a.cluster.isConnected("b")).toBe(true);
    const kinds = env.wire.frames().slice(mark);
    expect(kinds.filter((f) => f.from === "a" && f.frame.kind === "ping").length).toBeGreaterThan(3);
    expect(kinds.filter((f) => f.from === "b" && f.frame.kind === "pong").length).toBeGreaterThan(3);
  });

  it("when nothing comes back, a pings, counts misses, and ends the session with net_tick_timeout", async () => {
    const a = await env.start("a", { keepAlive });
    const b = await env.start("b", { keepAlive });
    await env.connect(a, b);
    const watchA = a.node.inbox();
    const watchB = b.node.inbox();
    watchA.monitorNodes(true);
    watchB.monitorNodes(true);
    await settle();

    env.network.faults.add({ from: "b", to: "a", drop: 1 });
    const start = env.clock.now();
    const mark = env.wire.records.length;
    await advanceUntil(env.clock, () => !a.cluster.isConnected("b"), "net_tick_timeout", {
      stepMs: 5,
      maxMs: 2_000,
    });
    const elapsed = env.clock.now() - start;
    // Idle for idleMs, then maxMisses pings of timeoutMs each (give or take the keep-alive tick).
    expect(elapsed).toBeGreaterThanOrEqual(
      keepAlive.idleMs + (keepAlive.maxMisses - 1) * keepAlive.timeoutMs,
    );
    expect(elapsed).toBeLessThanOrEqual(keepAlive.idleMs + (keepAlive.maxMisses + 1) * keepAlive.timeoutMs);
    const pings = env.wire
      .frames()
      .slice(mark)
      .filter((f) => f.from === "a" && f.frame.kind === "ping");
    const perConnection = new Map<number, number>();
    for (const p of pings) perConnection.set(p.connection, (perConnection.get(p.connection) ?? 0) + 1);
    expect(Math.max(...perConnection.values())).toBe(keepAlive.maxMisses);

    expect(await drain(watchA)).toEqual([new NodeMessage("nodedown", "b", "net_tick_timeout")]);
    expect(a.warnings.some((w) => w.includes("stopped answering pings"))).toBe(true);
    // b hears the close (code timeout) and reports the same reason.
    await until(() => !b.cluster.isConnected("a"), "b sees it");
    expect(await drain(watchB)).toEqual([new NodeMessage("nodedown", "a", "net_tick_timeout")]);
  });
});

describe("malformed input from an authenticated peer", () => {
  /** Connects to a as a raw client with the right secret, as node "evil" (client-only). */
  const rawClient = async () => {
    const connection = await env.network
      .medium("evil")
      .connect("memory://a", { from: "evil", to: "a", channel: "default" });
    const spec: NodeSpec = { name: "evil", addresses: [], incarnation: 1, channels: { default: {} } };
    const result = await handshake(connection, {
      role: "dialer",
      self: spec,
      secret: "test-secret",
      channel: "default",
      expected: "a",
      clock: env.clock,
    });
    const closes: CloseInfo[] = [];
    result.attach({ onFrame: () => {}, onClose: (info) => closes.push(info) });
    return { connection, closes };
  };

  const cases: Array<[string, (victim: Pid, elsewhere: Pid) => Uint8Array, string]> = [
    ["garbage bytes", () => Uint8Array.of(0, 0xc1, 0xff, 7), "closing a connection from evil"],
    [
      "a data frame whose signal claims to come from another node's process",
      (victim, elsewhere) =>
        encodeFrame({
          kind: "data",
          signals: [{ kind: "exit", from: elsewhere, to: victim, reason: "kill", link: false }],
        }),
      "claims to come from b",
    ],
    [
      "a handshake frame after the handshake",
      () =>
        encodeFrame({
          kind: "hello",
          version: WIRE_VERSION,
          name: "evil",
          channel: "default",
          nonce: new Uint8Array(32),
        }),
      "unexpected hello frame after the handshake",
    ],
  ];

  it.each(cases)(
    "%s: a closes that connection (4000) and logs it; the rest goes on",
    async (_, bad, logged) => {
      const [a, b] = await env.mesh("a", "b");
      const victim = idle(a!.node);
      const elsewhere = b!.node.inbox().pid;
      const watch = a!.node.inbox({ trapExit: true });
      watch.link(elsewhere);
      await settle();
      const evil = await rawClient();
      await until(() => a!.cluster.isConnected("evil"), "evil connected");

      evil.connection.send(bad(victim, elsewhere));
      await until(() => evil.closes.length > 0, "the close");
      expect(evil.closes[0]).toMatchObject({ code: CloseCode.malformed, local: false });
      expect(a!.warnings.filter((w) => w.includes(logged))).toHaveLength(1);
      expect(a!.node.nodes()).toEqual(["b"]);

      // Nothing else noticed: the victim lives, the session with b and its link are intact.
      expect(a!.node.isAlive(victim)).toBe(true);
      expect(a!.cluster.isConnected("b")).toBe(true);
      expect((await drain(watch)).filter((m) => isExit()(m) || isDown()(m))).toEqual([]);
      await roundTrip(a!.node, b!.node, "still fine");
    },
  );
});
