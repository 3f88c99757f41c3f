/**
 * The sending half of one connection: everything queued for it while the microtask queue drains goes
 * out as one data frame (the biggest lever on throughput: one socket write and one frame header for a
 * whole batch), large frames go out as fragments a turn at a time, frames wait while the socket is
 * backed up, and memory per connection is bounded.
 */
import type { Clock, ClockHandle, Signal } from "@maquis/core";
import type { Connection } from "../Connection.js";
import type { CompressionOptions } from "../wire/Compression.js";
import { FLAG_FIRST, FRAGMENT_BYTES, fragmentFrame, isFragment } from "../wire/Fragments.js";
import { encodeFrame } from "../wire/FrameCodec.js";
import { afterMicrotasks } from "../internal/afterMicrotasks.js";
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
  /** A flush was queued as a microtask; the owner may run it sooner by calling `flush`. */
  readonly onQueued: (outbox: Outbox) => void;
}

/** How often a held-back outbox looks at the socket again (ms). */
const DRAIN_POLL_MS = 2;
/**
 * Fragments of large frames written per connection per event-loop turn. One 16 KiB fragment a turn
 * kept a small call's p50 on another channel at its quiet level under back-to-back 1 MiB transfers
 * (channel-isolation); 64 KiB, or two a turn, let it grow 2-5 times.
 */
const FRAGMENTS_PER_TURN = 1;

/** A fragment after a frame's first: its frame is already partly sent. */
const isContinuation = (piece: Uint8Array): boolean => isFragment(piece) && (piece[0]! & FLAG_FIRST) === 0;

export class Outbox {
  readonly connection: Connection;
  private readonly settings: OutboxSettings;
  private queue: Signal[] = [];
  /** A flush is queued as a microtask. */
  private scheduled = false;
  /** A flush is queued for the end of the turn (only demonitors are waiting). */
  private lazyScheduled = false;
  /**
   * What waits to be written, in order: frames held back because the socket is above its high-water
   * mark, and the fragments of large frames not written yet.
   */
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  private drainTimer: ClockHandle | undefined;
  /** Control frames waiting in `held` (never shed). */
  private readonly control = new WeakSet<Uint8Array>();
  /** A drain is queued for the end of this turn. */
  private drainQueued = false;
  private closed = false;
  /** Frames replaced before they were sent (monotonic channels). */
  shed = 0;
  /** Frames written to the connection (a fragmented frame counts once). */
  framesSent = 0;

  constructor(connection: Connection, settings: OutboxSettings) {
    this.connection = connection;
    this.settings = settings;
  }

  /**
   * Queues a signal. The batch goes out once the current microtasks have run; a batch of nothing but
   * demonitors (which no one waits for) waits for the end of the event-loop turn instead, so that a
   * `call` made right after another one's reply carries the first one's demonitor in its own frame
   * rather than costing a write and a read of its own.
   */
  push(signal: Signal): void {
    if (this.closed) return;
    this.queue.push(signal);
    if (this.scheduled) return;
    if (signal.kind === "demonitor") {
      if (!this.lazyScheduled) {
        this.lazyScheduled = true;
        afterMicrotasks(this.lazyFlush);
      }
      return;
    }
    this.scheduled = true;
    queueMicrotask(this.flush);
    this.settings.onQueued(this);
  }

  /** Encodes what is queued into frames and writes them, or holds them back if the socket is full. */
  readonly flush = (): void => {
    this.scheduled = false;
    if (this.closed || this.queue.length === 0) return;
    const signals = this.queue;
    this.queue = [];
    for (const frame of this.encode(signals)) this.write(frame);
  };

  private readonly lazyFlush = (): void => {
    this.lazyScheduled = false;
    if (!this.scheduled) this.flush();
  };

  /**
   * Writes a control frame (ping, pong, gossip, bye) now, ahead of held-back data, but never between
   * the fragments of a frame already partly written.
   */
  sendControl(frame: Uint8Array): void {
    if (this.closed) return;
    const partial = this.continuations();
    if (partial === 0) {
      this.connection.send(frame);
      return;
    }
    this.held.splice(partial, 0, frame);
    this.heldBytes += frame.length;
    this.control.add(frame);
  }

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
    // A drain queued for this turn finds the outbox closed and does nothing.
  }

  /** Bytes waiting: held back here plus queued in the socket. */
  get bufferedBytes(): number {
    return this.heldBytes + this.connection.bufferedAmount;
  }

  private write(frame: Uint8Array): void {
    const { highWaterMark, monotonic } = this.settings;
    const whole = frame.length <= FRAGMENT_BYTES;
    if (whole && this.held.length === 0 && this.connection.bufferedAmount <= highWaterMark) {
      this.connection.send(frame);
      this.framesSent++;
      return;
    }
    if (monotonic) this.shedHeld();
    for (const piece of whole ? [frame] : fragmentFrame(frame)) {
      this.held.push(piece);
      this.heldBytes += piece.length;
    }
    if (this.bufferedBytes > this.settings.maxBufferedBytes) {
      this.close();
      this.settings.onOverload();
      return;
    }
    this.scheduleDrain();
  }

  /**
   * Monotonic channels: the newest state subsumes what is still waiting (Partisan's monotonic
   * channels), except the rest of a frame whose first fragments are already out.
   */
  private shedHeld(): void {
    const partial = this.continuations();
    const kept = this.held.slice(0, partial);
    for (let i = partial; i < this.held.length; i++) {
      const piece = this.held[i]!;
      if (this.control.has(piece)) {
        kept.push(piece);
        continue;
      }
      this.heldBytes -= piece.length;
      if (!isContinuation(piece)) this.shed++;
    }
    this.held = kept;
  }

  /** How many held pieces, from the front, finish a frame whose first fragments are already out. */
  private continuations(): number {
    let n = 0;
    while (n < this.held.length && isContinuation(this.held[n]!)) n++;
    return n;
  }

  /**
   * The next turn sends more when the socket has room (a few fragments per turn, so that other
   * connections' traffic gets through between them); a backed-up socket is looked at again later.
   */
  private scheduleDrain(): void {
    if (this.drainTimer !== undefined || this.drainQueued) return;
    if (this.connection.bufferedAmount <= this.settings.highWaterMark) {
      this.drainQueued = true;
      afterMicrotasks(this.drain);
    } else {
      this.drainTimer = this.settings.clock.schedule(DRAIN_POLL_MS, this.drain);
    }
  }

  private readonly drain = (): void => {
    this.drainTimer = undefined;
    this.drainQueued = false;
    if (this.closed) return;
    const { highWaterMark } = this.settings;
    let i = 0;
    let fragments = 0;
    while (i < this.held.length && this.connection.bufferedAmount <= highWaterMark) {
      const piece = this.held[i]!;
      if (isFragment(piece) && ++fragments > FRAGMENTS_PER_TURN) break;
      i++;
      this.heldBytes -= piece.length;
      this.connection.send(piece);
      if (!isContinuation(piece) && !this.control.has(piece)) this.framesSent++;
    }
    this.held = i === this.held.length ? [] : this.held.slice(i);
    if (this.held.length > 0) this.scheduleDrain();
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
