/**
 * The sessions of a node with its peers: dialling and accepting connections, the handshake, routing
 * signals to connections, receiving frames, keep-alive, and ending a session as one nodedown. The
 * cluster (membership, public API) drives it; it knows nothing of topologies.
 *
 * Over 400 lines because every path here reads and ends the same per-peer session state; splitting
 * dialling from receiving would spread the generation checks that keep stale work out.
 */
import type { DistributionHost, Pid, RemoteName, Ref, Signal } from "@maquis/core";
import { CloseCode, type Connection } from "../Connection.js";
import { DEFAULT_CHANNEL, MEMBERSHIP_CHANNEL, type NodeSpec } from "../NodeSpec.js";
import { isFragment } from "../wire/Fragments.js";
import type { Frame } from "../wire/Frame.js";
import { decodeFrame, encodeFrame } from "../wire/FrameCodec.js";
import { handshake, type HandshakeResult } from "../wire/Handshake.js";
import { closeCodeFor, WireError } from "../wire/WireError.js";
import { ClusterError } from "./Errors.js";
import type { Settings } from "./Options.js";
import { Outbox } from "./Outbox.js";
import { Peer, PeerLink } from "./Peer.js";
import { channelOf, slotOf } from "./Routing.js";

/** What sessions report to the cluster. */
export interface SessionEvents {
  /** A handshake told us a peer's current spec. */
  readonly peerSpec: (spec: NodeSpec) => void;
  /** Membership gossip arrived from `from`. */
  readonly gossip: (from: string, payload: unknown) => void;
  /** A session ended; the cluster decides whether to reconnect. */
  readonly sessionDown: (peer: Peer) => void;
}

const compressionOf = (channel: { compression?: unknown } | undefined) => {
  const c = channel?.compression;
  if (c === undefined || c === false) return undefined;
  return c === true ? {} : (c as { level?: number; threshold?: number });
};

/** Signals held for a peer whose session is being set up; past this the session is abandoned. */
const MAX_PENDING = 1_000_000;

const isLocal = (to: Pid | RemoteName | Ref, self: string): boolean => to.node === self;

export class Sessions {
  readonly peers = new Map<string, Peer>();
  private readonly settings: Settings;
  private readonly host: DistributionHost;
  private readonly events: SessionEvents;
  /** This node's spec (set once listening). */
  spec: NodeSpec;
  stopping = false;

  constructor(settings: Settings, host: DistributionHost, spec: NodeSpec, events: SessionEvents) {
    this.settings = settings;
    this.host = host;
    this.spec = spec;
    this.events = events;
  }

  peer(name: string): Peer {
    let peer = this.peers.get(name);
    if (peer === undefined) this.peers.set(name, (peer = new Peer(name)));
    return peer;
  }

  /** The nodes with a session up. */
  upNodes(): string[] {
    const out: string[] = [];
    for (const peer of this.peers.values()) if (peer.state === "up") out.push(peer.name);
    return out;
  }

  // ---- sending ----

  /** Outboxes with a flush queued as a microtask since the last `flushQueued`. */
  private queuedOutboxes = new Set<Outbox>();

  /** Runs the queued flushes now (each outbox's own microtask then finds nothing left to send). */
  private flushQueued(): void {
    const outboxes = this.queuedOutboxes;
    if (outboxes.size === 0) return;
    this.queuedOutboxes = new Set();
    for (const outbox of outboxes) outbox.flush();
  }

  /** The port's `send`: route to a connection, queue while connecting, or refuse (`noconnection`). */
  send(node: string, signal: Signal): boolean {
    if (this.stopping) return false;
    const peer = this.peers.get(node) ?? this.resolvable(node);
    if (peer === undefined) return false;
    if (peer.state === "up") {
      this.route(peer, signal);
      return true;
    }
    if (peer.state === "idle" && !this.startSession(peer)) return false;
    if (peer.pending.length >= MAX_PENDING) {
      this.settings.logger.warn(`${MAX_PENDING} signals wait for ${peer.name} to connect; giving up on it`);
      this.end(peer, "overloaded");
      return false;
    }
    peer.pending.push(signal);
    return true;
  }

