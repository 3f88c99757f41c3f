/**
 * Ports of OTP's `gen_server_SUITE.erl` cases marked [dist]: servers on other nodes, over
 * `@maquis/transport`'s in-memory network (several nodes in one OS process). Where OTP's call fails
 * with `{nodedown, Node}`, ours fails with a `CallError` whose reason is `noconnection` (see
 * docs/semantics.md, "Requests and calls").
 */
import { isDown, type Node, VirtualClock } from "@maquis/core";
import { Cluster, MemoryNetwork } from "@maquis/transport";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { abcast, call, cast, GenServer, multiCall } from "../src/index.js";
import { callFailure, note, pidOf } from "./fixtures/helpers.js";
import { SuiteServer } from "./fixtures/SuiteServer.js";

let network: MemoryNetwork;
let clock: VirtualClock;
let started: Node[] = [];

beforeEach(() => {
  clock = new VirtualClock();
  network = new MemoryNetwork({ clock, seed: 7 });
});

afterEach(async () => {
  for (const node of started.splice(0)) await node.stop();
});

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Waits (yielding to the event loop) until `condition` holds. Handshakes hash on WebCrypto's thread
 * pool, which can outlast many turns on a loaded machine, hence a deadline as well (never a sleep: it
 * returns as soon as the condition holds).
 */
const until = async (condition: () => boolean): Promise<void> => {
  const deadline = Date.now() + 5_000;
  for (let i = 0; (i < 2000 || Date.now() < deadline) && !condition(); i++) await turn();
  expect(condition()).toBe(true);
};

const startNode = async (name: string): Promise<Node> => {
  const { node } = await Cluster.start({
    name,
    medium: network.medium(name),
    listen: `memory://${name}`,
    secret: "gen_server_SUITE",
    clock,
    // Erlang finds a node by its name (epmd); here a name maps to its in-memory address.
    resolve: (node) => [`memory://${node}`],
    logger: { warn: () => {} },
  });
  started.push(node);
  return node;
};

/** The test node and `count` peers, fully connected. */
const cluster = async (count: number): Promise<[Node, ...Node[]]> => {
  const self = await startNode("gs_dist_self");
  const peers: Node[] = [];
  for (let i = 1; i <= count; i++) {
    peers.push(await startNode(`gs_dist_peer${i}`));
  }
  return [self, ...peers];
};

/** Connects `node` to each of `peers` through a first message (Erlang's auto-connect on send). */
const connect = async (node: Node, peers: Node[]): Promise<void> => {
  const inbox = node.inbox();
  for (const peer of peers) inbox.send({ name: "nobody", node: peer.name }, "hello");
  await until(() => peers.every((p) => node.nodes().includes(p.name)));
  inbox.close();
};

const stopPeer = async (node: Node, peer: Node): Promise<void> => {
  started = started.filter((n) => n !== peer);
  await peer.stop();
  await until(() => !node.nodes().includes(peer.name));
};

