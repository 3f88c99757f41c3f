/**
 * `@maquis/transport/websocket` on Node: the WebSocket medium over `ws` (server and client). Bundlers
 * that honour the `browser` condition get `browser.ts` instead, with the same exports.
 *
 * @packageDocumentation
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer, type ServerOptions as HttpsServerOptions } from "node:https";
import { randomFillSync } from "node:crypto";
import type { AddressInfo, Socket } from "node:net";
import { ConfigError } from "@maquis/core";
import { type ClientOptions, WebSocket, WebSocketServer } from "ws";
import type { Listener } from "../Connection.js";
import { formatWebSocketAddress, parseWebSocketAddress, type WebSocketAddress } from "./Address.js";
import type { WebSocketMedium } from "./common.js";
import { dialWebSocket } from "./dial.js";
import { WebSocketListenError } from "./Errors.js";
import {
  resolveWebSocketOptions,
  type ResolvedWebSocketOptions,
  type WebSocketMediumOptions,
} from "./Options.js";
import { reportUncaught, WebSocketConnection } from "./WebSocketConnection.js";

export * from "./common.js";

/** How long `Listener.close()` lets peers answer its close frames before cutting their sockets. */
const LISTENER_CLOSE_GRACE_MS = 1000;

/** 1001: the endpoint is going away. */
const GOING_AWAY = 1001;
const INTERNAL_ERROR = 1011;

/**
 * Frames up to this many bytes are masked with a random key on the dialling side, larger ones with
 * an all-zero key (see `WebSocketMediumOptions.maskFrames`). Masking a small frame costs less than it
 * saves: `ws` then writes header and payload as one buffer, not a corked pair (about 2 µs a small remote
 * call on this project's bench machine); a large frame would pay a copy and an XOR over every byte.
 */
const MASKED_FRAME_BYTES = 512;

/** Random mask keys, drawn a pool at a time. */
const maskPool = new Uint8Array(4096);
let maskPoolAt = maskPool.length;

const randomMask = (mask: Uint8Array): void => {
  if (maskPoolAt === maskPool.length) {
    randomFillSync(maskPool);
    maskPoolAt = 0;
  }
  mask[0] = maskPool[maskPoolAt++]!;
  mask[1] = maskPool[maskPoolAt++]!;
  mask[2] = maskPool[maskPoolAt++]!;
  mask[3] = maskPool[maskPoolAt++]!;
};

/** Size of the frame the socket is about to mask: ws asks for the key from inside `send`. */
let sendingBytes = 0;

const maskBySize = (mask: Uint8Array): void => {
  if (sendingBytes <= MASKED_FRAME_BYTES) randomMask(mask);
  else mask.fill(0); // an all-zero key: ws skips masking
};

/** A dialled socket whose frames are masked by size ({@link maskBySize}). */
const dialSocket = (url: string, options: ClientOptions): WebSocket => {
  const socket = new WebSocket(url, { ...options, generateMask: maskBySize });
  // WebSocketConnection sends nothing but whole Uint8Array frames.
  const frames = socket as unknown as { send: (data: Uint8Array) => void };
  const send = frames.send;
  frames.send = (data: Uint8Array) => {
    sendingBytes = data.byteLength;
    send.call(socket, data);
  };
  return socket;
};

/**
 * The WebSocket medium: connections between nodes over WebSockets, `ws://` or `wss://`. On Node (this
 * entry) it listens and dials with `ws`; the browser entry (chosen by bundlers through the `browser`
 * export condition) dials with the platform `WebSocket` and cannot listen. Both share the connection
 * code, so peers behave the same whichever side runs where.
 *
 * Use it for nodes in different processes or machines; for tests and simulations in one process, the
 * `MemoryNetwork` gives the same `Connection` contract with fault injection.
 *
 * Gotchas:
 * - Set the same `maxPayload` on every node: a frame over the receiver's closes the connection (1009).
 * - `wss://` listens need `tls`; dialling a self-signed `wss://` peer needs its certificate in
 *   `clientTls.ca`.
 * - Permessage-deflate is always off (see {@link WebSocketMediumOptions}); Nagle is off (`ws` sets
 *   TCP_NODELAY on every socket), so small frames go out at once.
 * - `DialInfo` is ignored: the handshake above tells the listener who dialled.
 *
 * Throws `ConfigError` for invalid options.
 *
 * @example
 * import { readFileSync } from "node:fs";
 * import { webSocketMedium } from "@maquis/transport/websocket";
 *
 * const cert = readFileSync("node.crt");
 * const medium = webSocketMedium({
 *   tls: { key: readFileSync("node.key"), cert },
 *   clientTls: { ca: cert }, // trust the cluster's self-signed certificate
 * });
 * const listener = await medium.listen("wss://0.0.0.0:4370", (connection) => {
 *   connection.onFrame = (frame) => connection.send(frame); // echo
 *   connection.onClose = ({ code, reason }) => console.log("closed", code, reason);
 * });
 * const connection = await medium.connect("wss://db-1.internal:4370", { from: "a", to: "b", channel: "default" });
 * // ...
 * await listener.close();
 */