  /** A peer for a node this one has never seen, if `resolve` knows where it listens. */
  private resolvable(node: string): Peer | undefined {
    if (node === this.spec.name) return undefined;
    const addresses = this.settings.resolve(node);
    if (addresses === undefined || addresses.length === 0) return undefined;
    const peer = this.peer(node);
    peer.spec = { name: node, addresses, incarnation: 0, channels: {} };
    return peer;
  }

  private route(peer: Peer, signal: Signal): void {
    let links = peer.sending.get(channelOf(signal));
    if (links === undefined) links = peer.sending.get(DEFAULT_CHANNEL)!; // the peer lacks the channel
    const link = links[slotOf(signal, links.length)]!;
    link.outbox!.push(signal);
  }

  /** Sends membership gossip now if the session is up, else once it is (best effort either way). */
  sendGossip(node: string, payload: unknown): void {
    const peer = this.peers.get(node);
    if (peer === undefined || this.stopping) return;
    if (peer.state !== "up") {
      if (peer.state === "connecting") peer.pendingGossip.push(payload);
      return;
    }
    const link = (peer.sending.get(MEMBERSHIP_CHANNEL) ?? peer.sending.get(DEFAULT_CHANNEL))![0]!;
    this.write(link, { kind: "gossip", payload });
  }

  private write(link: PeerLink, frame: Frame): void {
    if (!link.connection.open) return;
    try {
      const bytes = encodeFrame(frame, { maxPayload: this.settings.maxPayload });
      if (link.outbox !== null) link.outbox.sendControl(bytes);
      else link.connection.send(bytes);
    } catch (error) {
      this.settings.logger.warn(`cannot send a ${frame.kind} frame`, { error });
    }
  }

  // ---- sessions ----

  /**
   * Starts a session with a peer this node can dial; false if it cannot now (no address, or a recent
   * failure). `adopt` is a default-channel connection already made (a join by address).
   */
  startSession(peer: Peer, adopt?: { connection: Connection; result: HandshakeResult }): boolean {
    if (this.stopping || peer.state !== "idle") return false;
    if (adopt === undefined && (!peer.dialable || this.settings.clock.now() < peer.retryAt)) return false;
    peer.state = "connecting";
    peer.downReason = undefined;
    if (peer.reconnectTimer !== undefined) this.settings.clock.cancel(peer.reconnectTimer);
    peer.reconnectTimer = undefined;
    const generation = peer.generation;
    if (adopt !== undefined) {
      this.adopt(peer, generation, DEFAULT_CHANNEL, 0, adopt.connection, adopt.result);
    } else {
      void this.dialSlot(peer, generation, DEFAULT_CHANNEL, 0);
    }
    return true;
  }

  /** Dials one sending connection (trying the peer's addresses in order) and adopts it. */
  private async dialSlot(peer: Peer, generation: number, channel: string, slot: number): Promise<void> {
    const addresses = peer.spec?.addresses ?? [];
    let lastError: unknown = new ClusterError("unreachable", `${peer.name} has no address`);
    for (const address of addresses) {
      if (peer.generation !== generation || this.stopping) return;
      try {
        const connection = await this.settings.medium.connect(address, {
          from: this.spec.name,
          to: peer.name,
          channel,
        });
        const result = await handshake(connection, {
          role: "dialer",
          self: this.spec,
          secret: this.settings.secret,
          channel,
          expected: peer.name,
          timeoutMs: this.settings.handshakeTimeoutMs,
          clock: this.settings.clock,
        });
        this.adopt(peer, generation, channel, slot, connection, result);
        return;
      } catch (error) {
        lastError = error;
      }
    }
    if (peer.generation !== generation) return;
    this.settings.logger.warn(`cannot connect to ${peer.name}`, { channel, slot, error: lastError });
    this.end(peer, "connection_setup_failed");
  }

