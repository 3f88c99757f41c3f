/**
 * The WebSocket medium's Node entry over real sockets on 127.0.0.1: frames (whole, in order, plain
 * Uint8Arrays, up to maxPayload and over it), closes (codes, reasons, local flags, idempotence), sends
 * after close, listener addresses and shutdown, connect failures and timeouts, and the socket settings
 * (TCP_NODELAY, no permessage-deflate).
 */
import net from "node:net";
import { ConfigError } from "@maquis/core";
import { describe, expect, it, vi } from "vitest";
import { WebSocketServer, WebSocket as WsWebSocket } from "ws";
import {
  WebSocketConnectError,
  WebSocketConnection,
  WebSocketListenError,
  type WebSocketMediumOptions,
  webSocketMedium,
} from "../src/websocket/node.js";
import {
  acceptQueue,
  closeAfterTest,
  closedPort,
  info,
  nextMacrotask,
  pattern,
  portOf,
  record,
  sameBytes,
  silentTcpServer,
} from "./websocket.helpers.js";

/** A listener on a free port and one connection to it, both ends recorded. */
const connectedPair = async (options: WebSocketMediumOptions = {}, clientOptions = options) => {
  const queue = acceptQueue();
  const listener = closeAfterTest(await webSocketMedium(options).listen("ws://127.0.0.1:0", queue.accept));
  const client = record(await webSocketMedium(clientOptions).connect(listener.address, info));
  const server = await queue.next();
  return { listener, queue, client, server };
};

/** A raw `ws` client, open. */
const rawClient = async (address: string, options?: ConstructorParameters<typeof WsWebSocket>[2]) => {
  const socket = new WsWebSocket(address, options);
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  return socket;
};

