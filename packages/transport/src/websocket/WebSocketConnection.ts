/**
 * The `Connection` over a WebSocket: one class for `ws` on Node and the platform `WebSocket` elsewhere,
 * written against the WHATWG API only (no `node:` or `ws` imports).
 */
import { ConfigError } from "@maquis/core";
import { type CloseInfo, CloseCode, type Connection } from "../Connection.js";
import {
  ReadyState,
  type WebSocketCloseEventLike,
  type WebSocketErrorEventLike,
  type WebSocketLike,
} from "./WebSocketLike.js";

/** Options of {@link WebSocketConnection}. */
export interface WebSocketConnectionOptions {
  /** What `remoteAddress` reports (for logs). Default `""`. */
  readonly remoteAddress?: string;
  /**
   * Largest frame accepted, in bytes (default: no limit). A larger one closes the connection with 1009
   * (on the wire: 1009, or `CloseCode.tooLarge` where the platform refuses 1009). `ws` enforces its own
   * `maxPayload` before a frame is even buffered; this check is for platform sockets, which cannot.
   */
  readonly maxPayload?: number;
}

/** Longest reason a close frame carries: 125 bytes of payload minus the 2-byte code. */
const MAX_REASON_BYTES = 123;

/** Standard close codes for what the socket (or this class) found wrong with the peer's traffic. */
const UNSUPPORTED_DATA = 1003;
const ABNORMAL = 1006;
const TOO_LARGE = 1009;
const INTERNAL_ERROR = 1011;

/** `ws` tags its protocol errors with these codes (its status codes sit behind a private symbol). */
const wsErrorCloseCodes: Readonly<Record<string, number>> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: TOO_LARGE,
  WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH: TOO_LARGE,
  WS_ERR_INVALID_UTF8: 1007,
  WS_ERR_TOO_MANY_BUFFERED_PARTS: 1008,
};

/** The close code a socket error stands for: `ws`'s protocol errors have one, anything else is 1006. */
const closeCodeOfError = (error: unknown): number => {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code !== "string") return ABNORMAL;
  return wsErrorCloseCodes[code] ?? (code.startsWith("WS_ERR_") ? 1002 : ABNORMAL);
};

/**
 * Browsers only let scripts close with 1000 or 3000–4999: the Maquis code for the same cause, else
 * 1000. The owner's `onClose` still reports the code it asked for.
 */
const portableCloseCode = (code: number): number =>
  code === TOO_LARGE
    ? CloseCode.tooLarge
    : code === UNSUPPORTED_DATA || code === 1007
      ? CloseCode.malformed
      : CloseCode.normal;

/** `reason` cut to at most 123 bytes of UTF-8 (sockets throw on longer ones), on a character boundary. */
export const truncateCloseReason = (reason: string): string => {
  let bytes = 0;
  let end = 0;
  for (const char of reason) {
    const point = char.codePointAt(0)!;
    const size = point < 0x80 ? 1 : point < 0x800 ? 2 : point < 0x10000 ? 3 : 4;
    if (bytes + size > MAX_REASON_BYTES) return reason.slice(0, end);
    bytes += size;
    end += char.length;
  }
  return reason;
};

/** A received message as a plain `Uint8Array`, without copying; `null` for text (or blobs). */
const toFrame = (data: unknown): Uint8Array | null => {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) {
    // A `Buffer` is a Uint8Array whose `slice` does not copy: hand out a plain view instead.
    return data.constructor === Uint8Array
      ? (data as Uint8Array)
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  return null;
};

/** `ws`'s socket (the only one with a `"nodebuffer"` binary type), seen through its EventEmitter side. */
interface NodeWsLike {
  on(event: "message", listener: (data: unknown, isBinary: boolean) => void): unknown;
}

const isNodeWs = (socket: WebSocketLike): socket is WebSocketLike & NodeWsLike =>
  socket.binaryType === "nodebuffer" && typeof (socket as Partial<NodeWsLike>).on === "function";

const resolved = Promise.resolve();
const EMPTY = new Uint8Array(0);

/**
 * @internal An owner's handler that throws must not break the socket library's parsing (on Node, `ws`
 * would let it escape as an uncaught exception): it surfaces as an unhandled error, as on the in-memory
 * network.
 */
export const reportUncaught = (error: unknown): void => {
  void Promise.reject(error);
};

const deliver = (handler: (frame: Uint8Array) => void, frame: Uint8Array): void => {
  try {
    handler(frame);
  } catch (error) {
    reportUncaught(error);
  }
};