  /** A dialled connection joins the session in `slot` of `channel`. */
  private adopt(
    peer: Peer,
    generation: number,
    channel: string,
    slot: number,
    connection: Connection,
    result: HandshakeResult,
  ): void {
    if (peer.generation !== generation || this.stopping) {
      connection.close(CloseCode.normal, "session ended");
      return;
    }
    this.acceptSpec(peer, result.peer);
    if (peer.generation !== generation) {
      // The peer restarted (a new incarnation): its old session just ended; start afresh with the new life.
      connection.close(CloseCode.normal, "session ended");
      this.startSession(peer);
      return;
    }
    const link = this.attach(peer, connection, result, true);
    let slots = peer.sending.get(channel);
    if (slots === undefined) peer.sending.set(channel, (slots = []));
    slots[slot] = link;
    link.outbox = this.outboxFor(peer, link);
    if (channel === DEFAULT_CHANNEL && slot === 0) {
      // The peer's spec is known now: dial every other sending connection at once.
      for (const [name, parallelism] of peer.channelsToDial(this.settings.channels)) {
        const existing = peer.sending.get(name) ?? [];
        peer.sending.set(name, existing);
        existing.length = parallelism;
        for (let i = 0; i < parallelism; i++) {
          if (name === DEFAULT_CHANNEL && i === 0) continue;
          void this.dialSlot(peer, generation, name, i);
        }
      }
    }
    this.checkUp(peer);
  }

  /** A connection the peer dialled (its sending side). */
  accepted(connection: Connection, result: HandshakeResult): void {
    const spec = result.peer;
    if (this.stopping || spec.name === this.spec.name) {
      connection.close(
        CloseCode.unauthenticated,
        spec.name === this.spec.name ? "same node name" : "stopping",
      );
      return;
    }
    const peer = this.peer(spec.name);
    this.acceptSpec(peer, spec);
    const link = this.attach(peer, connection, result, false);
    if (!peer.dialable) {
      // A peer that does not listen (a browser) is sent to on its own connections: the first per channel.
      if (!peer.sending.has(result.channel)) {
        peer.sending.set(result.channel, [link]);
        link.outbox = this.outboxFor(peer, link);
      }
      if (peer.state === "idle") peer.state = "connecting";
      this.checkUp(peer);
    } else if (peer.state === "idle") {
      // The peer just proved it is alive: dial back now, whatever the backoff after earlier failures.
      peer.retryAt = 0;
      this.startSession(peer);
    }
  }

  /**
   * A connection dialled to join a node that turned out to have a session already: it joins that
   * session as a connection this node does not send on. Closing it instead would make the peer, which
   * has attached it, end the whole session.
   */
  adoptSpare(connection: Connection, result: HandshakeResult): void {
    const peer = this.peer(result.peer.name);
    if (peer.state === "idle" || this.stopping) {
      connection.close(CloseCode.normal, "session ended");
      return;
    }
    this.attach(peer, connection, result, true);
  }

  /**
   * Records the peer's spec from a handshake. A new incarnation means the old life is gone: its session
   * ends first (the newest life wins; two live nodes with one name keep replacing each other).
   */
  private acceptSpec(peer: Peer, spec: NodeSpec): void {
    const known = peer.spec;
    if (
      known !== undefined &&
      known.incarnation !== 0 &&
      known.incarnation !== spec.incarnation &&
      peer.state !== "idle"
    ) {
      const live = [...peer.links].some((l) => l.connection.open);
      if (live) this.end(peer, "connection_closed");
    }
    peer.spec = spec;
    this.events.peerSpec(spec);
  }

  private outboxFor(peer: Peer, link: PeerLink): Outbox {
    const channel = this.settings.channels[link.channel];
    const { clock, maxPayload, highWaterMark, maxBufferedBytes, logger } = this.settings;
    return new Outbox(link.connection, {
      clock,
      compress: compressionOf(channel),
      monotonic: channel?.monotonic === true,
      maxPayload,
      highWaterMark,
      maxBufferedBytes,
      onDropped: (signal, error) =>
        logger.warn(`dropped a ${signal.kind} signal for ${peer.name}: ${error.message}`, { error }),
      onOverload: () => {
        logger.warn(
          `connection to ${peer.name} (${link.channel}) holds over ${maxBufferedBytes} bytes; closing it`,
        );
        this.end(peer, "overloaded");
      },
      onQueued: (outbox) => this.queuedOutboxes.add(outbox),
    });
  }

