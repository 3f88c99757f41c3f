/**
 * Membership and sessions: a restarted node (new incarnation), syncJoin's guarantee, removing another
 * node, and a client-only node (one that does not listen).
 */
import { DownMessage, ExitMessage, type Node, NodeMessage, type Pid } from "@maquis/core";
import { describe, expect, it } from "vitest";
import type { FrameEvent } from "../../src/memory/index.js";
import {
  advanceUntil,
  dialledConnections,
  drain,
  settle,
  type TestNode,
  turn,
  until,
  useCluster,
} from "./support.js";

const env = useCluster(11);

const names = (t: TestNode): string[] =>
  t.cluster
    .members()
    .map((m) => m.name)
    .sort();

/** A process that records what it receives into `into`. */
const recorder = (node: Node, into: unknown[], name?: string): Pid =>
  node.spawn(
    async (self) => {
      for (;;) into.push(await self.receive());
    },
    name === undefined ? undefined : { name },
  );

describe("a restarted node (new incarnation)", () => {
  it("the others reconnect to the new life, prune the old spec, and treat old pids as dead", async () => {
    const a = await env.start("a");
    const b = await env.start("b", { node: { creation: 1 } });
    const c = await env.start("c");
    await env.connect(a, b, c);
    const oldLife: unknown[] = [];
    const old = recorder(b.node, oldLife);
    const watch = a.node.inbox({ trapExit: true });
    watch.monitorNodes(true);
    await settle();

    await b.node.stop();
    await until(() => !a.cluster.isConnected("b") && !c.cluster.isConnected("b"), "b down");
    // While b is unreachable, a monitor on its pid fires with noconnection.
    const whileDown = watch.monitor(old);
    expect(await watch.receive((m) => m instanceof DownMessage)).toEqual(
      new DownMessage(whileDown, old, "noconnection"),
    );

    const b2 = await env.start("b", { node: { creation: 2 } });
    const newLife: unknown[] = [];
    const fresh = recorder(b2.node, newLife);
    // The new process has the old one's id and serial: only the creation tells them apart.
    expect([fresh.id, fresh.serial, fresh.creation]).toEqual([old.id, old.serial, 2]);

    await advanceUntil(
      env.clock,
      () =>
        a.cluster.isConnected("b") &&
        c.cluster.isConnected("b") &&
        b2.cluster.nodes().length === 2 &&
        names(b2).join() === "a,c",
      "the others reconnect to b's new life",
    );
    for (const t of [a, c]) {
      const specs = t.cluster.members().filter((m) => m.name === "b");
      expect(specs.map((s) => s.incarnation)).toEqual([2]);
    }
    // Gossip has no old spec left either (pruned, not just shadowed).
    await advanceUntil(env.clock, () => lastGossipIncarnations("a", "b").join() === "2", "gossip pruned");

    watch.send(old, "to the old life");
    watch.send(fresh, "to the new life");
    await settle();
    expect(newLife).toEqual(["to the new life"]);
    expect(oldLife).toEqual([]);
    // Erlang: the node is up, the old pid names no process there: noproc.
    const ref = watch.monitor(old);
    watch.link(old);
    const messages = await drain(watch);
    expect(messages).toContainEqual(new DownMessage(ref, old, "noproc"));
    expect(messages).toContainEqual(new ExitMessage(old, "noproc"));
    expect(messages).toContainEqual(new NodeMessage("nodeup", "b"));
  });
});

/** The incarnations of `about` in the last membership gossip `from` wrote to the wire. */
const lastGossipIncarnations = (from: string, about: string): number[] => {
  const gossip = env.wire.frames().filter((f) => f.from === from && f.frame.kind === "gossip");
  const last = gossip.at(-1);
  if (last === undefined || last.frame.kind !== "gossip") return [];
  const found = new Set<number>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) for (const v of value) visit(v);
    else if (typeof value === "object" && value !== null) {
      const spec = value as { name?: unknown; incarnation?: unknown };
      if (spec.name === about && typeof spec.incarnation === "number") found.add(spec.incarnation);
      for (const v of Object.values(value)) visit(v);
    }
  };
  visit(last.frame.payload);
  return [...found].sort();
};

