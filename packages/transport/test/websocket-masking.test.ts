/**
 * How the Node entry masks the frames it dials out with, read off the wire through a recording TCP
 * proxy: small frames get random keys (so that ws writes each in one piece), large ones an all-zero
 * key (no XOR over every byte), and `maskFrames: true` masks everything with random keys.
 */
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type WebSocketMediumOptions, webSocketMedium } from "../src/websocket/node.js";
import { acceptQueue, closeAfterTest, info, pattern, portOf, sameBytes } from "./websocket.helpers.js";

const proxies: Array<{ server: net.Server; sockets: Set<net.Socket> }> = [];
afterEach(async () => {
  for (const { server, sockets } of proxies.splice(0)) {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A TCP proxy to `port` that keeps every byte the dialler sends. */
const recordingProxy = async (port: number): Promise<{ port: number; sent: () => Buffer }> => {
  const chunks: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const proxy = net.createServer((client) => {
    const upstream = net.connect(port, "127.0.0.1");
    sockets.add(client).add(upstream);
    client.on("data", (chunk: Buffer) => chunks.push(chunk));
    client.pipe(upstream).pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  proxies.push({ server: proxy, sockets });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return { port: (proxy.address() as net.AddressInfo).port, sent: () => Buffer.concat(chunks) };
};

/** The mask key and payload length of each frame after the HTTP upgrade request in `bytes`. */
const clientFrames = (bytes: Buffer): Array<{ length: number; key: number[] }> => {
  let at = bytes.indexOf("\r\n\r\n") + 4;
  const frames = [];
  while (at < bytes.length) {
    const masked = (bytes[at + 1]! & 0x80) !== 0;
    let length = bytes[at + 1]! & 0x7f;
    at += 2;
    if (length === 126) {
      length = bytes.readUInt16BE(at);
      at += 2;
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(at));
      at += 8;
    }
    expect(masked, "a client frame must be masked").toBe(true);
    frames.push({ length, key: [...bytes.subarray(at, at + 4)] });
    at += 4 + length;
  }
  return frames;
};

const SIZES = [100, 512, 513, 20_000];

/** Sends one frame of each size through the proxy; returns the keys seen on the wire, by size. */
const keysBySize = async (options: WebSocketMediumOptions): Promise<Map<number, number[]>> => {
  const queue = acceptQueue();
  const listener = closeAfterTest(await webSocketMedium().listen("ws://127.0.0.1:0", queue.accept));
  const proxy = await recordingProxy(portOf(listener.address));
  const client = await webSocketMedium(options).connect(`ws://127.0.0.1:${proxy.port}`, info);
  const server = await queue.next();
  const sent = SIZES.map((size, i) => pattern(size, i));
  for (const frame of sent) client.send(frame);
  const received = await server.framesReached(sent.length);
  sent.forEach((frame, i) => {
    expect(sameBytes(received[i], frame), `frame of ${frame.length} bytes arrives intact`).toBe(true);
  });
  client.close();
  const frames = clientFrames(proxy.sent()).filter((f) => SIZES.includes(f.length));
  return new Map(frames.map((f) => [f.length, f.key]));
};

const isZero = (key: number[] | undefined) => key?.every((b) => b === 0) === true;

describe("webSocketMedium (Node): masking of dialled frames", () => {
  it("masks frames up to 512 bytes with random keys and larger ones with an all-zero key", async () => {
    const keys = await keysBySize({});
    expect(keys.size).toBe(SIZES.length);
    expect(isZero(keys.get(100))).toBe(false);
    expect(isZero(keys.get(512))).toBe(false);
    expect(keys.get(100)).not.toEqual(keys.get(512)); // a fresh key per frame
    expect(isZero(keys.get(513))).toBe(true);
    expect(isZero(keys.get(20_000))).toBe(true);
  });

  it("maskFrames: true masks every frame with a random key", async () => {
    const keys = await keysBySize({ maskFrames: true });
    expect(keys.size).toBe(SIZES.length);
    for (const size of SIZES) expect(isZero(keys.get(size)), `${size} bytes`).toBe(false);
  });
});
