/**
 * Clusters of nodes on one `MemoryNetwork` with a virtual clock, stopped after each test. Handshakes
 * use WebCrypto, whose promises settle outside the virtual clock, so tests wait for conditions with
 * {@link settle}/{@link until}, which yield to the event loop a bounded number of times (never a sleep).
 */
import {
  type DistributionHost,
  type Inbox,
  Node,
  type NodeOptions,
  type Signal,
  VirtualClock,
} from "@maquis/core";
import { afterEach, beforeEach, expect } from "vitest";
import { Cluster, type ClusterOptions } from "../../src/cluster/index.js";
import type { Connection, Medium } from "../../src/Connection.js";
import { type FrameEvent, type MemoryConnection, MemoryNetwork } from "../../src/memory/index.js";
import { SeededRandom } from "../../src/memory/random.js";
import type { Frame } from "../../src/wire/Frame.js";
import { isFragment, Reassembler } from "../../src/wire/Fragments.js";
import { decodeFrame } from "../../src/wire/FrameCodec.js";

/** A signal as the node's transport handed it to core (`DistributionHost.deliver`), in arrival order. */
export interface Delivered {
  readonly from: string;
  readonly signal: Signal;
}

export interface TestNode {
  readonly node: Node;
  readonly cluster: Cluster;
  readonly warnings: string[];
  /** Every signal this node received from other nodes, in the order the transport delivered them. */
  readonly delivered: Delivered[];
}

/** Options of `start`: the cluster's, plus the node's (a fixed `creation` to restart a node as a new life). */
export type StartOptions = Partial<ClusterOptions> & { readonly node?: Pick<NodeOptions, "creation"> };

/** One frame as a node wrote it to a connection (before the network's faults). */
export interface WireRecord {
  /** `MemoryConnection.id`, as in trace events. */
  readonly connection: number;
  readonly from: string;
  readonly to: string;
  /** The channel the connection was dialled for (what trace events report). */
  readonly channel: string;
  /** Whether `from` dialled this connection. */
  readonly dialled: boolean;
  readonly bytes: Uint8Array;
}

/**
 * Records every frame the nodes' media write, by wrapping each connection's `send` (nothing in the
 * network or the cluster changes): `medium(name)` is `network.medium(name)` with recording.
 */
export class WireTap {
  readonly records: WireRecord[] = [];
  readonly #network: MemoryNetwork;

  constructor(network: MemoryNetwork) {
    this.#network = network;
  }

  medium(name: string): Medium {
    const inner = this.#network.medium(name);
    return {
      listen: (address, accept) =>
        inner.listen(address, (connection) => {
          this.#tap(connection, false);
          accept(connection);
        }),
      connect: async (address, info) => this.#tap(await inner.connect(address, info), true),
    };
  }

  /** The frames recorded so far (fragmented ones put back together), decoded, with where they went. */
  frames(): Array<WireRecord & { readonly frame: Frame }> {
    const partial = new Map<number, Reassembler>();
    const out = [];
    for (const r of this.records) {
      let bytes: Uint8Array | undefined = r.bytes;
      if (isFragment(bytes)) {
        let reassembler = partial.get(r.connection);
        if (reassembler === undefined) partial.set(r.connection, (reassembler = new Reassembler()));
        bytes = reassembler.accept(bytes, 1 << 30);
      }
      if (bytes !== undefined) out.push({ ...r, bytes, frame: decodeFrame(bytes, { maxPayload: 1 << 30 }) });
    }
    return out;
  }

  /** Every signal written to the wire, with the connection and channel it travelled on. */
  signals(): Array<{
    readonly connection: number;
    readonly channel: string;
    readonly from: string;
    readonly signal: Signal;
  }> {
    const out = [];
    for (const f of this.frames()) {
      if (f.frame.kind !== "data") continue;
      for (const signal of f.frame.signals)
        out.push({ connection: f.connection, channel: f.channel, from: f.from, signal });
    }
    return out;
  }

  #tap(connection: MemoryConnection, dialled: boolean): Connection {
    const send = connection.send.bind(connection);
    connection.send = (bytes: Uint8Array) => {
      this.records.push({
        connection: connection.id,
        from: connection.localNode,
        to: connection.remoteNode,
        channel: connection.channel,
        dialled,
        bytes: bytes.slice(),
      });
      send(bytes);
    };
    return connection;
  }
}

/**
 * The connections `from` dialled to `to` (on `channel`, if given), from the network's trace: the first
 * event of every connection is its dialler's `hello`.
 */
export const dialledConnections = (
  events: readonly FrameEvent[],
  from: string,
  to: string,
  channel?: string,
): number[] => {
  const first = new Map<number, FrameEvent>();
  for (const e of events) if (!first.has(e.connection)) first.set(e.connection, e);
  const out: number[] = [];
  for (const [id, e] of first) {
    if (e.from === from && e.to === to && (channel === undefined || e.channel === channel)) out.push(id);
  }
  return out;
};

/** The host core hands the transport, with every delivered signal recorded on the way. */
const observed = (host: DistributionHost, log: Delivered[]): DistributionHost => ({
  name: host.name,
  creation: host.creation,
  deliver: (from, signal) => {
    log.push({ from, signal });
    host.deliver(from, signal);
  },
  runPending: () => host.runPending(),
  nodeUp: (node) => host.nodeUp(node),
  nodeDown: (node, reason) => host.nodeDown(node, reason),
});