/** The connections `from` dialled to `to` whose handshake finished (the listener's welcome arrived). */
const handshaken = (events: readonly FrameEvent[], from: string, to: string): number => {
  let n = 0;
  for (const id of dialledConnections(events, from, to)) {
    const answers = events.filter((e) => e.connection === id && e.from === to && e.fate === "delivered");
    if (answers.length >= 2) n++; // challenge, then welcome
  }
  return n;
};

describe("syncJoin", () => {
  const options = { defaultChannel: { parallelism: 3 }, channels: { bulk: { parallelism: 2 } } };
  // 3 default + 2 bulk + 1 membership
  const ALL = 6;

  it("resolves only when every channel has reached its parallelism", async () => {
    const a = await env.start("a", options);
    const b = await env.start("b", options);
    const atResolve = await b.cluster.syncJoin("memory://a").then(() => ({
      up: b.cluster.isConnected("a"),
      handshaken: handshaken(env.trace, "b", "a"),
      bulk: dialledConnections(env.trace, "b", "a", "bulk").length,
      default: dialledConnections(env.trace, "b", "a", "default").length,
    }));
    expect(atResolve).toEqual({ up: true, handshaken: ALL, bulk: 2, default: 3 });
    // a's sending side comes up the same way.
    await until(() => a.cluster.isConnected("b"), "a's side");
    expect(handshaken(env.trace, "a", "b")).toBe(ALL);
  });

  it("unlike join, which resolves once the first connection is authenticated", async () => {
    await env.start("a", options);
    const b = await env.start("b", options);
    const atResolve = await b.cluster.join("memory://a").then(() => ({
      up: b.cluster.isConnected("a"),
      handshaken: handshaken(env.trace, "b", "a"),
    }));
    expect(atResolve).toEqual({ up: false, handshaken: 1 });
    await until(() => b.cluster.isConnected("a"), "up later");
    expect(handshaken(env.trace, "b", "a")).toBe(ALL);
  });
});

describe("leave(other)", () => {
  it("removes the node: it is disconnected, membership converges without it, and it detaches", async () => {
    const [a, b, c] = await env.mesh("a", "b", "c");
    const watchA = a!.node.inbox();
    const watchB = b!.node.inbox();
    watchA.monitorNodes(true);
    watchB.monitorNodes(true);
    await settle();

    await a!.cluster.leave("c");
    const converged = () =>
      a!.node.nodes().join() === "b" &&
      b!.node.nodes().join() === "a" &&
      c!.node.nodes().length === 0 &&
      names(a!).join() === "b" &&
      names(b!).join() === "a" &&
      c!.cluster.members().length === 0;
    await until(converged, "c removed everywhere");
    expect(await drain(watchA)).toEqual([new NodeMessage("nodedown", "c", "disconnect")]);
    expect((await drain(watchB)).map((m) => [(m as NodeMessage).kind, (m as NodeMessage).node])).toEqual([
      ["nodedown", "c"],
    ]);

    // It stays out: periodic gossip and reconnect timers do not bring it back.
    for (let i = 0; i < 300; i++) {
      env.clock.advance(100);
      await turn();
    }
    expect(converged()).toBe(true);
    expect(c!.node.stopped).toBe(false);
  });
});

describe("a client-only node", () => {
  it("joins a listening node, and both send to each other on the client's connections", async () => {
    const a = await env.start("a");
    const browser = await env.start("browser", { listen: [] });
    expect(browser.cluster.spec.addresses).toEqual([]);
    await browser.cluster.syncJoin("memory://a");
    await until(() => a.cluster.isConnected("browser"), "a sees the browser");

    const atServer: unknown[] = [];
    recorder(a.node, atServer, "log");
    const inbox = browser.node.inbox();
    inbox.send({ name: "log", node: "a" }, { from: inbox.pid, text: "hello server" });
    await until(() => atServer.length === 1, "the server got it");
    const { from } = atServer[0] as { from: Pid };
    a.node.send(from, "hello browser");
    expect(await drain(inbox)).toEqual(["hello browser"]);

    // Every connection between them was dialled by the browser; a sent on those.
    expect(dialledConnections(env.trace, "a", "browser")).toEqual([]);
    expect(dialledConnections(env.trace, "browser", "a").length).toBeGreaterThanOrEqual(2);
    const fromA = env.wire.records.filter((r) => r.from === "a" && r.to === "browser");
    expect(fromA.length).toBeGreaterThan(0);
    for (const r of fromA) expect(r.dialled).toBe(false);
  });
});
