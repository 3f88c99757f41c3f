/**
 * The link layer every transport medium provides: ordered, message-framed, bidirectional connections
 * between two nodes. A WebSocket (`ws` on Node, the platform `WebSocket` in browsers) and the
 * in-memory network both implement it; everything above (handshake, channels, membership) is written
 * once against these interfaces.
 */

/** Why a connection closed. `local` is true when this side closed it. */
export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
  readonly local: boolean;
}

/**
 * One connection. Frames arrive whole and in order; `send` never blocks (it queues, and
 * `bufferedAmount` says how much is waiting, for backpressure).
 *
 * The owner sets `onFrame` and `onClose` right after getting the connection, before yielding to the
 * event loop: frames and the close are delivered asynchronously, never during `send` or `close`.
 */
export interface Connection {
  /** The peer's address as the medium sees it (for logs). */
  readonly remoteAddress: string;
  /** Bytes queued for sending and not yet handed to the network. */
  readonly bufferedAmount: number;
  /** Whether the connection is open (false once closing or closed). */
  readonly open: boolean;
  send(frame: Uint8Array): void;
  /** Closes the connection; `onClose` still fires, with `local: true`. Idempotent. */
  close(code?: number, reason?: string): void;
  onFrame: ((frame: Uint8Array) => void) | null;
  onClose: ((info: CloseInfo) => void) | null;
}

/** A listening endpoint: incoming connections are handed to the `accept` given to `listen`. */
export interface Listener {
  /** The address peers connect to (with the real port when listening on port 0). */
  readonly address: string;
  close(): Promise<void>;
}

/** What the dialling side tells the medium about a connection (media may use it, e.g. fault injection). */
export interface DialInfo {
  /** The dialling node's name. */
  readonly from: string;
  /** The node the dialler expects to reach. */
  readonly to: string;
  /** The channel this connection will carry. */
  readonly channel: string;
}

/** A transport medium: how connections are made (WebSocket, in-memory). */
export interface Medium {
  listen(address: string, accept: (connection: Connection) => void): Promise<Listener>;
  connect(address: string, info: DialInfo): Promise<Connection>;
}

/** Close codes used by Maquis (WebSocket application range 4000–4999). */
export const CloseCode = {
  normal: 1000,
  /** A frame could not be decoded or failed validation. */
  malformed: 4000,
  /** The peer failed the challenge (wrong cluster secret) or is not the node expected. */
  unauthenticated: 4001,
  /** The peer speaks another wire protocol version. */
  version: 4002,
  /** A frame exceeded `maxPayload`. */
  tooLarge: 4003,
  /** No pong within the keep-alive limits. */
  timeout: 4004,
  /** A newer connection (or incarnation) replaced this one. */
  replaced: 4005,
} as const;
