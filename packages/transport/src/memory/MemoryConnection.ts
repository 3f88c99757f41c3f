/** One end of an in-memory connection: the `Connection` the in-memory network's media hand out. */
import { type CloseInfo, CloseCode, type Connection, type DialInfo } from "../Connection.js";
import type { Link } from "./Link.js";

/**
 * One end of a connection on a `MemoryNetwork`: the dialler gets one from `connect`, the listener's
 * `accept` gets the other. It behaves as the `Connection` contract says (frames whole, in order per
 * direction, never delivered during `send`; `close` reported to both ends), plus the faults the network
 * injects.
 *
 * Gotchas:
 * - Frames are copied on `send` (reuse your buffer) and delivered as the receiver's own copy.
 * - What arrives for an end waits until its owner sets `onFrame` or `onClose` (the dialler gets its end
 *   a few microtasks after the listener, which may have sent at once). A frame that arrives while
 *   `onFrame` is unset but `onClose` is set is lost, as on a socket with no message listener.
 * - `bufferedAmount` counts bytes sent from this end and not yet delivered (or dropped), delayed ones
 *   included.
 */
export class MemoryConnection implements Connection {
  /** The connection's number on its network, shared by both ends (trace events carry it). */
  readonly id: number;
  /** This end's node. */
  readonly localNode: string;
  /** The other end's node (on the listener's end: the dialling node, whatever `dialInfo.from` claims). */
  readonly remoteNode: string;
  /** The channel the connection was dialled for (`dialInfo.channel`). */
  readonly channel: string;
  /** What the dialler said when dialling: how the listener's end learns who called and for what. */
  readonly dialInfo: DialInfo;
  /** The listener's address on the dialler's end; `memory://<dialling node>` on the listener's. */
  readonly remoteAddress: string;
  /** @internal */
  readonly link: Link;
  /** @internal Set once the owner set a handler: deliveries to this end wait until then. */
  claimed = false;
  #open = true;
  #buffered = 0;
  #onFrame: ((frame: Uint8Array) => void) | null = null;
  #onClose: ((info: CloseInfo) => void) | null = null;

  /** @internal Made by the network. */
  constructor(link: Link, dialInfo: DialInfo, localNode: string, remoteNode: string, remoteAddress: string) {
    this.link = link;
    this.id = link.id;
    this.channel = link.channel;
    this.dialInfo = dialInfo;
    this.localNode = localNode;
    this.remoteNode = remoteNode;
    this.remoteAddress = remoteAddress;
  }

  get open(): boolean {
    return this.#open;
  }

  get bufferedAmount(): number {
    return this.#buffered;
  }

  get onFrame(): ((frame: Uint8Array) => void) | null {
    return this.#onFrame;
  }

  set onFrame(handler: ((frame: Uint8Array) => void) | null) {
    this.#onFrame = handler;
    this.#claim();
  }

  get onClose(): ((info: CloseInfo) => void) | null {
    return this.#onClose;
  }

  set onClose(handler: ((info: CloseInfo) => void) | null) {
    this.#onClose = handler;
    this.#claim();
  }

  /** Queues a copy of `frame` for the other end. Dropped silently (and traced) once this end is closed. */
  send(frame: Uint8Array): void {
    this.link.transmit(this, frame);
  }

  /**
   * Closes this end at once (`open` is false on return); `onClose` fires here with `local: true` and at
   * the other end with `local: false` after the frames already sent to it, both asynchronously. Frames
   * still on their way to this end are dropped. Idempotent.
   */
  close(code: number = CloseCode.normal, reason = ""): void {
    this.link.close(this, code, reason);
  }

  /** @internal */
  adjustBuffered(delta: number): void {
    this.#buffered += delta;
  }

  /** @internal False if it was already closed. */
  setClosed(): boolean {
    if (!this.#open) return false;
    this.#open = false;
    return true;
  }

  /** @internal */
  receiveFrame(frame: Uint8Array): void {
    this.#onFrame?.(frame);
  }

  /** @internal */
  notifyClose(info: CloseInfo): void {
    this.#onClose?.(info);
  }

  #claim(): void {
    if (this.claimed) return;
    this.claimed = true;
    this.link.claimed();
  }
}
