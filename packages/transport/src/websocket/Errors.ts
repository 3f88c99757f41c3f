/** The errors of the WebSocket medium. */

/** Why a WebSocket connect failed. */
export type WebSocketConnectFailure =
  /** The address is not a `ws://` or `wss://` URL. */
  | "invalid-address"
  /** The WebSocket handshake did not complete within `connectTimeoutMs`. */
  | "timeout"
  /** Refused, unreachable, TLS rejected, upgrade refused, closed during the handshake: see `cause`. */
  | "failed";

/**
 * A connect on the WebSocket medium failed: the `connect` promise rejects with it. Test `reason` rather
 * than the message; `cause` holds what the socket reported (on Node, `ws`'s error, such as
 * `ECONNREFUSED` or a certificate error; browsers give no detail).
 *
 * @example
 * try {
 *   await medium.connect("ws://127.0.0.1:4000", info);
 * } catch (error) {
 *   if (error instanceof WebSocketConnectError && error.reason === "timeout") retryLater();
 * }
 */
export class WebSocketConnectError extends Error {
  readonly address: string;
  readonly reason: WebSocketConnectFailure;
  constructor(address: string, reason: WebSocketConnectFailure, options?: { readonly cause?: unknown }) {
    const detail = options?.cause instanceof Error ? `: ${options.cause.message}` : "";
    super(`cannot connect to ${JSON.stringify(address)}: ${reason.replace(/-/g, " ")}${detail}`, options);
    this.name = "WebSocketConnectError";
    this.address = address;
    this.reason = reason;
  }
}

/** Why a WebSocket listen failed. */
export type WebSocketListenFailure =
  /** The address is not a `ws://` or `wss://` URL with a host (and no query, fragment or credentials). */
  | "invalid-address"
  /** Something already listens on that port. */
  | "address-in-use"
  /** The platform cannot accept connections (the browser entry). */
  | "unsupported"
  /** Anything else the OS refused (permissions, an address not on this host): see `cause`. */
  | "failed";

/**
 * A listen on the WebSocket medium failed: the `listen` promise rejects with it. The browser entry's
 * `listen` always rejects with reason `"unsupported"`.
 *
 * @example
 * await expect(medium.listen("ws://127.0.0.1:4000", accept)).rejects.toMatchObject({
 *   reason: "address-in-use",
 * });
 */
export class WebSocketListenError extends Error {
  readonly address: string;
  readonly reason: WebSocketListenFailure;
  constructor(address: string, reason: WebSocketListenFailure, options?: { readonly cause?: unknown }) {
    const detail = options?.cause instanceof Error ? `: ${options.cause.message}` : "";
    super(`cannot listen on ${JSON.stringify(address)}: ${reason.replace(/-/g, " ")}${detail}`, options);
    this.name = "WebSocketListenError";
    this.address = address;
    this.reason = reason;
  }
}
