/**
 * `@maquis/transport/websocket` in browsers (and wherever a bundler picks the `browser` condition): the
 * WebSocket medium over the platform `WebSocket`. It dials only: pages cannot listen.
 *
 * @packageDocumentation
 */
import { ConfigError } from "@maquis/core";
import type { WebSocketMedium } from "./common.js";
import { dialWebSocket } from "./dial.js";
import { WebSocketListenError } from "./Errors.js";
import { resolveWebSocketOptions, type WebSocketMediumOptions } from "./Options.js";
import type { WebSocketConstructorLike } from "./WebSocketLike.js";

export * from "./common.js";

/**
 * The WebSocket medium for browsers: `connect` dials `ws://` or `wss://` addresses with the platform
 * `WebSocket` (or the `WebSocket` option's), through the same connection code as the Node entry;
 * `listen` always rejects with `WebSocketListenError` `"unsupported"`.
 *
 * Use it for a node in a page talking to nodes on servers, which listen with the Node entry.
 *
 * Gotchas:
 * - The `tls`, `clientTls` and `headers` options are refused (`ConfigError`): the browser decides about
 *   certificates and headers. A `wss://` server needs a certificate the browser trusts.
 * - The browser cannot limit what it buffers, so `maxPayload` is checked once a frame has arrived: a
 *   larger one closes the connection (1009 for the owner; the peer sees `CloseCode.tooLarge`, since
 *   scripts may not send 1009).
 * - Throws `ConfigError` when there is no `WebSocket` (neither the option nor `globalThis.WebSocket`).
 *
 * @example
 * import { webSocketMedium } from "@maquis/transport/websocket"; // resolves here in a browser bundle
 *
 * const medium = webSocketMedium();
 * const connection = await medium.connect("wss://maquis.example.com/cluster", {
 *   from: "browser-1",
 *   to: "server-1",
 *   channel: "default",
 * });
 */
export const webSocketMedium = (options?: WebSocketMediumOptions): WebSocketMedium => {
  const settings = resolveWebSocketOptions(options, "browser");
  const Platform = settings.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructorLike }).WebSocket;
  if (typeof Platform !== "function") {
    throw new ConfigError("no WebSocket on this platform: pass one as the WebSocket option");
  }
  const { maxPayload, connectTimeoutMs } = settings;
  return {
    listen: async (address) => {
      throw new WebSocketListenError(String(address), "unsupported");
    },
    connect: (address) =>
      dialWebSocket(address, { create: (url) => new Platform(url), connectTimeoutMs, maxPayload }),
  };
};
