/**
 * What both entries of `@maquis/transport/websocket` export besides `webSocketMedium`: the two export
 * the same names with the same types, so one declaration file describes both.
 */
import type { DialInfo, Listener, Medium } from "../Connection.js";
import type { WebSocketConnection } from "./WebSocketConnection.js";

export {
  type WebSocketConnectFailure,
  WebSocketConnectError,
  type WebSocketListenFailure,
  WebSocketListenError,
} from "./Errors.js";
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  type TlsMaterial,
  type WebSocketClientTlsOptions,
  type WebSocketMediumOptions,
  type WebSocketServerTlsOptions,
} from "./Options.js";
export { WebSocketConnection, type WebSocketConnectionOptions } from "./WebSocketConnection.js";
export type {
  WebSocketCloseEventLike,
  WebSocketConstructorLike,
  WebSocketErrorEventLike,
  WebSocketLike,
  WebSocketMessageEventLike,
} from "./WebSocketLike.js";

/**
 * The WebSocket medium, from `webSocketMedium(options)`: a `Medium` whose connections are
 * {@link WebSocketConnection}s.
 */
export interface WebSocketMedium extends Medium {
  /**
   * Listens on `address`, `ws://host:port[/path]` or `wss://…` (port 0: any free port; the listener's
   * `address` has the real one). With a path, upgrades to other paths are refused (HTTP 400); plain
   * HTTP requests get 426. `accept` gets each connection, open, and should set its handlers at once; if
   * it throws, that connection is closed (1011) and the error surfaces as an unhandled rejection.
   * `Listener.close()` stops accepting, closes the open connections (1001, "listener closed"), ends
   * those whose peer does not answer within a second, and resolves when all are gone.
   *
   * Gotcha: the listener's `address` has the host as given, so `ws://0.0.0.0:…` for all interfaces:
   * advertise a host peers can reach.
   *
   * Rejects with `WebSocketListenError` (`"invalid-address"`, `"address-in-use"`, `"failed"`; always
   * `"unsupported"` in the browser entry) or `ConfigError` (`wss://` without the `tls` option).
   */
  listen(address: string, accept: (connection: WebSocketConnection) => void): Promise<Listener>;
  /**
   * Dials `address` (`ws://` or `wss://` URL) and resolves with the open connection. Rejects with
   * `WebSocketConnectError`: `"invalid-address"`, `"timeout"` after `connectTimeoutMs`, or `"failed"`
   * (refused, unreachable, TLS or upgrade rejected; see its `cause`). `info` is not used.
   */
  connect(address: string, info: DialInfo): Promise<WebSocketConnection>;
}
