/**
 * The sending half of one connection: everything queued for it within a tick goes out as one data
 * frame (the biggest lever on throughput: one socket write and one frame header for a whole batch),
 * frames wait while the socket is backed up, and memory per connection is bounded.
 */
import type { Clock, ClockHandle, Signal } from "@maquis/core";
import type { Connection } from "../Connection.js";
import type { CompressionOptions } from "../wire/Compression.js";
import { encodeFrame } from "../wire/FrameCodec.js";
import { WireError } from "../wire/WireError.js";

/** What an outbox needs from its cluster. */
export interface OutboxSettings {
  readonly clock: Clock;
  readonly compress: CompressionOptions | undefined;
  /** Latest-wins: a frame still held back is replaced by the next one. */
  readonly monotonic: boolean;
  readonly maxPayload: number;
  readonly highWaterMark: number;
  readonly maxBufferedBytes: number;
  /** A signal that cannot be encoded (or is too large alone) is dropped and reported here. */
  readonly onDropped: (signal: Signal, error: WireError) => void;
  /** The connection holds more than `maxBufferedBytes`: the owner closes it. */
  readonly onOverload: () => void;
}

/** How often a held-back outbox looks at the socket again (ms). */
const DRAIN_POLL_MS = 2;

export class Outbox {
  readonly connection: Connection;
  private readonly settings: OutboxSettings;
  private queue: Signal[] = [];
  private scheduled = false;
  /** Frames encoded but held back because the socket is above its high-water mark. */
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  private drainTimer: ClockHandle | undefined;
  private closed = false;
  /** Frames replaced before they were sent (monotonic channels). */
  shed = 0;
  /** Frames written to the connection. */
  framesSent = 0;

  constructor(connection: Connection, settings: OutboxSettings) {
    this.connection = connection;
    this.settings = settings;
  }

  /** Queues a signal; the batch goes out at the end of this tick. */
  push(signal: Signal): void {
    if (this.closed) return;
    this.queue.push(signal);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flush);
    }
  }

  /** Encodes what is queued into frames and writes them, or holds them back if the socket is full. */
  readonly flush = (): void => {
    this.scheduled = false;
    if (this.closed || this.queue.length === 0) return;
    const signals = this.queue;
    this.queue = [];
    for (const frame of this.encode(signals)) this.write(frame);
  };

  /** Sends what is queued and held right now, ignoring the high-water mark (the node is stopping). */
  flushAll(): void {
    this.flush();
    for (const frame of this.held) this.connection.send(frame);
    this.held = [];
    this.heldBytes = 0;
  }

  /** Stops sending; what is queued is dropped (the connection is gone). */
  close(): void {
    this.closed = true;
    this.queue = [];
    this.held = [];
    this.heldBytes = 0;
    if (this.drainTimer !== undefined) this.settings.clock.cancel(this.drainTimer);
    this.drainTimer = undefined;
  }

  /** Bytes waiting: held back here plus queued in the socket. */
  get bufferedBytes(): number {
    return this.heldBytes + this.connection.bufferedAmount;
  }

  private write(frame: Uint8Array): void {
    const { highWaterMark, monotonic } = this.settings;
    if (this.held.length === 0 && this.connection.bufferedAmount <= highWaterMark) {
      this.connection.send(frame);
      this.framesSent++;
      return;
    }
    if (monotonic && this.held.length > 0) {
      // The newest state subsumes what is still waiting (Partisan's monotonic channels).
      this.shed += this.held.length;
      this.held = [];
      this.heldBytes = 0;
    }
    this.held.push(frame);
    this.heldBytes += frame.length;
    if (this.bufferedBytes > this.settings.maxBufferedBytes) {
      this.close();
      this.settings.onOverload();
      return;
    }
    this.drainTimer ??= this.settings.clock.schedule(DRAIN_POLL_MS, this.drain);
  }

  private readonly drain = (): void => {
    this.drainTimer = undefined;
    if (this.closed) return;
    const { highWaterMark } = this.settings;
    let i = 0;
    while (i < this.held.length && this.connection.bufferedAmount <= highWaterMark) {
      const frame = this.held[i++]!;
      this.heldBytes -= frame.length;
      this.connection.send(frame);
      this.framesSent++;
    }
    this.held = i === this.held.length ? [] : this.held.slice(i);
    if (this.held.length > 0) this.drainTimer = this.settings.clock.schedule(DRAIN_POLL_MS, this.drain);
  };

  /**
   * One frame for the batch when it fits; a batch over `maxPayload` is split, and a signal that cannot
   * be encoded or is too large alone is dropped (and reported) without losing the others.
   */
  private encode(signals: Signal[]): Uint8Array[] {
    const options = { compress: this.settings.compress, maxPayload: this.settings.maxPayload };
    try {
      return [encodeFrame({ kind: "data", signals }, options)];
    } catch (error) {
      if (!(error instanceof WireError)) throw error;
      if (signals.length === 1) {
        this.settings.onDropped(signals[0]!, error);
        return [];
      }
      const half = signals.length >>> 1;
      return [...this.encode(signals.slice(0, half)), ...this.encode(signals.slice(half))];
    }
  }
}