/**
 * A `Connection` over an open WHATWG-style WebSocket (`ws`'s on Node, the platform's in browsers): what
 * the WebSocket medium's `connect` resolves with and its listener's `accept` receives. Wrap a socket
 * yourself only to use one the medium did not open (it must be open already).
 *
 * Behaviour, as the `Connection` contract says:
 * - Frames arrive whole and in order as `Uint8Array`s. Frames received before the owner sets `onFrame`
 *   wait for it; `onFrame` and `onClose` are never called during `send` or `close`.
 * - `close(code, reason)` is idempotent; `onClose` fires once. `local` is true only when `close` was
 *   called on this object: a close by the peer, a lost connection (1006) or a violation found on
 *   receipt (text frame: 1003, frame over `maxPayload`: 1009) report `local: false`.
 * - A socket error never throws: it ends as a close (1006, or the protocol error's code).
 *
 * Gotchas:
 * - `send` does not copy: on Node the frame may still be waiting to be written when `send` returns, so
 *   do not modify it afterwards.
 * - A received frame may be a view into a larger buffer: use its `byteOffset`/`byteLength`, never
 *   `frame.buffer` alone.
 * - Close codes the platform refuses (browsers accept only 1000 and 3000–4999) go on the wire as
 *   `CloseCode.tooLarge`, `CloseCode.malformed` or 1000; reasons are cut to 123 bytes of UTF-8.
 * - Once the owner closes, frames not yet delivered are dropped.
 * - A handler that throws does not stop the deliveries: its error surfaces as an unhandled rejection,
 *   as on the in-memory network (on Node that ends the process unless it handles them).
 */
export class WebSocketConnection implements Connection {
  /** The peer as the medium sees it: the dialled URL, or `host:port` of the peer on an accepted one. */
  readonly remoteAddress: string;
  readonly #socket: WebSocketLike;
  readonly #maxPayload: number;
  #onFrame: ((frame: Uint8Array) => void) | null = null;
  #onClose: ((info: CloseInfo) => void) | null = null;
  /** Frames received and not yet delivered (no `onFrame` yet, or queued behind such frames). */
  #pending: Uint8Array[] = [];
  #pendingHead = 0;
  /** How the connection ended, once it has; delivered to `onClose` after the pending frames. */
  #closeInfo: CloseInfo | null = null;
  #closeDelivered = false;
  #closedByOwner = false;
  /** The socket's `error` event, kept for the `close` event that follows it. */
  #failure: { readonly code: number; readonly reason: string } | null = null;
  #flushScheduled = false;
  /** Non-zero inside `send` or `close`: socket events seen then are queued, never delivered in place. */
  #busy = 0;

