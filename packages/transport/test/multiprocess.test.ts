/**
 * Real multi-process distribution: this test process is node `t`; nodes `a`, `b` and `c` (and, per
 * test, a few more) are child OS processes (`multiprocess/child.ts` on the built packages) talking
 * WebSocket on 127.0.0.1 with ports picked by the OS. Children are driven by RPC once in the cluster,
 * and by JSON-line commands on stdin before; what a child observes (DOWN, EXIT, nodedown) is reported
 * to a process here by a watcher running there. Every wait is on a message, a promise or a child's
 * output, with a deadline; every child is SIGKILLed after the file.
 *
 * Over 400 lines because the nine scenarios share one set of OS processes started once for the file.
 */
import {
  type DownMessage,
  type ExitMessage,
  type Inbox,
  isDown,
  isExit,
  type Node,
  NodeMessage,
  type Pid,
  type Ref,
} from "@maquis/core";
import { WebSocket } from "ws";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { Cluster } from "../src/cluster/index.js";
import { CloseCode, type CloseInfo } from "../src/Connection.js";
import { Rpc, RpcError } from "../src/rpc/index.js";
import { webSocketMedium } from "../src/websocket/node.js";
import { handshake } from "../src/wire/Handshake.js";
import { type Child, children, killAll, startChild } from "./multiprocess/harness.js";

const SECRET = "multiprocess-secret";
/** Generous: the machine running this may be shared and slow. */
const TEST_MS = 20_000;
/** How long one expected message may take. */
const WAIT_MS = 10_000;
const CALL = { timeoutMs: WAIT_MS };

// ---- the test node and its children ----

interface Mesh {
  readonly node: Node;
  readonly cluster: Cluster;
  readonly address: string;
  readonly warnings: string[];
  /** Resolves once `count` warnings that `test` accepts have been logged by the test node. */
  readonly warned: (test: (warning: string) => boolean, count: number) => Promise<void>;
  readonly a: Child;
  readonly b: Child;
  readonly c: Child;
  /** What `cluster.join(a.address)` resolved with. */
  readonly joinedA: { name: string; incarnation: number };
}

let meshPromise: Promise<Mesh> | undefined;
let testNode: Node | undefined;

/** The test node and children a, b, c in a full mesh: started by the first test that needs them. */
const mesh = (): Promise<Mesh> => (meshPromise ??= buildMesh());

const buildMesh = async (): Promise<Mesh> => {
  const warnings: string[] = [];
  const waiters = new Set<() => void>();
  const warned = (test: (warning: string) => boolean, count: number): Promise<void> =>
    within(
      new Promise<void>((resolve) => {
        const check = () => {
          if (warnings.filter(test).length < count) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }),
      `${count} matching warnings on the test node`,
    );
  const [{ node, cluster }, a, b, c] = await Promise.all([
    // Kept as soon as it runs, so that afterAll stops it even if a child fails to start.
    Cluster.start({
      name: "t",
      medium: webSocketMedium(),
      listen: "ws://127.0.0.1:0",
      secret: SECRET,
      logger: {
        warn: (message) => {
          warnings.push(message);
          for (const check of [...waiters]) check();
        },
      },
    }).then((started) => {
      testNode = started.node;
      return started;
    }),
    startChild("a", SECRET),
    startChild("b", SECRET),
    startChild("c", SECRET),
  ]);
  Rpc.start(node, { functions: { add: (x: number, y: number) => x + y } });
  const address = cluster.spec.addresses[0]!;
  const watch = node.inbox();
  watch.monitorNodes(true);
  // t joins a; b and c join t: full mesh gossips the rest (b and c learn of a, and of each other).
  const joinedA = await cluster.join(a.address);
  const joins = await Promise.all([b, c].map((child) => child.command("join", { address })));
  expect(joins).toEqual([
    { ok: true, value: "t" },
    { ok: true, value: "t" },
  ]);
  await untilNodes(watch, node, ["a", "b", "c"]);
  watch.close();
  return { node, cluster, address, warnings, warned, a, b, c, joinedA };
};

afterEach(({ task }) => {
  if (task.result?.errors === undefined || task.result.errors.length === 0) return;
  for (const child of children) {
    console.error(`--- stderr of child ${child.name} (pid ${child.pid}) ---\n${child.stderr()}`);
  }
});

afterAll(async () => {
  await killAll();
  await testNode?.stop();
});

// ---- waiting ----

/** `promise`, or a failure naming `what` if it takes over `ms`. */
const within = async <T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
};