  private attach(peer: Peer, connection: Connection, result: HandshakeResult, dialled: boolean): PeerLink {
    const theirs = peer.spec?.channels[result.channel];
    const ours = this.settings.channels[result.channel];
    const allowCompressed = compressionOf(theirs) !== undefined || compressionOf(ours) !== undefined;
    const link = new PeerLink(
      connection,
      result.channel,
      dialled,
      allowCompressed,
      this.settings.clock.now(),
    );
    peer.links.add(link);
    const generation = peer.generation;
    result.attach({
      onFrame: (bytes) => {
        if (peer.generation === generation) this.receive(peer, link, bytes);
      },
      onClose: (info) => {
        if (peer.generation !== generation || info.local) return;
        peer.downReason ??= info.code === CloseCode.timeout ? "net_tick_timeout" : "connection_closed";
        this.end(peer, peer.downReason);
      },
    });
    return link;
  }

  private checkUp(peer: Peer): void {
    // Up when the default channel's first connection has told us the peer's channels and every slot
    // sized from them is filled.
    if (peer.state !== "connecting") return;
    for (const slots of peer.sending.values())
      for (let i = 0; i < slots.length; i++) if (slots[i] === undefined) return;
    if (!peer.sending.has(DEFAULT_CHANNEL)) return;
    peer.state = "up";
    peer.failures = 0;
    peer.retryAt = 0;
    this.host.nodeUp(peer.name);
    const pending = peer.pending;
    peer.pending = [];
    for (const signal of pending) this.route(peer, signal);
    const gossip = peer.pendingGossip;
    peer.pendingGossip = [];
    for (const payload of gossip) this.sendGossip(peer.name, payload);
    for (const waiter of peer.waiters.splice(0)) waiter.resolve();
  }

  /**
   * Ends a session: closes every connection, drops what was queued, and reports one nodedown (links and
   * monitors across fire with `noconnection`).
   */
  end(peer: Peer, reason: string, code: number = CloseCode.normal): void {
    if (peer.state === "idle" && peer.links.size === 0) return;
    // A session that never came up counts as a failed attempt, so two nodes whose attempts keep
    // cancelling each other back off instead of redialling in a tight loop.
    if (peer.state === "connecting" || reason === "overloaded" || reason === "net_tick_timeout") {
      peer.failures++;
    }
    this.teardown(peer, code, reason, `the session with ${peer.name} ended: ${reason}`);
    this.host.nodeDown(peer.name, reason);
    this.events.sessionDown(peer);
  }

  /** Closes every connection of the session, drops what waits, and fails whoever awaited it. */
  private teardown(peer: Peer, code: number, reason: string, error: string): void {
    peer.generation++;
    peer.state = "idle";
    for (const link of peer.links) {
      link.outbox?.close();
      link.connection.close(code, reason);
    }
    peer.links.clear();
    peer.sending.clear();
    peer.pending = [];
    peer.pendingGossip = [];
    const failure = new ClusterError("disconnected", error);
    for (const waiter of peer.waiters.splice(0)) waiter.reject(failure);
  }

  // ---- receiving ----