  /**
   * Wraps `socket`, which must be open (or already closing: the connection then just reports its close).
   * Sets `binaryType` to `"arraybuffer"` unless it is `"nodebuffer"` (`ws`'s zero-copy default).
   * Throws `ConfigError` for a bad `maxPayload`, `TypeError` for a socket still connecting.
   */
  constructor(socket: WebSocketLike, options: WebSocketConnectionOptions = {}) {
    const maxPayload = options.maxPayload ?? Number.POSITIVE_INFINITY;
    if (typeof maxPayload !== "number" || !(maxPayload > 0)) {
      throw new ConfigError(`maxPayload must be a positive number of bytes, got ${String(maxPayload)}`);
    }
    if (socket.readyState === ReadyState.connecting) {
      throw new TypeError("WebSocketConnection needs an open WebSocket, not one still connecting");
    }
    this.#socket = socket;
    this.#maxPayload = maxPayload;
    this.remoteAddress = options.remoteAddress ?? "";
    if (socket.binaryType !== "nodebuffer") socket.binaryType = "arraybuffer";
    if (isNodeWs(socket)) {
      // ws's own event hands over the Buffer as is; its WHATWG `message` event would wrap every frame
      // in a MessageEvent first (a measurable share of a small remote call's cost).
      socket.on("message", (data, isBinary) => this.#onData(isBinary ? data : null));
    } else {
      socket.addEventListener("message", (event) => this.#onData(event.data));
    }
    socket.addEventListener("close", this.#onSocketClose);
    // Always listening for errors matters on Node: `ws` throws an `error` event nobody listens to.
    socket.addEventListener("error", this.#onSocketError);
    if (socket.readyState === ReadyState.closed) {
      this.#closeInfo = { code: ABNORMAL, reason: "closed before it was wrapped", local: false };
      this.#schedule();
    }
  }

  /** False from the moment either side starts closing (`close`, a close frame, an error). */
  get open(): boolean {
    return this.#closeInfo === null && this.#socket.readyState === ReadyState.open;
  }

  /** The socket's own count of bytes queued and not yet handed to the network. */
  get bufferedAmount(): number {
    return this.#socket.bufferedAmount;
  }

  get onFrame(): ((frame: Uint8Array) => void) | null {
    return this.#onFrame;
  }

  set onFrame(handler: ((frame: Uint8Array) => void) | null) {
    this.#onFrame = handler;
    if (handler !== null && this.#pendingHead < this.#pending.length) this.#schedule();
  }

  get onClose(): ((info: CloseInfo) => void) | null {
    return this.#onClose;
  }

  set onClose(handler: ((info: CloseInfo) => void) | null) {
    this.#onClose = handler;
    if (handler !== null && this.#closeInfo !== null && !this.#closeDelivered) this.#schedule();
  }

  /** Queues `frame` for the peer (without copying it). Does nothing once the connection is not open. */
  send(frame: Uint8Array): void {
    if (!this.open) return;
    this.#busy++;
    try {
      // Frames are never backed by a SharedArrayBuffer here; a platform that refused one would throw.
      this.#socket.send(frame as Uint8Array<ArrayBuffer>);
    } catch (error) {
      // Sockets throw only in states `open` rules out; should one anyway, the connection is unusable.
      this.#fail(INTERNAL_ERROR, error instanceof Error ? error.message : "send failed");
    } finally {
      this.#busy--;
    }
  }

  /**
   * Closes the connection (default 1000, no reason): `open` is false on return, frames not yet
   * delivered are dropped, and `onClose` fires later with `local: true` and this code and reason.
   * Idempotent; does nothing once `onClose` has fired.
   */
  close(code: number = CloseCode.normal, reason = ""): void {
    if (this.#closedByOwner || this.#closeDelivered) return;
    this.#closedByOwner = true;
    this.#dropPending();
    const socketClosing = this.#closeInfo !== null;
    // A close from the peer still waiting to be delivered is superseded: the owner hears of its own.
    this.#closeInfo = { code, reason, local: true };
    if (!socketClosing) this.#closeSocket(code, reason);
    this.#schedule();
  }

  /** A message's data: an `ArrayBuffer` or `Buffer` for binary, anything else (`null`, text) is refused. */
  #onData(data: unknown): void {
    if (this.#closeInfo !== null) return;
    const frame = toFrame(data);
    if (frame === null) {
      this.#fail(UNSUPPORTED_DATA, "text frames are not supported");
      return;
    }
    if (frame.byteLength > this.#maxPayload) {
      this.#fail(TOO_LARGE, `frame of ${frame.byteLength} bytes exceeds maxPayload ${this.#maxPayload}`);
      return;
    }
    const handler = this.#onFrame;
    if (handler !== null && this.#busy === 0 && this.#pendingHead === this.#pending.length) {
      deliver(handler, frame); // the common case: no queue, no extra microtask
      return;
    }
    this.#pending.push(frame);
    this.#schedule();
  }

  readonly #onSocketError = (event: WebSocketErrorEventLike): void => {
    if (this.#closeInfo !== null || this.#failure !== null) return;
    const error = event.error;
    const message = error instanceof Error ? error.message : event.message;
    this.#failure = { code: closeCodeOfError(error), reason: message || "connection error" };
  };

  readonly #onSocketClose = (event: WebSocketCloseEventLike): void => {
    if (this.#closeInfo !== null) return;
    const failure = this.#failure;
    // After an error the close event says only 1006 with no reason: the error knows better.
    this.#closeInfo =
      failure === null
        ? { code: event.code, reason: event.reason, local: false }
        : {
            code: failure.code === ABNORMAL ? event.code : failure.code,
            reason: failure.reason,
            local: false,
          };
    this.#schedule();
  };

  /** The connection is unusable for a reason found on this side: closed, reported as `local: false`. */
  #fail(code: number, reason: string): void {
    if (this.#closeInfo !== null) return;
    this.#closeInfo = { code, reason, local: false };
    this.#closeSocket(code, reason);
    this.#schedule();
  }

  #closeSocket(code: number, reason: string): void {
    const text = truncateCloseReason(reason);
    this.#busy++;
    try {
      this.#socket.close(code, text);
    } catch {
      try {
        this.#socket.close(portableCloseCode(code), text);
      } catch {
        // Refusing both codes means it is not open any more: its close event is on the way.
      }
    } finally {
      this.#busy--;
    }
  }

  #dropPending(): void {
    this.#pending = [];
    this.#pendingHead = 0;
  }

  #schedule(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    resolved.then(this.#flush);
  }

  /** Delivers the queued frames while there is an `onFrame`, then the close once nothing precedes it. */
  readonly #flush = (): void => {
    this.#flushScheduled = false;
    while (this.#pendingHead < this.#pending.length) {
      const handler = this.#onFrame;
      if (handler === null) break;
      const pending = this.#pending;
      const frame = pending[this.#pendingHead]!;
      pending[this.#pendingHead++] = EMPTY; // let it be collected
      if (this.#pendingHead === pending.length) this.#dropPending();
      deliver(handler, frame); // may close: that drops what is still pending
    }
    const info = this.#closeInfo;
    const handler = this.#onClose;
    if (info === null || this.#closeDelivered || handler === null) return;
    // Frames still pending have no `onFrame` to take them: dropped, as on a socket with no listener.
    this.#closeDelivered = true;
    this.#dropPending();
    try {
      handler(info);
    } catch (error) {
      reportUncaught(error);
    }
  };
}
