/**
 * The WebSocket medium's browser entry, dialling with a platform WebSocket (Node's global one, which
 * follows the WHATWG API as browsers do) against the Node entry's listener: the same connection code,
 * a different socket. Also: listen refused, Node-only options refused, maxPayload checked on arrival.
 */
import { ConfigError } from "@maquis/core";
import { describe, expect, it } from "vitest";
import { CloseCode } from "../src/Connection.js";
import * as browserEntry from "../src/websocket/browser.js";
import {
  WebSocketConnectError,
  WebSocketListenError,
  type WebSocketMediumOptions,
  webSocketMedium as browserMedium,
} from "../src/websocket/browser.js";
import * as nodeEntry from "../src/websocket/node.js";
import { webSocketMedium as nodeMedium } from "../src/websocket/node.js";
import {
  acceptQueue,
  closeAfterTest,
  closedPort,
  info,
  nextMacrotask,
  pattern,
  record,
  sameBytes,
  silentTcpServer,
} from "./websocket.helpers.js";

const PlatformWebSocket = globalThis.WebSocket;

/** A Node-entry listener and a browser-entry connection to it, both ends recorded. */
const browserPair = async (options: WebSocketMediumOptions = {}) => {
  const queue = acceptQueue();
  const listener = closeAfterTest(await nodeMedium().listen("ws://127.0.0.1:0", queue.accept));
  const client = record(await browserMedium(options).connect(listener.address, info));
  const server = await queue.next();
  return { listener, client, server };
};

describe("webSocketMedium (browser entry)", () => {
  it("exports the same names as the Node entry", () => {
    expect(Object.keys(browserEntry).sort()).toEqual(Object.keys(nodeEntry).sort());
  });

  it("dials with globalThis.WebSocket by default: frames both ways, whole, in order, as Uint8Array", async () => {
    expect(typeof PlatformWebSocket).toBe("function"); // Node ≥ 22
    const { client, server } = await browserPair();
    for (let i = 0; i < 100; i++) client.connection.send(pattern(i * 3, i));
    const received = await server.framesReached(100);
    expect(received).toEqual(Array.from({ length: 100 }, (_, i) => pattern(i * 3, i)));
    server.connection.send(pattern(70_000, 9));
    const [frame] = await client.framesReached(1);
    expect(frame).toBeInstanceOf(Uint8Array);
    expect(sameBytes(frame, pattern(70_000, 9))).toBe(true);
  });

  it("reports closes from either side with their codes, reasons and local flags", async () => {
    const first = await browserPair();
    first.client.connection.close(4005, "replaced");
    expect(first.client.connection.open).toBe(false);
    first.client.connection.close(4000, "again");
    expect(await first.client.closed).toEqual({ code: 4005, reason: "replaced", local: true });
    expect(await first.server.closed).toEqual({ code: 4005, reason: "replaced", local: false });

    const second = await browserPair();
    second.server.connection.close(4002, "version");
    expect(await second.client.closed).toEqual({ code: 4002, reason: "version", local: false });
    expect(await second.server.closed).toEqual({ code: 4002, reason: "version", local: true });
    expect(() => second.client.connection.send(pattern(5))).not.toThrow();
    await nextMacrotask();
    expect(second.client.closes).toHaveLength(1);
  });

  it("keeps frames sent by the listener before the dialler sets its handlers", async () => {
    const sockets: WebSocket[] = [];
    class Spy extends PlatformWebSocket {
      constructor(url: string) {
        super(url);
        sockets.push(this);
      }
    }
    const listener = closeAfterTest(
      await nodeMedium().listen("ws://127.0.0.1:0", (connection) => {
        connection.onClose = () => {};
        for (let i = 0; i < 5; i++) connection.send(pattern(4, i));
      }),
    );
    const connection = await browserMedium({ WebSocket: Spy }).connect(listener.address, info);
    let seen = 0;
    await new Promise<void>((resolve) =>
      sockets[0]!.addEventListener("message", () => ++seen === 5 && resolve()),
    );
    await nextMacrotask();
    const client = record(connection);
    const frames = await client.framesReached(5);
    expect(frames).toEqual([0, 1, 2, 3, 4].map((i) => pattern(4, i)));
  });

  it("closes a connection that receives a frame over maxPayload (1009 here, tooLarge on the wire)", async () => {
    const { client, server } = await browserPair({ maxPayload: 1024 });
    server.connection.send(pattern(1024));
    server.connection.send(pattern(1025));
    expect(await client.closed).toMatchObject({ code: 1009, local: false });
    expect(await server.closed).toMatchObject({ code: CloseCode.tooLarge, local: false });
    expect(client.frames).toHaveLength(1);
  });

  it("cannot listen", async () => {
    const error = await browserMedium()
      .listen("ws://127.0.0.1:0", () => {})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebSocketListenError);
    expect(error).toMatchObject({ reason: "unsupported" });
  });

  it("rejects connects that fail, time out or have a bad address with WebSocketConnectError", async () => {
    const medium = browserMedium({ connectTimeoutMs: 100 });
    const refused = await medium.connect(`ws://127.0.0.1:${await closedPort()}`, info).catch((e) => e);
    expect(refused).toBeInstanceOf(WebSocketConnectError);
    expect(refused).toMatchObject({ reason: "failed" });
    const silent = await silentTcpServer();
    const timedOut = await medium.connect(`ws://127.0.0.1:${silent.port}`, info).catch((e) => e);
    expect(timedOut).toMatchObject({ reason: "timeout" });
    await silent.sockets[0]!.closed;
    await expect(medium.connect("http://127.0.0.1:1", info)).rejects.toMatchObject({
      reason: "invalid-address",
    });
  });

  it("refuses the Node-only options and a missing WebSocket", () => {
    for (const options of [{ tls: { key: "k", cert: "c" } }, { clientTls: {} }, { headers: {} }]) {
      expect(() => browserMedium(options)).toThrow(ConfigError);
    }
    expect(() => browserMedium({ maxPayload: -1 })).toThrow(ConfigError);
    const saved = globalThis.WebSocket;
    try {
      (globalThis as { WebSocket?: unknown }).WebSocket = undefined;
      expect(() => browserMedium()).toThrow(ConfigError);
      expect(() => browserMedium({ WebSocket: saved })).not.toThrow();
    } finally {
      globalThis.WebSocket = saved;
    }
  });
});