  private receive(peer: Peer, link: PeerLink, received: Uint8Array): void {
    link.received(this.settings.clock.now());
    let frame: Frame;
    try {
      const bytes = this.reassemble(link, received);
      if (bytes === undefined) return;
      frame = decodeFrame(bytes, {
        maxPayload: this.settings.maxPayload,
        allowCompressed: link.allowCompressed,
      });
      if (frame.kind === "data") {
        for (const signal of frame.signals) this.checkOrigin(peer.name, signal);
      }
    } catch (error) {
      this.protocolError(peer, link, error);
      return;
    }
    switch (frame.kind) {
      case "data":
        for (const signal of frame.signals) this.host.deliver(peer.name, signal);
        // Answer within this read: run the processes the frame woke and send what they queued now.
        // Left to microtasks, both would wait for the socket library's bookkeeping of the read (some
        // 7 µs per small remote call on a cold CPU); a bare ws echo replies from inside the handler too.
        this.host.runPending();
        this.flushQueued();
        return;
      case "ping":
        this.write(link, { kind: "pong", id: frame.id, timestamp: frame.timestamp });
        return;
      case "pong":
        return;
      case "gossip":
        this.events.gossip(peer.name, frame.payload);
        return;
      case "bye":
        peer.downReason = "connection_closed";
        this.settings.logger.info?.(`${peer.name} is closing: ${frame.reason}`);
        return;
      default:
        this.protocolError(
          peer,
          link,
          new WireError("protocol", `unexpected ${frame.kind} frame after the handshake`),
        );
    }
  }

  /** The frame `received` completes: itself, or a fragmented frame's bytes once its last fragment is in. */
  private reassemble(link: PeerLink, received: Uint8Array): Uint8Array | undefined {
    if (isFragment(received)) return link.reassembler.accept(received, this.settings.maxPayload);
    if (link.reassembler.pending) {
      throw new WireError("malformed", "a frame between the fragments of another one");
    }
    return received;
  }

  /** Signals must come from the peer's processes and go to this node's. */
  private checkOrigin(peer: string, signal: Signal): void {
    const self = this.spec.name;
    const bad = (what: string) => new WireError("protocol", `${signal.kind} signal from ${peer} ${what}`);
    if (!isLocal(signal.to, self)) throw bad("is not addressed to this node");
    switch (signal.kind) {
      case "link":
      case "unlink":
      case "exit":
      case "monitor":
      case "demonitor":
        if (signal.from.node !== peer) throw bad(`claims to come from ${signal.from.node}`);
        return;
      case "down":
        if (signal.item.node !== peer) throw bad(`reports on ${signal.item.node}`);
        return;
      default:
    }
  }

  /** A bad frame closes its connection (and so the session); the node goes on. */
  private protocolError(peer: Peer, link: PeerLink, error: unknown): void {
    const wire = error instanceof WireError ? error : new WireError("malformed", String(error));
    this.settings.logger.warn(`closing a connection from ${peer.name}: ${wire.message}`, {
      channel: link.channel,
      code: wire.code,
    });
    link.connection.close(closeCodeFor(wire), wire.code);
    this.end(peer, "connection_closed");
  }

  // ---- keep-alive ----

  /** One keep-alive pass over every connection (run on the cluster's timer). */
  keepAlive(): void {
    const { idleMs, pingTimeoutMs, maxMisses, clock } = this.settings;
    const now = clock.now();
    for (const peer of [...this.peers.values()]) {
      for (const link of peer.links) {
        if (now - link.lastReceived < idleMs) continue;
        if (link.pingSentAt !== undefined && now - link.pingSentAt < pingTimeoutMs) continue;
        if (link.pingSentAt !== undefined && ++link.misses >= maxMisses) {
          this.settings.logger.warn(`${peer.name} stopped answering pings on ${link.channel}`);
          this.end(peer, "net_tick_timeout", CloseCode.timeout);
          break;
        }
        link.pingSentAt = now;
        this.write(link, { kind: "ping", id: link.misses, timestamp: now });
      }
    }
  }

  /** Sends what is queued, says bye and closes every connection (the node is stopping or leaving). */
  closeAll(reason: string): void {
    for (const peer of this.peers.values()) {
      for (const link of peer.links) {
        link.outbox?.flushAll();
        this.write(link, { kind: "bye", reason });
      }
      if (peer.reconnectTimer !== undefined) this.settings.clock.cancel(peer.reconnectTimer);
      peer.reconnectTimer = undefined;
      const wasUp = peer.state !== "idle";
      this.teardown(peer, CloseCode.normal, reason, `left the cluster: ${reason}`);
      if (wasUp && !this.stopping) this.host.nodeDown(peer.name, "disconnect");
    }
  }
}
