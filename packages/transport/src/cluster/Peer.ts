/**
 * What a cluster knows about one other node: its spec, and the session of connections it has with it.
 *
 * A session is Erlang's "the connection to a node", made of many sockets: the ones this node dialled
 * (its sending side: `parallelism` per channel) and the ones the peer dialled (the peer's sending
 * side). It is up when every sending connection is; losing any one of them ends the whole session,
 * because a signal may have been lost on it, and Erlang's guarantees (FIFO per pair, `noconnection`
 * when something may be lost) hold only if every loss is reported as one nodedown.
 */
import type { ClockHandle, Signal } from "@maquis/core";
import type { Connection } from "../Connection.js";
import type { NodeSpec } from "../NodeSpec.js";
import { Reassembler } from "../wire/Fragments.js";
import type { Outbox } from "./Outbox.js";

/** One authenticated connection of a session. */
export class PeerLink {
  readonly connection: Connection;
  readonly channel: string;
  /** True if this node dialled it (its sending side); false if the peer did. */
  readonly dialled: boolean;
  /** The sending half, on connections this node sends on. */
  outbox: Outbox | null = null;
  /** Whether compressed frames may arrive (the peer compresses this channel). */
  readonly allowCompressed: boolean;
  /** Puts large frames the peer sends in fragments back together. */
  readonly reassembler = new Reassembler();
  /** Keep-alive: when something last arrived, when the unanswered ping went out, how many were missed. */
  lastReceived: number;
  pingSentAt: number | undefined = undefined;
  misses = 0;

  constructor(
    connection: Connection,
    channel: string,
    dialled: boolean,
    allowCompressed: boolean,
    now: number,
  ) {
    this.connection = connection;
    this.channel = channel;
    this.dialled = dialled;
    this.allowCompressed = allowCompressed;
    this.lastReceived = now;
  }

  received(now: number): void {
    this.lastReceived = now;
    this.pingSentAt = undefined;
    this.misses = 0;
  }
}

/** A session's state: no connections, being set up, or up (every sending connection connected). */
export type SessionState = "idle" | "connecting" | "up";

/** Someone waiting for a session to come up (`syncJoin`). */
export interface UpWaiter {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export class Peer {
  readonly name: string;
  /** The latest spec known: from a handshake (authoritative) or from membership. */
  spec: NodeSpec | undefined = undefined;
  state: SessionState = "idle";
  /** Bumped when a session ends: work started for an older session is discarded when it completes. */
  generation = 0;
  /** Every connection of the current session. */
  readonly links = new Set<PeerLink>();
  /** The sending connections per channel, by slot. */
  readonly sending = new Map<string, Array<PeerLink | undefined>>();
  /** Signals accepted while the session was being set up; sent, in order, once it is up. */
  pending: Signal[] = [];
  /** Gossip for the peer while the session was being set up. */
  pendingGossip: unknown[] = [];
  /** Failed attempts since the last session came up (the backoff exponent). */
  failures = 0;
  /** No automatic dial before this time (after a failure). */
  retryAt = 0;
  reconnectTimer: ClockHandle | undefined = undefined;
  readonly waiters: UpWaiter[] = [];
  /** The reason to report when the session ends, if something more precise than a close is known. */
  downReason: string | undefined = undefined;

  constructor(name: string) {
    this.name = name;
  }

  /** Whether this node can reach the peer by dialling (the peer listens somewhere). */
  get dialable(): boolean {
    return this.spec !== undefined && this.spec.addresses.length > 0;
  }

  /** The channels to dial, with how many connections each: this node's channels the peer also has. */
  channelsToDial(own: Readonly<Record<string, { readonly parallelism?: number }>>): Array<[string, number]> {
    const theirs = this.spec?.channels ?? {};
    const out: Array<[string, number]> = [];
    for (const [name, options] of Object.entries(own)) {
      if (name in theirs || name === "default") out.push([name, options.parallelism ?? 1]);
    }
    return out;
  }
}
