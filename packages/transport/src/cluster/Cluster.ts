/**
 * A node's membership in a cluster: the `DistributionPort` core sends through, plus join, leave and
 * the topology (Partisan's peer service manager).
 */
import {
  type ClockHandle,
  type DistributionHost,
  type DistributionPort,
  Node,
  type NodeOptions,
  type Transport,
} from "@maquis/core";
import type { Connection, Listener } from "../Connection.js";
import type { MembershipUpdate } from "../membership/MembershipStrategy.js";
import { nodeSpecKey } from "../membership/NodeSpecKey.js";
import { DEFAULT_CHANNEL, type NodeSpec } from "../NodeSpec.js";
import { handshake } from "../wire/Handshake.js";
import { ClusterError } from "./Errors.js";
import { type ClusterOptions, resolveSettings, type Settings } from "./Options.js";
import type { Peer } from "./Peer.js";
import { Sessions } from "./Sessions.js";

/** Options of {@link Cluster.start}: the cluster's, plus the node's name and, optionally, its other options. */
export interface ClusterStartOptions extends ClusterOptions {
  /** The node's name, unique in the cluster (e.g. `"a@127.0.0.1"`). */
  readonly name: string;
  /** The node's other options (clock, creation); the clock is shared with the cluster unless `clock` is set. */
  readonly node?: Omit<NodeOptions, "name" | "transport">;
}

/**
 * Distribution for one node: connects it to other nodes so that everything in `@maquis/core` is
 * location-transparent (send, link, monitor, exit to remote pids or `{ name, node }`, `noconnection`
 * when a peer is lost), over named channels, with a pluggable topology (full mesh by default).
 *
 * When to use: to run processes on several nodes (OS processes, machines, browser tabs, or many nodes
 * in one process over a `MemoryNetwork` for tests and simulations).
 *
 * Gotchas:
 * - Pass `cluster.transport` to exactly one `Node.start`, then await `cluster.ready` (or use
 *   {@link Cluster.start}, which does both).
 * - Membership is not connectivity: `members()` is who the topology wants connected, `nodes()` who is.
 * - Ordering holds per channel and per receiver: everything for one process travels on one connection
 *   (links, monitors and exits on the default channel), a `partitionKey` keeps one key in order.
 * - Messages must be encodable (core's codec); one that is not is dropped and logged.
 *
 * @example
 * const { node, cluster } = await Cluster.start({
 *   name: "a@127.0.0.1",
 *   medium: webSocketMedium(),
 *   listen: "ws://127.0.0.1:4370",
 *   secret: process.env.CLUSTER_SECRET!,
 * });
 * await cluster.join("ws://127.0.0.1:4371");
 * node.send({ name: "kv", node: "b@127.0.0.1" }, { put: ["k", 1] });
 */
export class Cluster {
  /** Pass to `Node.start({ transport })`. */
  readonly transport: Transport;
  /** Resolves once the node listens and its topology is initialised; rejects if listening fails. */
  readonly ready: Promise<void>;
  readonly #settings: Settings;
  #resolveReady!: () => void;
  #rejectReady!: (error: unknown) => void;
  #sessions: Sessions | undefined;
  #listeners: Listener[] = [];
  #strategyState: unknown;
  #members = new Map<string, NodeSpec>();
  #timers: ClockHandle[] = [];
  #stopped = false;

