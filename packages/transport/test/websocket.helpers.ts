/**
 * Helpers for the WebSocket medium's tests: recording what reaches a connection's handlers, queueing
 * accepted connections, closing listeners after each test, and a TCP server that never upgrades.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { afterEach } from "vitest";
import type { CloseInfo, DialInfo, Listener } from "../src/Connection.js";
import type { WebSocketConnection } from "../src/websocket/node.js";

export const info: DialInfo = { from: "a", to: "b", channel: "default" };

/** `length` bytes where byte i is `(i * 7 + seed) & 255`: corruption or truncation shows. */
export const pattern = (length: number, seed = 0): Uint8Array => {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 7 + seed) & 255;
  return bytes;
};

/** What reached a connection's handlers. */
export interface Recorded {
  readonly connection: WebSocketConnection;
  readonly frames: Uint8Array[];
  /** Frames and the close, in the order they came: `frame` / `close:<code>`. */
  readonly log: string[];
  readonly closes: CloseInfo[];
  /** The first close. */
  readonly closed: Promise<CloseInfo>;
  /** Resolves once `count` frames have arrived. */
  framesReached(count: number): Promise<Uint8Array[]>;
}

/** Sets both handlers of `connection` at once and records what reaches them. */
export const record = (connection: WebSocketConnection): Recorded => {
  const frames: Uint8Array[] = [];
  const log: string[] = [];
  const closes: CloseInfo[] = [];
  const waiters: Array<{ count: number; resolve: (frames: Uint8Array[]) => void }> = [];
  let closedWith!: (info: CloseInfo) => void;
  const closed = new Promise<CloseInfo>((resolve) => (closedWith = resolve));
  connection.onFrame = (frame) => {
    frames.push(frame);
    log.push("frame");
    for (const waiter of waiters.filter((w) => frames.length >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(frames);
    }
  };
  connection.onClose = (info) => {
    closes.push(info);
    log.push(`close:${info.code}`);
    closedWith(info);
  };
  return {
    connection,
    frames,
    log,
    closes,
    closed,
    framesReached: (count) =>
      frames.length >= count
        ? Promise.resolve(frames)
        : new Promise((resolve) => waiters.push({ count, resolve })),
  };
};

/** An `accept` that records each connection at once, and `next()` to await them in order. */
export const acceptQueue = () => {
  const ready: Recorded[] = [];
  const waiting: Array<(recorded: Recorded) => void> = [];
  return {
    accept: (connection: WebSocketConnection): void => {
      const recorded = record(connection);
      const waiter = waiting.shift();
      if (waiter === undefined) ready.push(recorded);
      else waiter(recorded);
    },
    next: (): Promise<Recorded> => {
      const recorded = ready.shift();
      return recorded !== undefined ? Promise.resolve(recorded) : new Promise((r) => waiting.push(r));
    },
  };
};

/** Listeners and servers to close after the current test. */
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** Closes `listener` after the test (closing it twice is fine). */
export const closeAfterTest = <L extends Listener>(listener: L): L => {
  cleanups.push(() => listener.close());
  return listener;
};

/** The port from a `ws://host:port` address. */
export const portOf = (address: string): number => Number(new URL(address).port);

/** A TCP server that accepts connections and never answers (the upgrade never completes). */
export const silentTcpServer = async (): Promise<{
  readonly port: number;
  /** The connections it accepted, with a promise of their close. */
  readonly sockets: Array<{ readonly socket: Socket; readonly closed: Promise<void> }>;
  readonly connected: Promise<void>;
}> => {
  const sockets: Array<{ socket: Socket; closed: Promise<void> }> = [];
  let connectedWith!: () => void;
  const connected = new Promise<void>((resolve) => (connectedWith = resolve));
  const server: Server = createServer((socket) => {
    sockets.push({ socket, closed: new Promise((resolve) => socket.once("close", () => resolve())) });
    socket.on("error", () => {});
    socket.resume(); // read (and drop) the upgrade request, so that the peer's FIN is seen
    connectedWith();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(async () => {
    for (const { socket } of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as { port: number }).port, sockets, connected };
};

/** A port nothing listens on (one the OS just gave out and took back). */
export const closedPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
};

/** The test key and self-signed certificate (CN localhost, SAN localhost, 127.0.0.1, ::1). */
export const tlsFixture = {
  key: readFileSync(new URL("./fixtures/websocket-tls-key.pem", import.meta.url)),
  cert: readFileSync(new URL("./fixtures/websocket-tls-cert.pem", import.meta.url)),
};

/** Whether two byte arrays are equal (much faster than `toEqual` on megabytes). */
export const sameBytes = (a: Uint8Array | undefined, b: Uint8Array): boolean =>
  a !== undefined && a.byteLength === b.byteLength && Buffer.compare(a, b) === 0;

/** Resolves on the next macrotask: for checking that nothing more happens, never to wait for I/O. */
export const nextMacrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