/** The next message `match` accepts, or a failure naming `what` (with what else is in the mailbox). */
const next = async <T>(inbox: Inbox, match: (m: unknown) => boolean, what: string): Promise<T> => {
  const m = await inbox.receive(match, WAIT_MS);
  if (m === undefined) {
    const other: unknown[] = [];
    for (let x = inbox.tryReceive(); x !== undefined; x = inbox.tryReceive()) other.push(x);
    expect.fail(`no ${what} within ${WAIT_MS} ms; the mailbox held ${JSON.stringify(other)}`);
  }
  return m as T;
};

/** Waits on nodeup messages (`inbox` has called monitorNodes) until `node` is connected to `names`. */
const untilNodes = async (inbox: Inbox, node: Node, names: readonly string[]): Promise<void> => {
  while (!names.every((n) => node.nodes().includes(n))) {
    await next(inbox, (m) => m instanceof NodeMessage && m.kind === "nodeup", `nodeup (want ${names})`);
  }
};

/**
 * Re-checks an async condition until it holds, with a deadline: only for what has no event (gossip
 * converging). Each check is an RPC round trip, so this never spins without waiting on the network.
 */
const eventually = async (check: () => Promise<boolean>, what: string): Promise<void> => {
  const deadline = Date.now() + WAIT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) expect.fail(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
};

/** What a watcher on a child reports: `{ report: node, watcher, event }`. */
interface Report {
  readonly report: string;
  readonly watcher: Pid;
  readonly event: {
    readonly kind: string;
    readonly ref?: Ref;
    readonly from?: Pid;
    readonly item?: unknown;
    readonly node?: string;
    readonly reason?: unknown;
    readonly message?: unknown;
  };
}

const isReport =
  (from: string, kind: string, test: (event: Report["event"]) => boolean = () => true) =>
  (m: unknown): boolean => {
    const r = m as Report;
    return r?.report === from && r.event?.kind === kind && test(r.event);
  };

interface WatchPlan {
  readonly monitor?: readonly Pid[];
  readonly link?: readonly Pid[];
  readonly monitorNode?: readonly string[];
  readonly monitorNodes?: boolean;
  readonly sync?: readonly Pid[];
}

/** Starts a watcher on `on` that reports to `reportTo`; resolves once its links and monitors are in place. */
const watchOn = (
  node: Node,
  on: string,
  reportTo: Pid,
  plan: WatchPlan,
): Promise<{ watcher: Pid; refs: Ref[] }> => Rpc.call(node, on, "watch", [reportTo, plan], CALL);

const spawnEcho = (node: Node, on: string): Promise<Pid> => Rpc.call<Pid>(node, on, "spawnEcho", [], CALL);

/** Starts a child and has it join the test node; resolves once the test node's session with it is up. */
const startJoined = async (m: Mesh, name: string): Promise<Child> => {
  const watch = m.node.inbox();
  watch.monitorNodes(true);
  const child = await startChild(name, SECRET);
  expect(await child.command("join", { address: m.address })).toEqual({ ok: true, value: "t" });
  await untilNodes(watch, m.node, [name]);
  watch.close();
  return child;
};

const errorMessage = (reason: unknown): string | undefined =>
  reason instanceof Error ? reason.message : undefined;

// ---- the tests ----

