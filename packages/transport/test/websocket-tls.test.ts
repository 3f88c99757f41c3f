/**
 * The WebSocket medium over TLS (`wss://`), with a fixed self-signed test certificate
 * (`fixtures/websocket-tls-*.pem`, made once with `openssl req -x509 -newkey ec -pkeyopt
 * ec_paramgen_curve:prime256v1 -nodes -days 36500 -subj /CN=localhost -addext
 * "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"`).
 */
import net from "node:net";
import { describe, expect, it } from "vitest";
import { WebSocketConnectError, webSocketMedium } from "../src/websocket/node.js";
import {
  acceptQueue,
  closeAfterTest,
  info,
  pattern,
  portOf,
  record,
  sameBytes,
  tlsFixture,
} from "./websocket.helpers.js";

describe("webSocketMedium over wss://", () => {
  it("carries frames both ways when the dialler trusts the listener's certificate", async () => {
    const queue = acceptQueue();
    const medium = webSocketMedium({ tls: tlsFixture, clientTls: { ca: tlsFixture.cert } });
    const listener = closeAfterTest(await medium.listen("wss://127.0.0.1:0", queue.accept));
    expect(listener.address).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    const client = record(await medium.connect(listener.address, info));
    const server = await queue.next();
    server.connection.onFrame = (frame) => server.connection.send(frame);
    client.connection.send(pattern(100_000, 1));
    const [echo] = await client.framesReached(1);
    expect(sameBytes(echo, pattern(100_000, 1))).toBe(true);
    client.connection.close(4005, "replaced");
    expect(await server.closed).toEqual({ code: 4005, reason: "replaced", local: false });
  });

  it("refuses a certificate the dialler does not trust, and plain ws:// to a wss:// listener", async () => {
    const listener = closeAfterTest(
      await webSocketMedium({ tls: tlsFixture }).listen("wss://127.0.0.1:0", () => {}),
    );
    const untrusted = await webSocketMedium()
      .connect(listener.address, info)
      .catch((e: unknown) => e);
    expect(untrusted).toBeInstanceOf(WebSocketConnectError);
    expect(untrusted).toMatchObject({ reason: "failed" });
    expect((untrusted as Error).cause).toMatchObject({ code: "DEPTH_ZERO_SELF_SIGNED_CERT" });
    const plain = listener.address.replace("wss:", "ws:");
    await expect(webSocketMedium().connect(plain, info)).rejects.toMatchObject({ reason: "failed" });
  });

  it("serves ws:// and wss:// from one medium", async () => {
    const queue = acceptQueue();
    const medium = webSocketMedium({ tls: tlsFixture, clientTls: { ca: tlsFixture.cert } });
    const secure = closeAfterTest(await medium.listen("wss://localhost:0", queue.accept));
    const plain = closeAfterTest(await medium.listen("ws://127.0.0.1:0", queue.accept));
    const overTls = record(await medium.connect(secure.address, info));
    const overTcp = record(await medium.connect(plain.address, info));
    for (const client of [overTls, overTcp]) {
      const server = await queue.next();
      server.connection.send(new Uint8Array([42]));
      expect(await client.framesReached(1)).toEqual([new Uint8Array([42])]);
    }
  });

  it("closes its listener despite a TCP connection stuck before the TLS handshake", async () => {
    const listener = await webSocketMedium({ tls: tlsFixture }).listen("wss://127.0.0.1:0", () => {});
    const socket = net.connect(portOf(listener.address), "127.0.0.1");
    socket.on("error", () => {});
    socket.resume();
    await new Promise((resolve) => socket.once("connect", resolve));
    const socketClosed = new Promise((resolve) => socket.once("close", resolve));
    await listener.close();
    await socketClosed;
  });
});