export const webSocketMedium = (options?: WebSocketMediumOptions): WebSocketMedium => {
  const settings = resolveWebSocketOptions(options, "node");
  const { maxPayload, connectTimeoutMs } = settings;
  const clientOptions: ClientOptions = {
    ...(settings.clientTls as ClientOptions | undefined),
    // Always off: see WebSocketMediumOptions.
    perMessageDeflate: false,
    maxPayload,
    followRedirects: false,
    ...(settings.headers === undefined ? {} : { headers: { ...settings.headers } }),
  };
  // maskFrames: every frame gets a random key (ws's default); otherwise only small ones do.
  const maskEveryFrame = options?.maskFrames === true;
  return {
    listen: (address, accept) => listen(settings, address, accept),
    connect: (address) =>
      dialWebSocket(address, {
        create: (url) =>
          maskEveryFrame ? new WebSocket(url, clientOptions) : dialSocket(url, clientOptions),
        connectTimeoutMs,
        maxPayload,
      }),
  };
};

const listen = async (
  settings: ResolvedWebSocketOptions,
  address: string,
  accept: (connection: WebSocketConnection) => void,
): Promise<Listener> => {
  const target = parseWebSocketAddress(address);
  if (target === null) throw new WebSocketListenError(String(address), "invalid-address");
  if (target.secure && settings.tls === undefined) {
    throw new ConfigError(`listening on ${address} needs the tls option (key and cert)`);
  }
  const server = target.secure
    ? createHttpsServer(settings.tls as HttpsServerOptions, refuseHttp)
    : createHttpServer(refuseHttp);
  const wss = new WebSocketServer({
    server,
    ...(target.pathname === "/" ? {} : { path: target.pathname }),
    maxPayload: settings.maxPayload,
    perMessageDeflate: false,
    clientTracking: false,
  });
  // The server's errors are re-emitted by `wss`, which throws them if nobody listens: a failed listen
  // rejects below, and errors after (accept failing for lack of file descriptors) must not crash.
  wss.on("error", ignore);
  const open = new Map<WebSocket, WebSocketConnection>();
  // Every TCP connection, upgraded or not (a stalled TLS or HTTP handshake), for shutdown to cut.
  const tcpSockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    tcpSockets.add(socket);
    socket.once("close", () => tcpSockets.delete(socket));
  });
  let closing: Promise<void> | undefined;
  wss.on("connection", (socket: WebSocket, request: IncomingMessage) => {
    if (closing !== undefined) {
      socket.terminate();
      return;
    }
    const connection = new WebSocketConnection(socket, {
      remoteAddress: peerAddress(request.socket),
      maxPayload: settings.maxPayload,
    });
    open.set(socket, connection);
    socket.once("close", () => open.delete(socket));
    try {
      accept(connection);
    } catch (error) {
      connection.close(INTERNAL_ERROR, "accept failed");
      reportUncaught(error);
    }
  });
  const port = await listenOn(server, target).catch((cause: unknown) => {
    wss.close();
    server.close();
    const code = (cause as { code?: unknown }).code;
    throw new WebSocketListenError(address, code === "EADDRINUSE" ? "address-in-use" : "failed", { cause });
  });
  const shutdown = async (): Promise<void> => {
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    wss.close(); // detaches from the server: later upgrade requests are dropped
    const sockets = [...open];
    for (const [, connection] of sockets) connection.close(GOING_AWAY, "listener closed");
    await Promise.all(sockets.map(([socket]) => closedWithin(socket, LISTENER_CLOSE_GRACE_MS)));
    // What never upgraded (a stalled handshake, a plain HTTP client) would keep the server open.
    for (const socket of tcpSockets) socket.destroy();
    await serverClosed;
  };
  return {
    address: formatWebSocketAddress(target, port),
    close: () => (closing ??= shutdown()),
  };
};

/** Listens and resolves with the real port; rejects with the server's error (EADDRINUSE, …). */
const listenOn = (
  server: ReturnType<typeof createHttpServer> | ReturnType<typeof createHttpsServer>,
  target: WebSocketAddress,
): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once("error", reject);
    // The URL keeps an IPv6 host's brackets; listen wants the bare address.
    const host = target.hostname.replace(/^\[(.*)\]$/, "$1");
    server.listen(target.port, host, () => {
      server.off("error", reject);
      server.on("error", ignore); // see the comment on wss's error listener
      resolve((server.address() as AddressInfo).port);
    });
  });

/** Resolves once `socket` has closed, cutting it (no closing handshake) if it takes over `ms`. */
const closedWithin = (socket: WebSocket, ms: number): Promise<void> =>
  new Promise((resolve) => {
    if (socket.readyState === WebSocket.CLOSED) {
      resolve();
      return;
    }
    const timer = setTimeout(() => socket.terminate(), ms);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** A plain HTTP request to a WebSocket listener: 426 Upgrade Required. */
const refuseHttp = (_request: IncomingMessage, response: ServerResponse): void => {
  response.writeHead(426, { connection: "close", upgrade: "websocket", "content-type": "text/plain" });
  response.end("WebSocket only\n");
};

const peerAddress = (socket: Socket): string => {
  const host = socket.remoteAddress ?? "unknown";
  return `${host.includes(":") ? `[${host}]` : host}:${socket.remotePort ?? 0}`;
};

const ignore = (): void => {};
