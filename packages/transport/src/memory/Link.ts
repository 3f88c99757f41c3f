/**
 * One in-memory connection as the network sees it: two ends and the two directions between them, and
 * how the connection closes (by either end, or cut by a partition).
 */
import type { Clock } from "@maquis/core";
import type { CloseInfo, DialInfo } from "../Connection.js";
import type { DeliveryQueue } from "./DeliveryQueue.js";
import { CloseArrival, Direction, FrameArrival } from "./Direction.js";
import type { Faults } from "./Faults.js";
import type { DropCause, FrameEvent } from "./FrameEvent.js";
import { MemoryConnection } from "./MemoryConnection.js";

/** @internal What links need from their network. */
export interface NetworkHost {
  readonly clock: Clock;
  readonly queue: DeliveryQueue;
  readonly faults: Faults;
  /** The network's `onFrame` now. */
  tracer(): ((event: FrameEvent) => void) | null;
  nextFrameId(): number;
  /** Frames and closes waiting on the clock went up or down by `delta`. */
  countDelayed(delta: number): void;
  /** Both ends are closed: a partition has nothing left to cut here. */
  retire(link: Link): void;
}

/** @internal */
export class Link {
  readonly id: number;
  readonly channel: string;
  readonly dialler: MemoryConnection;
  readonly acceptor: MemoryConnection;
  readonly #host: NetworkHost;
  readonly #toAcceptor: Direction;
  readonly #toDialler: Direction;

  constructor(
    host: NetworkHost,
    id: number,
    diallerNode: string,
    listener: { readonly node: string; readonly address: string },
    info: DialInfo,
  ) {
    this.#host = host;
    this.id = id;
    this.channel = info.channel;
    this.dialler = new MemoryConnection(this, info, diallerNode, listener.node, listener.address);
    this.acceptor = new MemoryConnection(this, info, listener.node, diallerNode, `memory://${diallerNode}`);
    this.#toAcceptor = new Direction(host, this, this.dialler, this.acceptor);
    this.#toDialler = new Direction(host, this, this.acceptor, this.dialler);
  }

  /** The nodes at the two ends. */
  get nodes(): readonly [dialler: string, listener: string] {
    return [this.dialler.localNode, this.acceptor.localNode];
  }

  transmit(sender: MemoryConnection, frame: Uint8Array): void {
    const direction = this.#from(sender);
    if (sender.open) direction.send(frame);
    else direction.dropUnsent(frame);
  }

  /** `end.close(code, reason)`. */
  close(end: MemoryConnection, code: number, reason: string): void {
    if (!this.markClosed(end)) return;
    this.#host.queue.push(new CloseArrival(end, { code, reason, local: true }, false));
    this.#from(end).sendClose({ code, reason, local: false });
  }

  /** Marks `end` closed; false if it already was. */
  markClosed(end: MemoryConnection): boolean {
    if (!end.setClosed()) return false;
    if (!this.dialler.open && !this.acceptor.open) this.#host.retire(this);
    return true;
  }

  /**
   * The connection is lost under both ends (a partition, or a listener whose accept threw): what is in
   * flight either way is dropped for `cause`, and each end still open is closed and told so with `info`
   * (nobody is told when `info` is undefined).
   */
  cut(info: CloseInfo | undefined, cause: DropCause): void {
    const lost = this.#host.queue.remove(
      (d) =>
        (d instanceof FrameArrival && d.direction.link === this) ||
        (d instanceof CloseArrival && d.fromPeer && d.target.link === this),
    );
    for (const arrival of lost) {
      if (arrival instanceof FrameArrival) arrival.direction.drop(arrival, cause);
    }
    this.#toAcceptor.cut(cause);
    this.#toDialler.cut(cause);
    for (const end of [this.dialler, this.acceptor]) {
      if (this.markClosed(end) && info !== undefined)
        this.#host.queue.push(new CloseArrival(end, info, false));
    }
  }

  /**
   * An end was just claimed (its owner set a handler): what waited for it can go. Always kicks: the
   * flush that skipped this end's deliveries may already have run.
   */
  claimed(): void {
    this.#host.queue.kick();
  }

  #from(sender: MemoryConnection): Direction {
    return sender === this.dialler ? this.#toAcceptor : this.#toDialler;
  }
}