/** One event-loop turn (a macrotask): lets microtask-batched frames go out and WebCrypto settle. */
export const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * How long (wall clock) a wait may last before it fails, whatever its turn budget: WebCrypto runs on a
 * thread pool, and under load (other test files, a loaded CI machine) one digest can outlast thousands
 * of event-loop turns. A deadline, never a sleep: waits return as soon as their condition holds.
 */
const GRACE_MS = 5_000;

/** Waits until `condition` holds, yielding to the event loop; fails after `turns` turns and {@link GRACE_MS}. */
export const until = async (condition: () => boolean, what = "condition", turns = 2000): Promise<void> => {
  const deadline = Date.now() + GRACE_MS;
  for (let i = 0; i < turns || Date.now() < deadline; i++) {
    if (condition()) return;
    await turn();
  }
  expect.fail(`timed out waiting for ${what}`);
};

/**
 * Waits until `condition` holds, moving the virtual clock `stepMs` at every event-loop turn (for what
 * waits on timers: reconnect backoff, keep-alive, drain polls) up to `maxMs` in all; then waits on
 * without moving it (what is left is WebCrypto) and fails as {@link until} does.
 */
export const advanceUntil = async (
  clock: VirtualClock,
  condition: () => boolean,
  what = "condition",
  { stepMs = 10, maxMs = 60_000 }: { stepMs?: number; maxMs?: number } = {},
): Promise<void> => {
  for (let elapsed = 0; elapsed < maxMs; elapsed += stepMs) {
    if (condition()) return;
    clock.advance(stepMs);
    await turn();
  }
  await until(condition, `${what} (after ${maxMs} virtual ms)`);
};

/** Lets everything in flight (frames, handshakes, processes) settle. */
export const settle = async (turns = 30): Promise<void> => {
  for (let i = 0; i < turns; i++) await turn();
};

/** Everything in the inbox after things settle. */
export const drain = async (inbox: Inbox): Promise<unknown[]> => {
  await settle();
  const out: unknown[] = [];
  for (;;) {
    const m = await inbox.receive(undefined, 0);
    if (m === undefined) return out;
    out.push(m);
  }
};

/**
 * A fresh network and virtual clock for each test (read them through the returned getters), and
 * `start`/`mesh` to make nodes on it. Every frame is traced (`trace`, the network's `onFrame` events)
 * and recorded as written (`wire`); node creations come from the seeded random unless given.
 */
export const useCluster = (seed = 1) => {
  let nodes: TestNode[] = [];
  let clock = new VirtualClock();
  let network = new MemoryNetwork({ clock, seed });
  let random = new SeededRandom(seed);
  let trace: FrameEvent[] = [];
  let wire = new WireTap(network);
  beforeEach(() => {
    clock = new VirtualClock();
    network = new MemoryNetwork({ clock, seed });
    random = new SeededRandom(seed);
    trace = [];
    const events = trace;
    network.onFrame = (event) => events.push(event);
    wire = new WireTap(network);
  });
  afterEach(async () => {
    for (const n of nodes.splice(0)) await n.node.stop();
    nodes = [];
  });
  const start = async (name: string, options: StartOptions = {}): Promise<TestNode> => {
    const warnings: string[] = [];
    const delivered: Delivered[] = [];
    const { node: nodeOptions, ...clusterOptions } = options;
    const cluster = new Cluster({
      medium: wire.medium(name),
      listen: `memory://${name}`,
      secret: "test-secret",
      clock,
      // Handshakes wait for WebCrypto, outside the virtual clock: tests that move the clock must not
      // time them out (a test about handshake timeouts sets its own).
      handshakeTimeoutMs: 3_600_000,
      random: () => random.next(),
      logger: { warn: (message) => warnings.push(message) },
      ...clusterOptions,
    });
    const node = Node.start({
      name,
      clock,
      creation: nodeOptions?.creation ?? 1 + Math.floor(random.next() * 0xfffffffe),
      transport: (host) => cluster.transport(observed(host, delivered)),
    });
    try {
      await cluster.ready;
    } catch (error) {
      await node.stop();
      throw error;
    }
    const t = { node, cluster, warnings, delivered };
    nodes.push(t);
    return t;
  };
  /** SyncJoins every node to the first and waits for the full mesh. */
  const connect = async (...started: TestNode[]): Promise<TestNode[]> => {
    const first = started[0]!.node.name;
    for (const t of started.slice(1)) await t.cluster.syncJoin(`memory://${first}`);
    await until(() => started.every((t) => t.cluster.nodes().length === started.length - 1), "full mesh");
    return started;
  };
  /** Starts nodes and syncJoins each to the first. */
  const mesh = async (...names: string[]): Promise<TestNode[]> => {
    const started: TestNode[] = [];
    for (const name of names) started.push(await start(name));
    return connect(...started);
  };
  return {
    get clock() {
      return clock;
    },
    get network() {
      return network;
    },
    /** The network's trace since the test began. */
    get trace() {
      return trace;
    },
    /** The frames written since the test began. */
    get wire() {
      return wire;
    },
    start,
    mesh,
    connect,
  };
};
