/** Dialling a WebSocket: the connect path shared by the Node and browser entries. */
import { parseWebSocketAddress } from "./Address.js";
import { WebSocketConnectError } from "./Errors.js";
import { WebSocketConnection } from "./WebSocketConnection.js";
import type { WebSocketErrorEventLike, WebSocketLike } from "./WebSocketLike.js";

interface HostTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

// Every JavaScript runtime has these timers; declared here so the shared code needs no host typings.
const timers = globalThis as unknown as HostTimers;

/** @internal How to dial: the socket factory and the limits. */
export interface DialOptions {
  /** Makes a socket dialling `url` (it may throw, on a URL the platform rejects). */
  readonly create: (url: string) => WebSocketLike;
  readonly connectTimeoutMs: number;
  readonly maxPayload: number;
}

/**
 * @internal Opens a WebSocket to `address` and resolves with its connection once the handshake is
 * done. Rejects with `WebSocketConnectError`: `"invalid-address"`, `"timeout"` (the socket is then
 * closed), or `"failed"` with what the socket reported as `cause`.
 */
export const dialWebSocket = (address: string, options: DialOptions): Promise<WebSocketConnection> =>
  new Promise((resolve, reject) => {
    if (parseWebSocketAddress(address) === null) {
      reject(new WebSocketConnectError(String(address), "invalid-address"));
      return;
    }
    let socket: WebSocketLike;
    try {
      socket = options.create(address);
    } catch (cause) {
      reject(new WebSocketConnectError(address, "failed", { cause }));
      return;
    }
    let settled = false;
    const fail = (error: WebSocketConnectError): void => {
      if (settled) return;
      settled = true;
      timers.clearTimeout(timer);
      socket.removeEventListener("open", onOpen);
      socket.removeEventListener("close", onClose);
      // `onError` stays: `ws` throws on an `error` event nobody listens to, and one may still come.
      reject(error);
    };
    const onOpen = (): void => {
      if (settled) return;
      settled = true;
      timers.clearTimeout(timer);
      // Wrapped at once, in the open event: no message can slip in before its listener is attached.
      const connection = new WebSocketConnection(socket, {
        remoteAddress: address,
        maxPayload: options.maxPayload,
      });
      socket.removeEventListener("open", onOpen);
      socket.removeEventListener("close", onClose);
      socket.removeEventListener("error", onError);
      resolve(connection);
    };
    const onError = (event: WebSocketErrorEventLike): void => {
      const cause = event.error ?? new Error(event.message || "WebSocket error during the handshake");
      fail(new WebSocketConnectError(address, "failed", { cause }));
    };
    const onClose = (): void => {
      // Browsers may close without an error event; ws reports an error first.
      fail(new WebSocketConnectError(address, "failed", { cause: new Error("closed during the handshake") }));
    };
    const timer = timers.setTimeout(() => {
      fail(new WebSocketConnectError(address, "timeout"));
      try {
        socket.close();
      } catch {
        // Already closing: nothing to abort.
      }
    }, options.connectTimeoutMs);
    socket.addEventListener("open", onOpen);
    socket.addEventListener("error", onError);
    socket.addEventListener("close", onClose);
  });
