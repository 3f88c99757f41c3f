/**
 * The frames two nodes exchange over one connection: four handshake frames, then data, keep-alive,
 * gossip and bye. One frame is one message of the link layer (one WebSocket message). See
 * docs/wire-protocol.md for the byte layout.
 */
import type { Signal } from "@maquis/core";
import type { NodeSpec } from "../NodeSpec.js";

/**
 * The wire protocol version this implementation speaks, exchanged in `hello` and `challenge`. Peers
 * with different versions do not connect (the connection is closed with `CloseCode.version`).
 */
export const WIRE_VERSION = 1;

/**
 * The kind tag of each frame as it appears on the wire (the first element of the frame's msgpack
 * array). Handshake frames are 1–4, traffic frames 16 and up.
 */
export const FrameKind = {
  hello: 1,
  challenge: 2,
  auth: 3,
  welcome: 4,
  data: 16,
  ping: 17,
  pong: 18,
  gossip: 19,
  bye: 20,
} as const;

/** A frame kind's name (`"hello"`, `"data"`, …). */
export type FrameKindName = keyof typeof FrameKind;

/** Handshake, dialler → listener: opens the handshake. */
export interface HelloFrame {
  readonly kind: "hello";
  /** The dialler's wire protocol version ({@link WIRE_VERSION}). */
  readonly version: number;
  /** The dialler's node name. */
  readonly name: string;
  /** The channel this connection is to carry. */
  readonly channel: string;
  /** 32 fresh random bytes. */
  readonly nonce: Uint8Array;
}

/** Handshake, listener → dialler: the listener proves knowledge of the secret and challenges back. */
export interface ChallengeFrame {
  readonly kind: "challenge";
  /** The listener's wire protocol version. */
  readonly version: number;
  /** The listener's node name. */
  readonly name: string;
  /** 32 fresh random bytes. */
  readonly nonce: Uint8Array;
  /** HMAC-SHA256 of the listener's transcript (docs/wire-protocol.md, "MAC input"). */
  readonly mac: Uint8Array;
}

/** Handshake, dialler → listener: the dialler proves knowledge of the secret and presents itself. */
export interface AuthFrame {
  readonly kind: "auth";
  /** HMAC-SHA256 of the dialler's transcript. */
  readonly mac: Uint8Array;
  /** The dialler's node spec (its name is the one it gave in `hello`). */
  readonly spec: NodeSpec;
  /** Optional protocol features the dialler supports. */
  readonly capabilities: readonly string[];
}

/** Handshake, listener → dialler: the connection is accepted. */
export interface WelcomeFrame {
  readonly kind: "welcome";
  /** The listener's node spec (its name is the one it gave in `challenge`). */
  readonly spec: NodeSpec;
  /** Optional protocol features the listener supports. */
  readonly capabilities: readonly string[];
}

/** A batch of signals, in the order they were sent (everything for one connection within one tick). */
export interface DataFrame {
  readonly kind: "data";
  readonly signals: readonly Signal[];
}

/** Keep-alive probe; answered by a {@link PongFrame} with the same `id` and `timestamp`. */
export interface PingFrame {
  readonly kind: "ping";
  /** Non-negative integer chosen by the pinger. */
  readonly id: number;
  /** The pinger's clock when sending (milliseconds), echoed back for round-trip time. */
  readonly timestamp: number;
}

/** Answer to a {@link PingFrame}, echoing its `id` and `timestamp`. */
export interface PongFrame {
  readonly kind: "pong";
  readonly id: number;
  readonly timestamp: number;
}

/**
 * Membership traffic. The payload is opaque to the wire layer (any value core's codec carries) and
 * is validated by the membership strategy that receives it.
 */
export interface GossipFrame {
  readonly kind: "gossip";
  readonly payload: unknown;
}

/** The sender is closing the connection on purpose, and why (for the peer's logs). */
export interface ByeFrame {
  readonly kind: "bye";
  readonly reason: string;
}

/** The handshake frames, in protocol order. */
export type HandshakeFrame = HelloFrame | ChallengeFrame | AuthFrame | WelcomeFrame;

/** Any frame. */
export type Frame = HandshakeFrame | DataFrame | PingFrame | PongFrame | GossipFrame | ByeFrame;
