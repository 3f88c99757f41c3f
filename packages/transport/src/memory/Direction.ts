/**
 * One direction of an in-memory connection: where a frame's faults are applied, where delayed frames
 * wait on the clock (in order), and where frames are finally handed to the receiving end.
 */
import type { ClockHandle } from "@maquis/core";
import type { CloseInfo } from "../Connection.js";
import type { Delivery } from "./DeliveryQueue.js";
import type { DropCause, FrameFate } from "./FrameEvent.js";
import type { Link, NetworkHost } from "./Link.js";
import type { MemoryConnection } from "./MemoryConnection.js";

/**
 * @internal A frame on its way. Its slot in the queues is fixed; its payload (`frame`, `id`,
 * `bufferedBytes`) may trade places with another's when a reorder fault strikes.
 */
export class FrameArrival implements Delivery {
  readonly direction: Direction;
  frame: Uint8Array;
  id: number;
  /** Bytes it holds in the sender's `bufferedAmount` until delivered (0 for a duplicate). */
  bufferedBytes: number;
  delivered = false;
  /** When it leaves the clock, if it was delayed. */
  due = 0;

  constructor(direction: Direction, frame: Uint8Array, id: number, bufferedBytes: number) {
    this.direction = direction;
    this.frame = frame;
    this.id = id;
    this.bufferedBytes = bufferedBytes;
  }

  get ready(): boolean {
    return this.direction.receiver.claimed;
  }

  deliver(): void {
    this.direction.deliverFrame(this);
  }
}

/**
 * @internal A close reaching an end. `fromPeer`: the peer closed, so this closes the target (unless it
 * closed itself meanwhile: then its owner hears only of its own close). Otherwise the target is already
 * closed (it closed itself, or a partition cut it) and only its owner is still to be told.
 */
export class CloseArrival implements Delivery {
  readonly target: MemoryConnection;
  readonly info: CloseInfo;
  readonly fromPeer: boolean;
  due = 0;

  constructor(target: MemoryConnection, info: CloseInfo, fromPeer: boolean) {
    this.target = target;
    this.info = info;
    this.fromPeer = fromPeer;
  }

  get ready(): boolean {
    return this.target.claimed;
  }

  deliver(): void {
    if (this.fromPeer && !this.target.link.markClosed(this.target)) return;
    this.target.notifyClose(this.info);
  }
}

type Arrival = FrameArrival | CloseArrival;

/** @internal */
export class Direction {
  readonly link: Link;
  readonly sender: MemoryConnection;
  readonly receiver: MemoryConnection;
  readonly #host: NetworkHost;
  /**
   * Arrivals waiting on the clock, in send order. Only the head's timer is armed, and an arrival leaves
   * only with or after the ones ahead of it, so the connection stays in order whatever the delays.
   */
  #held: Arrival[] = [];
  #timer: ClockHandle | undefined;
  /** The last frame queued, while undelivered: the one a reordered frame swaps with. */
  #lastFrame: FrameArrival | undefined;

  constructor(host: NetworkHost, link: Link, sender: MemoryConnection, receiver: MemoryConnection) {
    this.#host = host;
    this.link = link;
    this.sender = sender;
    this.receiver = receiver;
  }

  /** Sends a copy of `frame` through the fault rules. */
  send(frame: Uint8Array): void {
    const host = this.#host;
    const id = host.nextFrameId();
    const size = frame.byteLength;
    const faults = host.faults.decide(this.sender.localNode, this.receiver.localNode, this.link.channel);
    if (faults.drop) {
      this.#emit("dropped", id, size, "fault");
      return;
    }
    // A copy: the sender may reuse its buffer as soon as send returns.
    const copy = frame.slice();
    this.sender.adjustBuffered(size);
    if (faults.delayMs > 0) this.#emit("delayed", id, size, undefined, faults.delayMs);
    const arrival = new FrameArrival(this, copy, id, size);
    const previous = this.#lastFrame;
    this.#enqueue(arrival, faults.delayMs);
    if (faults.reorder && previous !== undefined && !previous.delivered) {
      swapPayloads(previous, arrival);
      this.#emit("reordered", id, size);
    }
    this.#lastFrame = arrival;
    for (let i = 0; i < faults.copies; i++) {
      this.#emit("duplicated", id, size);
      const duplicate = new FrameArrival(this, copy.slice(), id, 0);
      this.#enqueue(duplicate, faults.delayMs);
      this.#lastFrame = duplicate;
    }
  }