  /** Validates the options (throws core's `ConfigError`); nothing happens until the transport is used. */
  constructor(options: ClusterOptions) {
    this.#settings = resolveSettings(options);
    this.ready = new Promise<void>((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    this.ready.catch(() => {}); // reported to whoever awaits it; never an unhandled rejection
    this.transport = (host) => this.#attach(host);
  }

  /**
   * Starts a node with this cluster as its transport and waits until it listens.
   *
   * @example
   * const { node, cluster } = await Cluster.start({ name: "a", medium, listen: "memory://a", secret });
   */
  static async start(options: ClusterStartOptions): Promise<{ node: Node; cluster: Cluster }> {
    const cluster = new Cluster(options);
    const clock = options.node?.clock ?? options.clock;
    const node = Node.start({
      ...options.node,
      ...(clock === undefined ? {} : { clock }),
      name: options.name,
      transport: cluster.transport,
    });
    try {
      await cluster.ready;
    } catch (error) {
      await node.stop();
      throw error;
    }
    return { node, cluster };
  }

  /** This node's spec: its name, the addresses it listens on, its incarnation and channels. */
  get spec(): NodeSpec {
    return this.#need().spec;
  }

  /** The nodes connected now (as `node.nodes()`). */
  nodes(): string[] {
    return this.#sessions?.upNodes() ?? [];
  }

  /** The members of the cluster as the topology sees them, this node excluded; some may be unreachable. */
  members(): NodeSpec[] {
    return [...this.#members.values()];
  }

  /** Whether a session with `node` is up. */
  isConnected(node: string): boolean {
    return this.#sessions?.peers.get(node)?.state === "up";
  }

  /**
   * Joins the cluster of the node at `target` (an address such as `"ws://10.0.0.2:4370"`, or its spec):
   * connects, learns its spec from the handshake, and adds it to this node's topology, which gossips the
   * rest. Resolves with the peer's spec once the first connection is authenticated; rejects with
   * `ClusterError` (`unreachable`) if it cannot connect. A spec target resolves once fully connected.
   */
  async join(target: string | NodeSpec): Promise<NodeSpec> {
    await this.ready;
    const sessions = this.#need();
    if (typeof target !== "string") {
      await this.#connect(target);
      return this.#joined(sessions.peer(target.name).spec ?? target);
    }
    const spec = await this.#dialAddress(target);
    return this.#joined(spec);
  }

  /**
   * Like {@link join}, and resolves only when the session is up: every channel has reached its
   * parallelism (Partisan's `sync_join`).
   */
  async syncJoin(target: string | NodeSpec): Promise<NodeSpec> {
    const spec = await this.join(target);
    await this.#connect(spec);
    return this.#need().peers.get(spec.name)?.spec ?? spec;
  }

  /**
   * Leaves the cluster (no argument, or this node's name): tells the others, then closes every
   * connection. With another node's name, removes that node from the cluster and disconnects it.
   */
  async leave(node?: string): Promise<void> {
    await this.ready;
    const sessions = this.#need();
    const self = sessions.spec.name;
    const name = node ?? self;
    this.#call((s) => this.#settings.strategy.leave(name === self ? sessions.spec : name, s));
    if (name === self) sessions.closeAll("leave");
    else {
      const peer = sessions.peers.get(name);
      if (peer !== undefined) sessions.end(peer, "disconnect");
    }
  }

  /**
   * Reconciles membership with an authoritative list of specs (peer discovery; Partisan's
   * `update_members`): joins those not known, removes those missing.
   */
  updateMembers(specs: readonly NodeSpec[]): void {
    this.#need();
    this.#call((s) => this.#settings.strategy.compare(specs, s));
  }

  // ---- internals ----

  #need(): Sessions {
    if (this.#stopped) throw new ClusterError("stopped", "the cluster has stopped");
    if (this.#sessions === undefined)
      throw new ClusterError("not_ready", "the cluster is not started: pass cluster.transport to Node.start");
    return this.#sessions;
  }

  #attach(host: DistributionHost): DistributionPort {
    if (this.#sessions !== undefined)
      throw new ClusterError("not_ready", "a Cluster serves one node; create one per node");
    const settings = this.#settings;
    const spec: NodeSpec = {
      name: host.name,
      addresses: [],
      incarnation: host.creation,
      channels: settings.channels,
    };
    const sessions = new Sessions(settings, host, spec, {
      peerSpec: (s) => this.#peerSpec(s),
      gossip: (from, payload) => this.#gossip(from, payload),
      sessionDown: (peer) => this.#sessionDown(peer),
    });
    this.#sessions = sessions;
    void this.#listen(sessions);
    return {
      send: (node, signal) => sessions.send(node, signal),
      nodes: () => sessions.upNodes(),
      stop: () => this.#stop(),
    };
  }

  async #listen(sessions: Sessions): Promise<void> {
    const settings = this.#settings;
    try {
      for (const address of settings.listen) {
        this.#listeners.push(await settings.medium.listen(address, (c) => this.#incoming(c)));
      }
    } catch (error) {
      for (const listener of this.#listeners.splice(0)) await listener.close().catch(() => {});
      this.#rejectReady(error);
      return;
    }
    const addresses = settings.advertise ?? this.#listeners.map((l) => l.address);
    sessions.spec = { ...sessions.spec, addresses: [...addresses] };
    this.#call(() => settings.strategy.init(sessions.spec));
    this.#every(settings.periodicMs, () => this.#call((s) => settings.strategy.periodic(s)));
    const tick = Math.max(10, Math.min(settings.idleMs, settings.pingTimeoutMs) / 2);
    this.#every(tick, () => sessions.keepAlive());
    this.#resolveReady();
  }

  #every(ms: number, run: () => void): void {
    const index = this.#timers.length;
    const fire = () => {
      if (this.#stopped) return;
      run();
      this.#timers[index] = this.#settings.clock.schedule(ms, fire);
    };
    this.#timers.push(this.#settings.clock.schedule(ms, fire));
  }

  async #incoming(connection: Connection): Promise<void> {
    const sessions = this.#sessions!;
    try {
      const result = await handshake(connection, {
        role: "listener",
        self: sessions.spec,
        secret: this.#settings.secret,
        timeoutMs: this.#settings.handshakeTimeoutMs,
        clock: this.#settings.clock,
      });
      sessions.accepted(connection, result);
    } catch (error) {
      this.#settings.logger.warn(
        `refused a connection from ${connection.remoteAddress}: ${(error as Error).message}`,
        { error },
      );
    }
  }

  /** Connects to `target`'s address with a default-channel connection, learning who is there. */
  async #dialAddress(address: string): Promise<NodeSpec> {
    const sessions = this.#need();
    const settings = this.#settings;
    let connection: Connection;
    let result: Awaited<ReturnType<typeof handshake>>;
    try {
      connection = await settings.medium.connect(address, {
        from: sessions.spec.name,
        to: address,
        channel: DEFAULT_CHANNEL,
      });
      result = await handshake(connection, {
        role: "dialer",
        self: sessions.spec,
        secret: settings.secret,
        channel: DEFAULT_CHANNEL,
        timeoutMs: settings.handshakeTimeoutMs,
        clock: settings.clock,
      });
    } catch (cause) {
      throw new ClusterError("unreachable", `cannot join ${address}: ${(cause as Error).message}`, { cause });
    }
    const spec = result.peer;
    if (spec.name === sessions.spec.name) {
      connection.close(1000, "same node");
      throw new ClusterError("unreachable", `${address} is this node`);
    }
    const peer = sessions.peer(spec.name);
    if (peer.state === "idle") {
      peer.spec = spec;
      sessions.startSession(peer, { connection, result });
    } else {
      sessions.adoptSpare(connection, result);
      this.#peerSpec(spec);
    }
    return spec;
  }

  /** Waits until the session with `spec`'s node is up, starting it if needed. */
  #connect(spec: NodeSpec): Promise<void> {
    const sessions = this.#need();
    const peer = sessions.peer(spec.name);
    if (peer.state === "up") return Promise.resolve();
    if (peer.state === "idle") {
      if (peer.spec === undefined || peer.spec.incarnation === 0) peer.spec = spec;
      peer.retryAt = 0; // the user asked: try now
      if (!sessions.startSession(peer)) {
        return Promise.reject(new ClusterError("unreachable", `${spec.name} has no address to dial`));
      }
    }
    return new Promise((resolve, reject) => peer.waiters.push({ resolve, reject }));
  }

