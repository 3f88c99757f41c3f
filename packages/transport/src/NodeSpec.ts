/**
 * Node specs: how a node is found and what it speaks (Partisan's `node_spec()`), plus channel options.
 */

/** Options of one named channel (Partisan's channel options). */
export interface ChannelOptions {
  /** Connections per peer for this channel (default 1). Messages with a `partitionKey` use connection `key mod N`. */
  readonly parallelism?: number;
  /**
   * Deflate whole frames above `threshold` bytes (default 1024) at `level` 1–9 (default 6); `true`
   * means the defaults. Default off.
   */
  readonly compression?: boolean | { readonly level?: number; readonly threshold?: number };
  /** Latest-wins load shedding for state-like traffic: a frame still queued is replaced by a newer one. */
  readonly monotonic?: boolean;
}

/** The channel every message uses unless told otherwise (Partisan's `undefined` channel). */
export const DEFAULT_CHANNEL = "default";
/** The reserved channel of membership gossip and control traffic, kept apart from data. */
export const MEMBERSHIP_CHANNEL = "membership";

/** A node as the cluster knows it. */
export interface NodeSpec {
  /** The node's name, unique in the cluster (e.g. `"a@127.0.0.1:4370"`). */
  readonly name: string;
  /** Where it listens (e.g. `"ws://127.0.0.1:4370"`, `"memory://a"`); tried in order. */
  readonly addresses: readonly string[];
  /**
   * Which life of the node this is: a restarted node has a new incarnation (the node's `creation`), so
   * specs and pids from its previous life are recognised as stale.
   */
  readonly incarnation: number;
  /** The channels it speaks, with their options. */
  readonly channels: Readonly<Record<string, ChannelOptions>>;
}