  /** Reports a frame sent on an end that is already closed (it goes nowhere). */
  dropUnsent(frame: Uint8Array): void {
    this.#emit("dropped", this.#host.nextFrameId(), frame.byteLength, "closed");
  }

  /** Tells the receiver the sender closed, after every frame already sent its way. */
  sendClose(info: CloseInfo): void {
    this.#enqueue(new CloseArrival(this.receiver, info, true), 0);
  }

  deliverFrame(arrival: FrameArrival): void {
    this.#settle(arrival);
    if (!this.receiver.open) {
      this.#emit("dropped", arrival.id, arrival.frame.byteLength, "closed");
      return;
    }
    this.#emit("delivered", arrival.id, arrival.frame.byteLength);
    this.receiver.receiveFrame(arrival.frame);
  }

  /** A frame in flight is lost for good (its connection was cut). */
  drop(arrival: FrameArrival, cause: DropCause): void {
    this.#settle(arrival);
    this.#emit("dropped", arrival.id, arrival.frame.byteLength, cause);
  }

  /** Loses everything waiting on the clock: the connection was cut. */
  cut(cause: DropCause): void {
    if (this.#timer !== undefined) this.#host.clock.cancel(this.#timer);
    this.#timer = undefined;
    const held = this.#held;
    this.#held = [];
    this.#host.countDelayed(-held.length);
    for (const arrival of held) if (arrival instanceof FrameArrival) this.drop(arrival, cause);
  }

  #settle(arrival: FrameArrival): void {
    arrival.delivered = true;
    this.sender.adjustBuffered(-arrival.bufferedBytes);
    if (this.#lastFrame === arrival) this.#lastFrame = undefined;
  }

  /**
   * Queues an arrival for delivery, through the clock if it is delayed or if anything sent before it
   * still waits there: a delay holds back what follows, so the connection stays in order.
   */
  #enqueue(arrival: Arrival, delayMs: number): void {
    const host = this.#host;
    if (delayMs <= 0 && this.#held.length === 0) {
      host.queue.push(arrival);
      return;
    }
    arrival.due = host.clock.now() + delayMs;
    this.#held.push(arrival);
    host.countDelayed(1);
    if (this.#held.length === 1) this.#arm();
  }

  #arm(): void {
    const head = this.#held[0];
    if (head === undefined) return;
    const clock = this.#host.clock;
    this.#timer = clock.schedule(Math.max(0, head.due - clock.now()), this.#release);
  }

  /** The head's timer fired: it and everything behind it that is due go to the delivery queue. */
  readonly #release = (): void => {
    this.#timer = undefined;
    const now = this.#host.clock.now();
    const held = this.#held;
    // The head goes even if a real timer fired a little early; the rest only when due.
    let count = 1;
    while (count < held.length && held[count]!.due <= now) count++;
    const released = held.splice(0, count);
    this.#host.countDelayed(-released.length);
    for (const arrival of released) this.#host.queue.push(arrival);
    this.#arm();
  };

  #emit(fate: FrameFate, id: number, size: number, cause?: DropCause, delayMs?: number): void {
    const tracer = this.#host.tracer();
    if (tracer === null) return;
    tracer({
      id,
      connection: this.link.id,
      from: this.sender.localNode,
      to: this.receiver.localNode,
      channel: this.link.channel,
      size,
      fate,
      time: this.#host.clock.now(),
      ...(cause === undefined ? {} : { cause }),
      ...(delayMs === undefined ? {} : { delayMs }),
    });
  }
}

/** A reorder: the newer frame takes the older one's slot and the older one the newer's. */
const swapPayloads = (older: FrameArrival, newer: FrameArrival): void => {
  [older.frame, newer.frame] = [newer.frame, older.frame];
  [older.id, newer.id] = [newer.id, older.id];
  [older.bufferedBytes, newer.bufferedBytes] = [newer.bufferedBytes, older.bufferedBytes];
};
