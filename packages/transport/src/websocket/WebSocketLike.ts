/**
 * The part of the WHATWG `WebSocket` API the WebSocket medium uses, declared structurally so that the
 * shared code needs neither DOM nor Node typings: `ws`'s `WebSocket` on Node and the platform
 * `WebSocket` (browsers, Deno, Bun, Node ≥ 22) both fit it.
 */

/** The `message` event as the medium reads it: `data` is an `ArrayBuffer`, a `Buffer` (ws), or a string. */
export interface WebSocketMessageEventLike {
  readonly data: unknown;
}

/** The `close` event as the medium reads it. */
export interface WebSocketCloseEventLike {
  readonly code: number;
  readonly reason: string;
}

/** The `error` event: `ws` sets `error` (an `Error`); browsers give no detail at all. */
export interface WebSocketErrorEventLike {
  readonly error?: unknown;
  readonly message?: string;
}

/**
 * A WHATWG-style WebSocket: what {@link WebSocketConnection} wraps and what a
 * {@link WebSocketConstructorLike} makes.
 *
 * Gotcha: `binaryType` is `"arraybuffer"` or `"blob"` on platform sockets and `"nodebuffer"` (the
 * default), `"arraybuffer"` or `"fragments"` on `ws`; the connection sets `"arraybuffer"` unless it is
 * already `"nodebuffer"`, and never works with blobs or fragments.
 */
export interface WebSocketLike {
  binaryType: string;
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  readonly bufferedAmount: number;
  /** Typed with an `ArrayBuffer` (not shared) buffer, as the DOM's `send` is. */
  send(data: Uint8Array<ArrayBuffer>): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open", listener: (event: unknown) => void): void;
  addEventListener(type: "message", listener: (event: WebSocketMessageEventLike) => void): void;
  addEventListener(type: "close", listener: (event: WebSocketCloseEventLike) => void): void;
  addEventListener(type: "error", listener: (event: WebSocketErrorEventLike) => void): void;
  removeEventListener(type: "open", listener: (event: unknown) => void): void;
  removeEventListener(type: "message", listener: (event: WebSocketMessageEventLike) => void): void;
  removeEventListener(type: "close", listener: (event: WebSocketCloseEventLike) => void): void;
  removeEventListener(type: "error", listener: (event: WebSocketErrorEventLike) => void): void;
}

/**
 * A WebSocket constructor, such as `globalThis.WebSocket` or `ws`'s `WebSocket`: what the browser entry's
 * `WebSocket` option takes.
 */
export type WebSocketConstructorLike = new (url: string) => WebSocketLike;

/** @internal `readyState` values. */
export const ReadyState = { connecting: 0, open: 1, closing: 2, closed: 3 } as const;