describe("multi-process cluster over ws://127.0.0.1", () => {
  it(
    "three OS processes and the test node join into a full mesh",
    async () => {
      const { node, cluster, a, b, c, joinedA } = await mesh();
      expect(new Set([process.pid, a.pid, b.pid, c.pid]).size).toBe(4);
      expect(joinedA).toMatchObject({ name: "a", incarnation: a.creation });
      expect(node.nodes().sort()).toEqual(["a", "b", "c"]);
      expect(
        cluster
          .members()
          .map((s) => s.name)
          .sort(),
      ).toEqual(["a", "b", "c"]);
      // Each child, asked by RPC, sees the three others (waiting on its own nodeup events if needed).
      for (const child of [a, b, c]) {
        const others = ["a", "b", "c", "t"].filter((n) => n !== child.name);
        expect(await Rpc.call(node, child.name, "awaitNodes", [others, WAIT_MS], CALL)).toEqual(others);
        expect(await Rpc.call(node, child.name, "info", [], CALL)).toMatchObject({
          name: child.name,
          creation: child.creation,
          addresses: [child.address],
        });
      }
    },
    TEST_MS,
  );

  it(
    "remote send by pid and by { name, node }; pids round-trip across three nodes",
    async () => {
      const { node } = await mesh();
      const inbox = node.inbox();
      type Echo = { echo: string; by: Pid; node: string };
      for (const name of ["a", "b", "c"]) {
        inbox.send({ name: "echo", node: name }, { from: inbox.pid, text: `by name to ${name}` });
        const byName = await next<Echo>(inbox, (m) => (m as Echo).echo === `by name to ${name}`, "echo");
        expect(byName.node).toBe(name);
        expect(byName.by.node).toBe(name);
        inbox.send(byName.by, { from: inbox.pid, text: `by pid to ${name}` });
        const byPid = await next<Echo>(inbox, (m) => (m as Echo).echo === `by pid to ${name}`, "echo");
        expect(byPid.by.equals(byName.by)).toBe(true);
      }
      // A pid minted on b, carried t → a inside a message, is used by a to send to b directly.
      const { watcher } = await watchOn(node, "b", inbox.pid, {});
      expect(watcher.node).toBe("b");
      inbox.send({ name: "echo", node: "a" }, { from: watcher, text: "relay" });
      const relayed = await next<Report>(
        inbox,
        isReport("b", "message", (e) => (e.message as Echo).echo === "relay"),
        "the relay reported by b",
      );
      const message = relayed.event.message as Echo;
      expect(message.node).toBe("a");
      expect(message.by.node).toBe("a");
      expect(relayed.watcher.equals(watcher)).toBe(true);
      inbox.close();
    },
    TEST_MS,
  );

  it(
    "remote request/reply call, Rpc.call (results, remote errors, undef) and child-to-child Rpc",
    async () => {
      const { node } = await mesh();
      const inbox = node.inbox();
      for (const name of ["a", "b", "c"]) {
        const reply = await inbox.request(
          { name: "double", node: name },
          (replyTo) => ({ replyTo, n: 21 }),
          WAIT_MS,
        );
        expect(reply).toEqual({ doubled: 42, by: name });
      }
      expect(await Rpc.call<number>(inbox, "b", "add", [20, 22], CALL)).toBe(42);
      const failed = await Rpc.call(inbox, "c", "fail", ["remote boom"], CALL).catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(RpcError);
      expect(failed).toMatchObject({ kind: "error" });
      expect(errorMessage((failed as RpcError).reason)).toBe("remote boom");
      await expect(Rpc.call(inbox, "a", "nope", [], CALL)).rejects.toMatchObject({ kind: "undef" });
      // a calls b: the answer travels between two child processes.
      expect(await Rpc.call(inbox, "a", "rpc", ["b", "add", [1, 2]], CALL)).toBe(3);
      inbox.close();
    },
    TEST_MS,
  );

  it(
    "monitors and links across nodes: a remote crash gives DOWN and EXIT with the real reason",
    async () => {
      const { node } = await mesh();
      const inbox = node.inbox({ trapExit: true });

      // The test node watches processes on a (monitor) and b (link).
      const [onA, onB] = await Promise.all([spawnEcho(node, "a"), spawnEcho(node, "b")]);
      const ref = inbox.monitor(onA);
      inbox.link(onB);
      inbox.send(onA, { crash: "boom on a" }); // after the monitor: FIFO per pair
      inbox.send(onB, { crash: "boom on b" });
      const down = await next<DownMessage>(inbox, isDown(ref), "DOWN from a");
      expect(down.item).toEqual(onA);
      expect(errorMessage(down.reason)).toBe("boom on a");
      const exit = await next<ExitMessage>(inbox, isExit(onB), "EXIT from b");
      expect(errorMessage(exit.reason)).toBe("boom on b");

      // Child to child: a watcher on a monitors and links a process on c.
      const onC = await spawnEcho(node, "c");
      const w = await watchOn(node, "a", inbox.pid, { monitor: [onC], link: [onC], sync: [onC] });
      inbox.send(onC, { crash: "boom on c" });
      const cDown = await next<Report>(inbox, isReport("a", "DOWN"), "DOWN reported by a");
      expect(cDown.event.ref).toEqual(w.refs[0]);
      expect(cDown.event.item).toEqual(onC);
      expect(errorMessage(cDown.event.reason)).toBe("boom on c");
      const cExit = await next<Report>(inbox, isReport("a", "EXIT"), "EXIT reported by a");
      expect(cExit.event.from).toEqual(onC);
      expect(errorMessage(cExit.event.reason)).toBe("boom on c");

      // A process of the test node crashes; a watcher on b sees it.
      const local = node.spawn(async (self) => {
        for (;;) {
          const m = (await self.receive()) as { from?: Pid; crash?: string };
          if (m.crash !== undefined) throw new Error(m.crash);
          if (m.from !== undefined) self.send(m.from, { echo: "sync", by: self.pid });
        }
      });
      const wb = await watchOn(node, "b", inbox.pid, { monitor: [local], link: [local], sync: [local] });
      inbox.send(local, { crash: "boom on t" });
      const tDown = await next<Report>(inbox, isReport("b", "DOWN"), "DOWN reported by b");
      expect(tDown.event.ref).toEqual(wb.refs[0]);
      expect(errorMessage(tDown.event.reason)).toBe("boom on t");
      const tExit = await next<Report>(inbox, isReport("b", "EXIT"), "EXIT reported by b");
      expect(tExit.event.from).toEqual(local);
      expect(errorMessage(tExit.event.reason)).toBe("boom on t");
      inbox.close();
    },
    TEST_MS,
  );

  it(
    "kill -9 of a node: noconnection DOWN and EXIT, and nodedown, here and on another child",
    async () => {
      const m = await mesh();
      const { node } = m;
      const d = await startJoined(m, "d");
      expect(await Rpc.call(node, "a", "awaitNodes", [["d"], WAIT_MS], CALL)).toContain("d");
      const [monitored, linked] = await Promise.all([spawnEcho(node, "d"), spawnEcho(node, "d")]);

      const inbox = node.inbox({ trapExit: true });
      const ref = inbox.monitor(monitored);
      inbox.link(linked);
      inbox.monitorNode("d", true);
      inbox.monitorNodes(true);
      // The links and monitors are in place on d before it dies (not needed for noconnection, which the
      // watching side decides alone, but it makes this a test of established ones).
      inbox.send(linked, { from: inbox.pid, text: "sync" });
      await next(inbox, (x) => (x as { echo?: string }).echo === "sync", "sync echo from d");
      const onA = await watchOn(node, "a", inbox.pid, {
        monitor: [monitored],
        link: [linked],
        monitorNode: ["d"],
        sync: [monitored, linked],
      });
      await watchOn(node, "b", inbox.pid, { monitorNodes: true });

      expect(await d.kill9()).toEqual({ code: null, signal: "SIGKILL" });

      // Here.
      const down = await next<DownMessage>(inbox, isDown(ref), "DOWN for d's process");
      expect(down.reason).toBe("noconnection");
      const exit = await next<ExitMessage>(inbox, isExit(linked), "EXIT from d's process");
      expect(exit.reason).toBe("noconnection");
      const nodedowns = [
        await next<NodeMessage>(inbox, (x) => x instanceof NodeMessage && x.kind === "nodedown", "nodedown"),
        await next<NodeMessage>(inbox, (x) => x instanceof NodeMessage && x.kind === "nodedown", "nodedown"),
      ];
      // One from monitorNode, one from monitorNodes; both name d and say how its connection went.
      expect(nodedowns).toEqual([
        new NodeMessage("nodedown", "d", "connection_closed"),
        new NodeMessage("nodedown", "d", "connection_closed"),
      ]);
      expect(node.nodes()).not.toContain("d");

      // On a: DOWN and EXIT with noconnection, and nodedown.
      const aDown = await next<Report>(inbox, isReport("a", "DOWN"), "DOWN reported by a");
      expect(aDown.event).toMatchObject({ reason: "noconnection" });
      expect(aDown.event.ref).toEqual(onA.refs[0]);
      expect(aDown.event.item).toEqual(monitored);
      const aExit = await next<Report>(inbox, isReport("a", "EXIT"), "EXIT reported by a");
      expect(aExit.event).toMatchObject({ reason: "noconnection" });
      expect(aExit.event.from).toEqual(linked);
      const aNodedown = await next<Report>(inbox, isReport("a", "nodedown"), "nodedown reported by a");
      expect(aNodedown.event).toMatchObject({ node: "d", reason: "connection_closed" });
      // On b: nodedown through monitorNodes.
      const bNodedown = await next<Report>(
        inbox,
        isReport("b", "nodedown", (e) => e.node === "d"),
        "nodedown reported by b",
      );
      expect(bNodedown.event.reason).toBe("connection_closed");
      expect(await Rpc.call(node, "c", "nodes", [], CALL)).not.toContain("d");

      // The others are fine.
      expect(node.nodes().sort()).toEqual(["a", "b", "c"]);
      expect(await Rpc.call(node, "a", "rpc", ["c", "add", [2, 3]], CALL)).toBe(5);
      inbox.close();
      await m.cluster.leave("d"); // the cluster stops redialling the dead node
    },
    TEST_MS,
  );

  it(
    "a restarted node rejoins with a new incarnation; old pids stay dead, the stale spec is pruned",
    async () => {
      const m = await mesh();
      const { node, cluster } = m;
      const r1 = await startJoined(m, "r");
      const inbox = node.inbox({ trapExit: true });
      const nodes = node.inbox();
      nodes.monitorNodes(true);
      inbox.send({ name: "echo", node: "r" }, { from: inbox.pid, text: "first life" });
      const old = (
        await next<{ by: Pid }>(inbox, (x) => (x as { echo?: string }).echo === "first life", "echo")
      ).by;
      expect(old.creation).toBe(r1.creation);
      inbox.monitorNode("r", true);
      await r1.kill9();
      await next(inbox, (x) => x instanceof NodeMessage && x.kind === "nodedown", "nodedown r");

      const r2 = await startChild("r", SECRET);
      expect(r2.creation).not.toBe(r1.creation);
      expect(r2.address).not.toBe(r1.address);
      expect(await r2.command("join", { address: m.address })).toEqual({ ok: true, value: "t" });
      await untilNodes(nodes, node, ["r"]);
      // The children reconnect to the new life too.
      for (const child of ["a", "b", "c"]) {
        expect(await Rpc.call(node, child, "awaitNodes", [["r"], WAIT_MS], CALL)).toContain("r");
      }
      expect(await Rpc.call(node, "r", "awaitNodes", [["a", "b", "c", "t"], WAIT_MS], CALL)).toEqual([
        "a",
        "b",
        "c",
        "t",
      ]);

      // Sends to the old life reach nothing; the new one answers (by name and by its pid).
      inbox.send(old, { from: inbox.pid, text: "to the old life" });
      inbox.send({ name: "echo", node: "r" }, { from: inbox.pid, text: "second life" });
      const fresh = await next<{ echo: string; by: Pid }>(
        inbox,
        (x) => (x as { by?: unknown }).by !== undefined,
        "an echo from r",
      );
      expect(fresh.echo).toBe("second life"); // FIFO: an answer to the old pid would have come first
      expect(fresh.by.creation).toBe(r2.creation);
      expect(fresh.by.equals(old)).toBe(false);
      inbox.send(fresh.by, { from: inbox.pid, text: "by pid" });
      await next(inbox, (x) => (x as { echo?: string }).echo === "by pid", "echo by pid from r");
      // r is up, and the old pid names no process there: noproc, as in Erlang.
      const ref = inbox.monitor(old);
      const down = await next<DownMessage>(inbox, isDown(ref), "DOWN for the old pid");
      expect(down.reason).toBe("noproc");
      inbox.link(old);
      expect((await next<ExitMessage>(inbox, isExit(old), "EXIT from the old pid")).reason).toBe("noproc");

      // Membership lists r's new spec only, here and, once gossip converges, on every child.
      const specsOfR = (specs: Array<{ name: string; incarnation: number; addresses: readonly string[] }>) =>
        specs
          .filter((s) => s.name === "r")
          .map((s) => ({ incarnation: s.incarnation, addresses: s.addresses }));
      const current = [{ incarnation: r2.creation, addresses: [r2.address] }];
      expect(specsOfR(cluster.members())).toEqual(current);
      for (const child of ["a", "b", "c"]) {
        await eventually(async () => {
          const members = await Rpc.call<Parameters<typeof specsOfR>[0]>(node, child, "members", [], CALL);
          return JSON.stringify(specsOfR(members)) === JSON.stringify(current);
        }, `${child} to list only r's new spec`);
      }
      inbox.close();
      nodes.close();
    },
    TEST_MS,
  );

  // A node that dials in while this node's reconnect backoff to it runs must get a two-sided session
  // at once: its signals arrive, so this node's answers must go out too (or be queued), never be
  // dropped without a noconnection on the other side. (Before 7f4c22d, `Sessions.accepted()` did not
  // clear the backoff: the restarted node saw t as up while t refused to send to it, and this call
  // timed out.) s restarts after 5 failed redials, a backoff of 1.6–3.2 s, joins t and calls it.
  it(
    "a restarted node that dials in during the others' reconnect backoff gets answers at once",
    async () => {
      const m = await mesh();
      const { node } = m;
      // The new life waits, listening, while the old one lives: it joins nobody until told.
      const [s1, s2] = await Promise.all([startJoined(m, "s"), startChild("s", SECRET)]);
      const watch = node.inbox();
      watch.monitorNode("s", true);
      const failedBefore = m.warnings.filter((w) => w === "cannot connect to s").length;
      await s1.kill9();
      await next(watch, (x) => x instanceof NodeMessage && x.kind === "nodedown", "nodedown s");
      await m.warned((w) => w === "cannot connect to s", failedBefore + 5);
      expect(await s2.command("join", { address: m.address })).toEqual({ ok: true, value: "t" });
      expect(await s2.command("nodes")).toEqual({ ok: true, value: expect.arrayContaining(["t"]) });
      // s sees t as connected, and calls it.
      const call = await s2.command("call", { node: "t", fn: "add", args: [1, 2], timeoutMs: 2000 });
      expect(call).toEqual({ ok: true, value: 3 });
      watch.close();
    },
    TEST_MS,
  );

  it(
    "a node with a wrong secret cannot join; the others are unaffected",
    async () => {
      const m = await mesh();
      const { node, a } = m;
      const watch = node.inbox();
      watch.monitorNodes(true);
      const intruder = await startChild("w", "not-the-secret");
      for (const address of [m.address, a.address]) {
        const result = await intruder.command("join", { address });
        expect(result).toMatchObject({ ok: false, error: { name: "ClusterError", code: "unreachable" } });
      }
      const joined = await m.cluster.join(intruder.address).catch((e: unknown) => e);
      expect(joined).toMatchObject({ name: "ClusterError", code: "unreachable" });
      expect(await intruder.command("nodes")).toEqual({ ok: true, value: [] });
      expect(m.warnings.some((w) => w.startsWith("refused a connection"))).toBe(true);
      // The others still talk (t to each child, a to b), and no session came up with w or went down.
      for (const child of ["a", "b", "c"]) {
        expect(await Rpc.call(node, child, "nodes", [], CALL)).not.toContain("w");
      }
      expect(await Rpc.call(node, "a", "rpc", ["b", "add", [40, 2]], CALL)).toBe(42);
      expect(node.nodes()).toEqual(expect.arrayContaining(["a", "b", "c"]));
      expect(node.nodes()).not.toContain("w");
      // A child ends cleanly when its stdin closes.
      expect(await intruder.stop()).toEqual({ code: 0, signal: null });
      const seen: unknown[] = [];
      for (let x = watch.tryReceive(); x !== undefined; x = watch.tryReceive()) seen.push(x);
      expect(seen.filter((x) => ["a", "b", "c", "w"].includes((x as NodeMessage).node))).toEqual([]);
      watch.close();
    },
    TEST_MS,
  );

  it(
    "malformed and too-large frames close that connection (4000, 1009, 4003); the node keeps working",
    async () => {
      const m = await mesh();
      const { node, a } = m;
      const inbox = node.inbox();
      const ref = inbox.monitor({ name: "echo", node: "a" });

      /** Opens a raw WebSocket to a, sends `bytes`, and resolves with the close a sent back. */
      const rawClose = (bytes: Uint8Array) =>
        within(
          new Promise<{ code: number; reason: string }>((resolve, reject) => {
            const socket = new WebSocket(a.address, { perMessageDeflate: false, maxPayload: 1 << 30 });
            socket.once("open", () => socket.send(bytes));
            socket.once("error", reject);
            socket.once("close", (code, reason) => resolve({ code, reason: reason.toString() }));
          }),
          "a to close the raw connection",
        );
      // Not a frame (reserved header bits set): malformed, during the handshake.
      expect(await rawClose(Uint8Array.of(0xff, 0x13, 0x37, 0x00))).toEqual({
        code: CloseCode.malformed,
        reason: "malformed",
      });
      // Over the handshake's 64 KiB limit: too large for the wire layer.
      expect((await rawClose(new Uint8Array(100 * 1024))).code).toBe(CloseCode.tooLarge);
      // Over maxPayload (8 MiB): refused by the socket itself.
      expect((await rawClose(new Uint8Array(8 * 1024 * 1024 + 1))).code).toBe(1009);

      // An authenticated peer (it knows the secret) sending garbage after the handshake.
      const connection = await webSocketMedium().connect(a.address, {
        from: "intruder",
        to: "a",
        channel: "default",
      });
      const result = await handshake(connection, {
        role: "dialer",
        self: { name: "intruder", addresses: [], incarnation: 1, channels: { default: { parallelism: 1 } } },
        secret: SECRET,
        channel: "default",
        expected: "a",
      });
      expect(result.peer.name).toBe("a");
      const closed = new Promise<CloseInfo>((resolve) =>
        result.attach({ onFrame: () => {}, onClose: resolve }),
      );
      connection.send(Uint8Array.of(0x00, 0xc1)); // 0xc1: never used in msgpack
      expect(await within(closed, "a to close the authenticated connection")).toMatchObject({
        code: CloseCode.malformed,
        local: false,
      });

      // a is still up, still connected to everyone, and answers; its monitored process never went down.
      expect(await Rpc.call(node, "a", "add", [1, 1], CALL)).toBe(2);
      expect(await Rpc.call(node, "a", "nodes", [], CALL)).toEqual(expect.arrayContaining(["b", "c", "t"]));
      expect(m.cluster.isConnected("a")).toBe(true);
      inbox.send({ name: "echo", node: "a" }, { from: inbox.pid, text: "still here" });
      await next(inbox, (x) => (x as { echo?: string }).echo === "still here", "echo from a");
      expect(inbox.tryReceive(isDown(ref))).toBeUndefined();
      expect(a.process.exitCode).toBeNull();
      inbox.close();
    },
    TEST_MS,
  );
});
