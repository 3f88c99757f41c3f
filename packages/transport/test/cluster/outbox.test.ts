/**
 * The outbox on its own, against a recording connection: large frames go out one fragment per
 * event-loop turn; control frames never land between the fragments of a frame; monotonic shedding
 * never drops the rest of a frame already partly sent.
 */
import { Pid, type Signal, VirtualClock } from "@maquis/core";
import { describe, expect, it } from "vitest";
import type { Connection } from "../../src/Connection.js";
import { Outbox } from "../../src/cluster/Outbox.js";
import { FLAG_FIRST, FLAG_FRAGMENT, FLAG_LAST, Reassembler } from "../../src/wire/Fragments.js";
import { decodeFrame, encodeFrame } from "../../src/wire/FrameCodec.js";
import { turn } from "./support.js";

class Recorder implements Connection {
  readonly remoteAddress = "test";
  bufferedAmount = 0;
  open = true;
  readonly sent: Uint8Array[] = [];
  onFrame = null;
  onClose = null;
  send(frame: Uint8Array): void {
    this.sent.push(frame);
  }
  close(): void {
    this.open = false;
  }
}

const to = new Pid("b", 1, 0, 1);
const sendOf = (message: unknown): Signal => ({ kind: "send", to, message });

const outboxOn = (connection: Recorder, monotonic = false, clock = new VirtualClock()) =>
  new Outbox(connection, {
    clock,
    compress: undefined,
    monotonic,
    maxPayload: 1 << 24,
    highWaterMark: 1 << 24,
    maxBufferedBytes: 1 << 26,
    onDropped: () => expect.fail("nothing should be dropped"),
    onOverload: () => expect.fail("no overload expected"),
    onQueued: () => {},
  });

const isFragmentBytes = (bytes: Uint8Array) => (bytes[0]! & FLAG_FRAGMENT) !== 0;

/** The messages of every data frame in `sent`, fragments put back together. */
const messagesOf = (sent: Uint8Array[]): unknown[] => {
  const r = new Reassembler();
  const out: unknown[] = [];
  for (const bytes of sent) {
    const whole = isFragmentBytes(bytes) ? r.accept(bytes, 1 << 24) : bytes;
    if (whole === undefined) continue;
    const frame = decodeFrame(whole, { maxPayload: 1 << 24 });
    if (frame.kind !== "data") {
      out.push(frame.kind);
      continue;
    }
    for (const s of frame.signals) if (s.kind === "send") out.push(s.message);
  }
  return out;
};

describe("Outbox", () => {
  it("writes a large frame one fragment per turn", async () => {
    const connection = new Recorder();
    const outbox = outboxOn(connection);
    outbox.push(sendOf(new Uint8Array(100_000)));
    outbox.flush();
    for (let t = 1; t <= 4; t++) {
      await turn();
      expect(connection.sent).toHaveLength(t);
    }
    for (let t = 0; t < 10; t++) await turn();
    expect(connection.sent.length).toBeGreaterThan(6);
    expect(connection.sent.at(-1)![0]! & FLAG_LAST).toBe(FLAG_LAST);
    expect(messagesOf(connection.sent)).toEqual([new Uint8Array(100_000)]);
    expect(outbox.framesSent).toBe(1);
  });

  it("a control frame waits for the end of a partly sent frame, then goes ahead of held data", async () => {
    const connection = new Recorder();
    const outbox = outboxOn(connection);
    outbox.push(sendOf(new Uint8Array(50_000)));
    outbox.flush();
    await turn();
    expect(connection.sent[0]![0]! & FLAG_FIRST).toBe(FLAG_FIRST);
    outbox.push(sendOf("queued after"));
    outbox.flush();
    outbox.sendControl(encodeFrame({ kind: "ping", id: 1, timestamp: 0 }));
    for (let t = 0; t < 10; t++) await turn();
    expect(messagesOf(connection.sent)).toEqual([new Uint8Array(50_000), "ping", "queued after"]);
    expect(outbox.framesSent).toBe(2); // control frames are not data frames
  });

  it("monotonic shedding drops whole waiting frames, never the rest of one partly sent", async () => {
    const connection = new Recorder();
    const outbox = outboxOn(connection, true);
    outbox.push(sendOf(new Uint8Array(50_000).fill(1)));
    outbox.flush();
    await turn();
    outbox.push(sendOf(new Uint8Array(50_000).fill(2)));
    outbox.flush();
    outbox.push(sendOf(new Uint8Array(50_000).fill(3)));
    outbox.flush();
    for (let t = 0; t < 20; t++) await turn();
    expect(messagesOf(connection.sent)).toEqual([
      new Uint8Array(50_000).fill(1),
      new Uint8Array(50_000).fill(3),
    ]);
    expect(outbox.shed).toBe(1);
  });

  it("frames held back while the socket is full go out in order once it drains, however many", async () => {
    const connection = new Recorder();
    const clock = new VirtualClock();
    const outbox = outboxOn(connection, false, clock);
    connection.bufferedAmount = 2 << 24; // over the high-water mark: everything is held
    for (let i = 0; i < 3000; i++) {
      outbox.push(sendOf(i));
      outbox.flush();
    }
    expect(connection.sent).toHaveLength(0);
    expect(outbox.bufferedBytes).toBeGreaterThan(connection.bufferedAmount);
    // The socket takes 1500 frames, fills up again, then takes the rest.
    connection.send = function (frame: Uint8Array) {
      this.sent.push(frame);
      if (this.sent.length === 1500) this.bufferedAmount = 2 << 24;
    };
    connection.bufferedAmount = 0;
    clock.advance(10);
    await turn();
    expect(connection.sent).toHaveLength(1500);
    connection.bufferedAmount = 0;
    clock.advance(10);
    await turn();
    expect(messagesOf(connection.sent)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(outbox.bufferedBytes).toBe(0);
    expect(outbox.framesSent).toBe(3000);
  });
});
