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
const isContinuation = (bytes: Uint8Array): boolean => isFragment(bytes) && (bytes[0]! & FLAG_FIRST) === 0;

/** Something waiting to be written: a whole frame, a fragment, or a control frame (never shed). */
interface Held {
  readonly bytes: Uint8Array;
  readonly control: boolean;
}

export class Outbox {
  readonly connection: Connection;
  private readonly settings: OutboxSettings;
  private queue: Signal[] = [];
  /** A flush is queued as a microtask. */
  private scheduled = false;
  /** A flush is queued for the end of the turn (only demonitors are waiting). */
  private lazyScheduled = false;
  /**
   * What waits to be written, in order, from `heldHead` on: frames held back because the socket is
   * above its high-water mark, and the fragments of large frames not written yet.
   */
  private held: Held[] = [];
  private heldHead = 0;
  private heldBytes = 0;
  private drainTimer: ClockHandle | undefined;
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
    this.held.splice(this.heldHead + partial, 0, { bytes: frame, control: true });
    this.heldBytes += frame.length;
  }

  /** Sends what is queued and held right now, ignoring the high-water mark (the node is stopping). */
  flushAll(): void {
    this.flush();
    for (let i = this.heldHead; i < this.held.length; i++) this.connection.send(this.held[i]!.bytes);
    this.clearHeld();
  }

  /** Stops sending; what is queued is dropped (the connection is gone). */
  close(): void {
    this.closed = true;
    this.queue = [];
    this.clearHeld();
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
    if (whole && this.heldHead === this.held.length && this.connection.bufferedAmount <= highWaterMark) {
      this.connection.send(frame);
      this.framesSent++;
      return;
    }
    if (monotonic) this.shedHeld();
    if (whole) this.hold(frame);
    else for (const fragment of fragmentFrame(frame)) this.hold(fragment);
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
    const keptUpTo = this.heldHead + this.continuations();
    const kept = this.held.slice(this.heldHead, keptUpTo);
    for (let i = keptUpTo; i < this.held.length; i++) {
      const piece = this.held[i]!;
      if (piece.control) {
        kept.push(piece);
        continue;
      }
      this.heldBytes -= piece.bytes.length;
      if (!isContinuation(piece.bytes)) this.shed++;
    }
    this.held = kept;
    this.heldHead = 0;
  }

  /** How many held pieces, from the front, finish a frame whose first fragments are already out. */
  private continuations(): number {
    let n = 0;
    while (this.heldHead + n < this.held.length && isContinuation(this.held[this.heldHead + n]!.bytes)) n++;
    return n;
  }

  private hold(bytes: Uint8Array): void {
    this.held.push({ bytes, control: false });
    this.heldBytes += bytes.length;
  }

  private clearHeld(): void {
    this.held = [];
    this.heldHead = 0;
    this.heldBytes = 0;
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
    let fragments = 0;
    // `this.held` is read afresh on every step: a send may close the outbox (which empties it).
    while (this.heldHead < this.held.length && this.connection.bufferedAmount <= highWaterMark) {
      const { bytes, control } = this.held[this.heldHead]!;
      if (isFragment(bytes) && ++fragments > FRAGMENTS_PER_TURN) break;
      this.heldHead++;
      this.heldBytes -= bytes.length;
      this.connection.send(bytes);
      if (!control && !isContinuation(bytes)) this.framesSent++;
    }
    if (this.heldHead === this.held.length) this.clearHeld();
    else {
      // What was written is dropped from the front now and then, not on every turn.
      if (this.heldHead >= 1024) {
        this.held = this.held.slice(this.heldHead);
        this.heldHead = 0;
      }
      this.scheduleDrain();
    }
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