describe("gen_server_SUITE [dist]", () => {
  it("call_remote1/2/3: a killed remote server fails the call with noproc or its exit reason", async () => {
    const [self, peer] = await cluster(1);
    const inbox = self.inbox();
    // call_remote1 uses a global name; a pid (call_remote2) and { name, node } (call_remote3) cover it here.
    const pid = pidOf(await SuiteServer.start(peer!, undefined, { name: "piller" }));
    const byName = { name: "piller", node: peer!.name };
    expect(await call(inbox, byName, "started_p")).toBe("ok");
    expect(await call(inbox, pid, "started_p")).toBe("ok");
    peer!.exit(pid, "boom");
    for (const target of [pid, byName]) {
      const failure = await callFailure(call(inbox, target, "started_p"));
      expect(["noproc", "boom"]).toContain(failure.reason);
    }
  });

  it("call_remote_n2/n3: the server's node stops, the call fails with noconnection ({nodedown, N})", async () => {
    const [self, peer] = await cluster(1);
    const inbox = self.inbox();
    const pid = pidOf(await SuiteServer.start(peer!, undefined, { name: "piller" }));
    await connect(self, [peer!]);
    expect(await call(inbox, pid, "started_p")).toBe("ok");
    await stopPeer(self, peer!);
    expect((await callFailure(call(inbox, pid, "started_p"))).reason).toBe("noconnection");
    const byName = { name: "piller", node: peer!.name };
    expect((await callFailure(call(inbox, byName, "started_p"))).reason).toBe("noconnection");
  });

  it("call_remote, in flight: the connection is lost during a call", async () => {
    const [self, peer] = await cluster(1);
    const inbox = self.inbox();
    const pid = pidOf(await SuiteServer.start(peer!));
    await connect(self, [peer!]);
    // A call the server answers only after 1 s (virtual): cut the network meanwhile.
    const pending = callFailure(call(inbox, pid, { op: "delayed_answer", ms: 1000 }));
    await until(() => self.nodes().length === 1);
    network.partition([self.name], [peer!.name]);
    expect((await pending).reason).toBe("noconnection");
  });

  it("stop8/stop9: stopping a server on a node that is gone fails with noconnection", async () => {
    const [self, peer] = await cluster(1);
    const inbox = self.inbox();
    const pid = pidOf(await SuiteServer.start(peer!, undefined, { name: "to_stop" }));
    await connect(self, [peer!]);
    await GenServer.stop(inbox, pid);
    expect(peer!.isAlive(pid)).toBe(false);
    const second = pidOf(await SuiteServer.start(peer!, undefined, { name: "to_stop" }));
    await stopPeer(self, peer!);
    expect((await callFailure(GenServer.stop(inbox, second))).reason).toBe("noconnection");
    const byName = { name: "to_stop", node: peer!.name };
    expect((await callFailure(GenServer.stop(inbox, byName))).reason).toBe("noconnection");
  });

  it("multicall_remote: replies from the nodes with the server; missing, dead and unreachable ones are bad nodes", async () => {
    const [self, p1, p2, p3, p4] = await cluster(4);
    for (const node of [self, p1!, p2!]) await SuiteServer.start(node, undefined, { name: "mc" });
    await SuiteServer.start(p4!, undefined, { name: "mc" });
    await connect(self, [p1!, p2!, p3!, p4!]);
    await stopPeer(self, p4!);
    const inbox = self.inbox();
    const nodes = [self.name, p1!.name, p2!.name, p3!.name, p4!.name, "nonexisting@nohost"];
    const { replies, badNodes } = await multiCall(inbox, "mc", "started_p", { nodes });
    expect(replies.map(([n]) => n).sort()).toEqual([self.name, p1!.name, p2!.name].sort());
    expect(replies.every(([, r]) => r === "ok")).toBe(true);
    expect(badNodes.sort()).toEqual([p3!.name, p4!.name, "nonexisting@nohost"].sort());
    // No late replies or DOWNs are left behind.
    await self.idle();
    expect(await inbox.receive(undefined, 0)).toBeUndefined();
  });

  it("multicall_remote, default nodes: this node and every connected one", async () => {
    const [self, p1, p2] = await cluster(2);
    for (const node of [self, p1!, p2!]) await SuiteServer.start(node, undefined, { name: "mc" });
    await connect(self, [p1!, p2!]);
    const { replies, badNodes } = await multiCall(self.inbox(), "mc", "started_p");
    expect(replies.map(([n]) => n).sort()).toEqual([self.name, p1!.name, p2!.name].sort());
    expect(badNodes).toEqual([]);
  });

  it("abcast to connected nodes reaches each registered server; an unknown node is ignored", async () => {
    const [self, p1, p2] = await cluster(2);
    const inbox = self.inbox();
    const pids = [];
    for (const node of [p1!, p2!]) pids.push(pidOf(await SuiteServer.start(node, undefined, { name: "ab" })));
    await connect(self, [p1!, p2!]);
    abcast(inbox, "ab", { op: "handle_cast", from: inbox.pid }, [p1!.name, p2!.name, "nowhere@nohost"]);
    for (const pid of pids) {
      const got = await inbox.receive(note("handled_cast", pid));
      expect(got).toBeDefined();
    }
  });

  it("cast_fast: a cast to a node that cannot be reached returns at once and never throws", async () => {
    const [self] = await cluster(0);
    const inbox = self.inbox();
    expect(cast(inbox, { name: "hopp", node: "hopp@nowhere" }, "hello" as never)).toBeUndefined();
    const ref = inbox.monitor({ name: "hopp", node: "hopp@nowhere" });
    const down = await inbox.receive(isDown(ref));
    expect(down.reason).toBe("noconnection");
  });
});