describe("webSocketMedium (Node): frames", () => {
  it("listens on port 0, reports the real port, and echoes a frame as a plain Uint8Array", async () => {
    const { listener, client, server } = await connectedPair();
    expect(listener.address).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(portOf(listener.address)).toBeGreaterThan(0);
    expect(client.connection.remoteAddress).toBe(listener.address);
    expect(server.connection.remoteAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    server.connection.onFrame = (frame) => server.connection.send(frame);
    client.connection.send(new Uint8Array([1, 2, 3]));
    const [echo] = await client.framesReached(1);
    expect(echo).toEqual(new Uint8Array([1, 2, 3]));
    // Not a Buffer (whose slice does not copy): a plain view.
    expect(echo!.constructor).toBe(Uint8Array);
    expect(client.connection.open && server.connection.open).toBe(true);
  });

  it("delivers 1000 frames whole and in order, both ways", async () => {
    const { client, server } = await connectedPair();
    for (let i = 0; i < 1000; i++) {
      client.connection.send(pattern(i % 300, i));
      server.connection.send(pattern((i * 13) % 500, i));
    }
    const [toServer, toClient] = await Promise.all([server.framesReached(1000), client.framesReached(1000)]);
    for (let i = 0; i < 1000; i++) {
      if (!sameBytes(toServer[i], pattern(i % 300, i))) expect.fail(`frame ${i} to the server`);
      if (!sameBytes(toClient[i], pattern((i * 13) % 500, i))) expect.fail(`frame ${i} to the client`);
    }
  });

  it("carries a frame of exactly maxPayload", async () => {
    const maxPayload = 1024 * 1024;
    const { client, server } = await connectedPair({ maxPayload });
    client.connection.send(pattern(maxPayload, 3));
    const [frame] = await server.framesReached(1);
    expect(sameBytes(frame, pattern(maxPayload, 3))).toBe(true);
    expect(server.connection.open).toBe(true);
  });

  it("closes with 1009 at the receiver when a frame exceeds its maxPayload; the sender sees the close", async () => {
    const { client, server } = await connectedPair({ maxPayload: 64 * 1024 }, {});
    client.connection.send(new Uint8Array([7]));
    client.connection.send(pattern(64 * 1024 + 1));
    const [atServer, atClient] = await Promise.all([server.closed, client.closed]);
    expect(atServer).toMatchObject({ code: 1009, local: false });
    // ws's own refusal, on reading the frame's header, rather than the wrapper's check after buffering it.
    expect(atServer.reason).toBe("Max payload size exceeded");
    expect(atClient).toMatchObject({ code: 1009, local: false });
    // The frame before the oversized one still arrived, before the close.
    expect(server.log).toEqual(["frame", "close:1009"]);
    expect(server.connection.open || client.connection.open).toBe(false);
  });

  it("applies the dialler's maxPayload to what it receives", async () => {
    const { client, server } = await connectedPair({}, { maxPayload: 1000 });
    server.connection.send(pattern(1000));
    server.connection.send(pattern(1001));
    expect(await client.closed).toEqual({ code: 1009, reason: "Max payload size exceeded", local: false });
    expect(await server.closed).toMatchObject({ code: 1009, local: false });
    expect(client.frames).toHaveLength(1);
  });

  it("keeps frames that arrive before onFrame is set, and delivers them before the close", async () => {
    const queue = acceptQueue();
    const listener = closeAfterTest(await webSocketMedium().listen("ws://127.0.0.1:0", queue.accept));
    const raw = await rawClient(listener.address);
    const connection = new WebSocketConnection(raw); // no handlers yet
    const server = await queue.next();
    let seen = 0;
    const threeSeen = new Promise<void>((resolve) =>
      raw.addEventListener("message", () => ++seen === 3 && resolve()),
    );
    const rawClosed = new Promise<void>((resolve) => raw.addEventListener("close", () => resolve()));
    for (let i = 0; i < 3; i++) server.connection.send(pattern(10, i));
    server.connection.close(4005, "replaced");
    await threeSeen;
    await rawClosed;
    await nextMacrotask();
    const client = record(connection);
    await client.closed;
    expect(client.frames).toEqual([pattern(10, 0), pattern(10, 1), pattern(10, 2)]);
    expect(client.log).toEqual(["frame", "frame", "frame", "close:4005"]);
  });
});

describe("webSocketMedium (Node): closing", () => {
  it("reports codes and reasons at both ends, local only where close was called", async () => {
    const first = await connectedPair();
    first.client.connection.close(4005, "replaced");
    expect(await first.client.closed).toEqual({ code: 4005, reason: "replaced", local: true });
    expect(await first.server.closed).toEqual({ code: 4005, reason: "replaced", local: false });

    const second = await connectedPair();
    second.server.connection.close(4001, "unauthenticated");
    expect(await second.server.closed).toEqual({ code: 4001, reason: "unauthenticated", local: true });
    expect(await second.client.closed).toEqual({ code: 4001, reason: "unauthenticated", local: false });
  });

  it("is idempotent and asynchronous: open is false at once, onClose fires once, later", async () => {
    const { client, server } = await connectedPair();
    client.connection.close(4000, "first");
    expect(client.connection.open).toBe(false);
    expect(client.closes).toHaveLength(0); // never during close
    client.connection.close(4002, "second");
    expect(await client.closed).toEqual({ code: 4000, reason: "first", local: true });
    expect(await server.closed).toEqual({ code: 4000, reason: "first", local: false });
    client.connection.close(4003, "third");
    await nextMacrotask();
    expect(client.closes).toHaveLength(1);
    expect(server.closes).toHaveLength(1);
  });

  it("cuts a reason to 123 bytes on the wire and sends a code the socket refuses as 1000", async () => {
    const first = await connectedPair();
    const reason = "é".repeat(100); // 200 bytes of UTF-8
    first.client.connection.close(4000, reason);
    expect(await first.client.closed).toEqual({ code: 4000, reason, local: true });
    expect(await first.server.closed).toEqual({ code: 4000, reason: "é".repeat(61), local: false });

    const second = await connectedPair();
    second.client.connection.close(1006, "not a code to send");
    expect(await second.client.closed).toMatchObject({ code: 1006, local: true });
    expect(await second.server.closed).toMatchObject({ code: 1000, reason: "not a code to send" });
  });

  it("ignores sends once closed: nothing is queued or delivered, nothing throws", async () => {
    const { client, server } = await connectedPair();
    client.connection.close();
    const before = client.connection.bufferedAmount;
    expect(() => client.connection.send(pattern(1000))).not.toThrow();
    expect(client.connection.bufferedAmount).toBe(before);
    expect(await server.closed).toMatchObject({ code: 1000, local: false });
    await client.closed;
    expect(() => client.connection.send(pattern(10))).not.toThrow();
    expect(() => server.connection.send(pattern(10))).not.toThrow();
    await nextMacrotask();
    expect(server.frames).toHaveLength(0);
    expect(client.frames).toHaveLength(0);
  });

  it("closes a connection whose peer sends a text frame, with 1003", async () => {
    const queue = acceptQueue();
    const listener = closeAfterTest(await webSocketMedium().listen("ws://127.0.0.1:0", queue.accept));
    const raw = await rawClient(listener.address);
    const server = await queue.next();
    const rawClose = new Promise<number>((resolve) => raw.once("close", (code) => resolve(code)));
    raw.send("hello");
    expect(await server.closed).toMatchObject({ code: 1003, local: false });
    expect(await rawClose).toBe(1003);
  });

  it("reports bufferedAmount from the socket", async () => {
    const queue = acceptQueue();
    const listener = closeAfterTest(await webSocketMedium().listen("ws://127.0.0.1:0", queue.accept));
    const raw = await rawClient(listener.address);
    const client = record(new WebSocketConnection(raw));
    const server = await queue.next();
    client.connection.send(pattern(4 * 1024 * 1024));
    expect(client.connection.bufferedAmount).toBe(raw.bufferedAmount);
    expect(client.connection.bufferedAmount).toBeGreaterThan(0);
    await server.framesReached(1);
    expect(client.connection.bufferedAmount).toBe(0);
  });
});

describe("webSocketMedium (Node): listeners", () => {
  it("closes accepted connections (1001) on listener.close(), then refuses connects", async () => {
    const queue = acceptQueue();
    const medium = webSocketMedium();
    const listener = await medium.listen("ws://127.0.0.1:0", queue.accept);
    const clients = [record(await medium.connect(listener.address, info))];
    clients.push(record(await medium.connect(listener.address, info)));
    const servers = [await queue.next(), await queue.next()];
    await listener.close();
    for (const server of servers) {
      expect(await server.closed).toEqual({ code: 1001, reason: "listener closed", local: true });
    }
    for (const client of clients) {
      expect(await client.closed).toEqual({ code: 1001, reason: "listener closed", local: false });
    }
    await expect(medium.connect(listener.address, info)).rejects.toMatchObject({ reason: "failed" });
    await listener.close(); // idempotent
  });

  it("closes even with a TCP connection that never upgrades", async () => {
    const listener = await webSocketMedium().listen("ws://127.0.0.1:0", () => {});
    const socket = net.connect(portOf(listener.address), "127.0.0.1");
    socket.on("error", () => {});
    await new Promise((resolve) => socket.once("connect", resolve));
    const socketClosed = new Promise((resolve) => socket.once("close", resolve));
    await listener.close();
    await socketClosed;
  });

  it("serves only its path; plain HTTP gets 426", async () => {
    const queue = acceptQueue();
    const medium = webSocketMedium();
    const listener = closeAfterTest(await medium.listen("ws://127.0.0.1:0/maquis", queue.accept));
    expect(listener.address).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/maquis$/);
    const wrongPath = listener.address.replace("/maquis", "/other");
    await expect(medium.connect(wrongPath, info)).rejects.toMatchObject({ reason: "failed" });
    const client = record(await medium.connect(listener.address, info));
    expect(client.connection.open).toBe(true);
    const response = await fetch(listener.address.replace("ws:", "http:"));
    expect(response.status).toBe(426);
    await response.text();
  });

  it("rejects a port in use with address-in-use", async () => {
    const medium = webSocketMedium();
    const listener = closeAfterTest(await medium.listen("ws://127.0.0.1:0", () => {}));
    const error = await medium.listen(listener.address, () => {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebSocketListenError);
    expect(error).toMatchObject({ reason: "address-in-use", address: listener.address });
  });

  it("rejects addresses that are not ws:// or wss:// URLs", async () => {
    const medium = webSocketMedium();
    for (const address of ["http://127.0.0.1:0", "ws://127.0.0.1:0/?q=1", "ws://u:p@127.0.0.1:0", "nope"]) {
      await expect(medium.listen(address, () => {})).rejects.toMatchObject({ reason: "invalid-address" });
      const error = await medium.connect(address, info).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WebSocketConnectError);
      expect(error).toMatchObject({ reason: "invalid-address" });
    }
    await expect(medium.listen("wss://127.0.0.1:0", () => {})).rejects.toBeInstanceOf(ConfigError);
  });
});