  #joined(spec: NodeSpec): NodeSpec {
    this.#call((s) => this.#settings.strategy.join(spec, s));
    return spec;
  }

  /** Runs a strategy callback on the current state and applies its answer; a throwing callback changes nothing. */
  #call(callback: (state: unknown) => MembershipUpdate<unknown, unknown>): void {
    const sessions = this.#sessions;
    if (sessions === undefined || this.#stopped) return;
    let update: MembershipUpdate<unknown, unknown>;
    try {
      update = callback(this.#strategyState);
    } catch (error) {
      this.#settings.logger.warn(`membership strategy ${this.#settings.strategy.name} threw`, { error });
      return;
    }
    this.#strategyState = update.state;
    const members = new Map<string, NodeSpec>();
    for (const spec of update.members) {
      if (spec.name === sessions.spec.name) continue;
      members.set(spec.name, spec);
      const peer = sessions.peer(spec.name);
      if (peer.state === "idle") {
        if (
          peer.spec === undefined ||
          peer.spec.incarnation === 0 ||
          nodeSpecKey(peer.spec) !== nodeSpecKey(spec)
        ) {
          peer.spec = spec;
        }
        sessions.startSession(peer);
      }
    }
    this.#members = members;
    for (const [to, message] of update.outgoing) sessions.sendGossip(to, message);
    if (update.removed === true) sessions.closeAll("removed from the cluster");
  }

  /** A handshake revealed a member's current spec: specs of its earlier lives or addresses are stale. */
  #peerSpec(spec: NodeSpec): void {
    const known = this.#members.get(spec.name);
    if (known === undefined || nodeSpecKey(known) === nodeSpecKey(spec)) return;
    this.#call((s) => this.#settings.strategy.prune([known], s));
    this.#call((s) => this.#settings.strategy.join(spec, s));
  }

  #gossip(from: string, payload: unknown): void {
    const strategy = this.#settings.strategy;
    if (!strategy.isMessage(payload)) {
      this.#settings.logger.warn(`dropped a malformed ${strategy.name} message from ${from}`);
      return;
    }
    this.#call((s) => strategy.handleMessage(from, payload, s));
  }

  /** A session ended: reconnect to members with exponential backoff and jitter. */
  #sessionDown(peer: Peer): void {
    if (this.#stopped || !this.#members.has(peer.name)) return;
    const s = this.#settings;
    const base = Math.min(s.reconnectMaxMs, s.reconnectInitialMs * 2 ** Math.min(peer.failures, 30));
    const delay = base * (1 - s.jitter * s.random());
    if (peer.failures > 0) peer.retryAt = s.clock.now() + delay;
    if (peer.reconnectTimer !== undefined) s.clock.cancel(peer.reconnectTimer);
    peer.reconnectTimer = s.clock.schedule(delay, () => {
      peer.reconnectTimer = undefined;
      if (this.#stopped || !this.#members.has(peer.name)) return;
      peer.retryAt = 0;
      this.#sessions?.startSession(peer);
    });
  }

  async #stop(): Promise<void> {
    if (this.#stopped) return;
    const sessions = this.#sessions;
    this.#stopped = true;
    for (const timer of this.#timers) this.#settings.clock.cancel(timer);
    if (sessions !== undefined) {
      sessions.stopping = true;
      sessions.closeAll("shutdown");
    }
    for (const listener of this.#listeners.splice(0)) await listener.close().catch(() => {});
  }
}