describe("webSocketMedium (Node): connecting", () => {
  it("rejects with WebSocketConnectError when nothing listens", async () => {
    const address = `ws://127.0.0.1:${await closedPort()}`;
    const error = await webSocketMedium()
      .connect(address, info)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebSocketConnectError);
    expect(error).toMatchObject({ reason: "failed", address });
    expect((error as Error).cause).toMatchObject({ code: "ECONNREFUSED" });
  });

  it("times out when the server never completes the upgrade, and drops the socket", async () => {
    const silent = await silentTcpServer();
    const medium = webSocketMedium({ connectTimeoutMs: 100 });
    const error = await medium.connect(`ws://127.0.0.1:${silent.port}`, info).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebSocketConnectError);
    expect(error).toMatchObject({ reason: "timeout" });
    await silent.sockets[0]!.closed;
  });

  it("sets TCP_NODELAY and never negotiates permessage-deflate, as listener or dialler", async () => {
    const noDelay = vi.spyOn(net.Socket.prototype, "setNoDelay");
    try {
      const { listener } = await connectedPair();
      expect(noDelay.mock.calls.length).toBeGreaterThanOrEqual(2); // both ends
      // ws's client offers permessage-deflate by default: the listener declines.
      expect((await rawClient(listener.address)).extensions).toBe("");
    } finally {
      noDelay.mockRestore();
    }
    // ws's server accepts it by default: the dialler never offers it.
    const deflating = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: true });
    await new Promise((resolve) => deflating.once("listening", resolve));
    try {
      const accepted = new Promise<WsWebSocket>((resolve) => deflating.once("connection", resolve));
      const { port } = deflating.address() as net.AddressInfo;
      const client = await webSocketMedium().connect(`ws://127.0.0.1:${port}`, info);
      expect((await accepted).extensions).toBe("");
      client.close();
    } finally {
      await new Promise((resolve) => deflating.close(resolve));
    }
  });

  it("sends the headers option with the upgrade request", async () => {
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      const headers = new Promise<Record<string, unknown>>((resolve) =>
        server.once("connection", (_socket, request) => resolve(request.headers)),
      );
      const { port } = server.address() as net.AddressInfo;
      const medium = webSocketMedium({ headers: { "x-maquis-node": "a@host" } });
      const client = await medium.connect(`ws://127.0.0.1:${port}`, info);
      expect((await headers)["x-maquis-node"]).toBe("a@host");
      client.close();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("validates its options", () => {
    const bad: unknown[] = [
      { maxPayload: 0 },
      { maxPayload: 1.5 },
      { maxPayload: "1024" },
      { connectTimeoutMs: 0 },
      { connectTimeoutMs: Number.NaN },
      { perMessageDeflate: true },
      { tls: { key: "k" } },
      { clientTls: { rejectUnauthorized: "no" } },
      { headers: { "x-node": 1 } },
      { WebSocket: WsWebSocket },
    ];
    for (const options of bad) {
      expect(() => webSocketMedium(options as WebSocketMediumOptions), JSON.stringify(options)).toThrow(
        ConfigError,
      );
    }
    expect(() => webSocketMedium({ perMessageDeflate: false } as WebSocketMediumOptions)).not.toThrow();
  });
});
