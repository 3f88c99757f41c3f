/**
 * Large frames travel as fragments: separate link-layer messages of at most {@link FRAGMENT_BYTES}
 * each, sent a few per event-loop turn. A node runs one event loop, so a 1 MiB frame written, read
 * and copied in one piece holds up every other connection's traffic for as long as that takes;
 * fragments let a small call on another channel through between them (channel-isolation in
 * `pnpm bench`). The peer reassembles them into the original frame before decoding it.
 *
 * A fragment is one header byte, `FLAG_FRAGMENT` with `FLAG_FIRST` and/or `FLAG_LAST`, then, on the
 * first fragment only, the whole frame's length (uint32, big-endian), then a piece of the frame's
 * bytes. The frame is a whole frame as `encodeFrame` makes it, header byte included.
 */
import { WireError } from "./WireError.js";

/** Header flag: this message is a fragment of a larger frame. */
export const FLAG_FRAGMENT = 0x02;
/** Header flag, with `FLAG_FRAGMENT`: the first fragment (its header holds the frame's length). */
export const FLAG_FIRST = 0x04;
/** Header flag, with `FLAG_FRAGMENT`: the last fragment. */
export const FLAG_LAST = 0x08;
/** Frame bytes per fragment: frames longer than this are sent in fragments. */
export const FRAGMENT_BYTES = 16 * 1024;

const FIRST_HEADER_BYTES = 5;

/**
 * The fragments of `frame` (each a fresh copy of its piece), or `[frame]` itself when it fits in one
 * fragment.
 */
export const fragmentFrame = (frame: Uint8Array, size = FRAGMENT_BYTES): Uint8Array[] => {
  if (frame.length <= size) return [frame];
  const fragments: Uint8Array[] = [];
  for (let offset = 0; offset < frame.length; offset += size) {
    const end = Math.min(offset + size, frame.length);
    const first = offset === 0;
    const headerBytes = first ? FIRST_HEADER_BYTES : 1;
    const fragment = new Uint8Array(headerBytes + end - offset);
    fragment[0] = FLAG_FRAGMENT | (first ? FLAG_FIRST : 0) | (end === frame.length ? FLAG_LAST : 0);
    if (first) {
      new DataView(fragment.buffer).setUint32(1, frame.length);
    }
    fragment.set(frame.subarray(offset, end), headerBytes);
    fragments.push(fragment);
  }
  return fragments;
};

/** True when `bytes` is a fragment rather than a whole frame. */
export const isFragment = (bytes: Uint8Array): boolean =>
  bytes.length > 0 && (bytes[0]! & FLAG_FRAGMENT) !== 0;

const malformed = (message: string): WireError => new WireError("malformed", message);

/**
 * Puts one connection's fragments back together. Fragments of one frame arrive in order and are not
 * interleaved with other frames (the sender writes them in a row on one connection). Throws
 * `WireError` for anything else: a fragment out of sequence, a length over `maxPayload`, or pieces
 * that do not add up to the announced length.
 */
export class Reassembler {
  private buffer: Uint8Array | null = null;
  private filled = 0;

  /** True while a frame is partly received. */
  get pending(): boolean {
    return this.buffer !== null;
  }

  /** Takes one fragment; returns the whole frame once its last fragment is in, else `undefined`. */
  accept(fragment: Uint8Array, maxPayload: number): Uint8Array | undefined {
    const flags = fragment[0]!;
    if ((flags & ~(FLAG_FRAGMENT | FLAG_FIRST | FLAG_LAST)) !== 0) {
      throw malformed(`unknown fragment flags 0x${flags.toString(16)}`);
    }
    let piece: Uint8Array;
    if ((flags & FLAG_FIRST) !== 0) {
      if (this.buffer !== null) throw malformed("a first fragment before the previous frame's last one");
      if (fragment.length < FIRST_HEADER_BYTES) throw malformed("first fragment is truncated");
      const length = new DataView(fragment.buffer, fragment.byteOffset, fragment.byteLength).getUint32(1);
      if (length > maxPayload) {
        throw new WireError(
          "too_large",
          `fragmented frame of ${length} bytes exceeds maxPayload ${maxPayload}`,
        );
      }
      if (length < 2) throw malformed(`fragmented frame of ${length} bytes is too short`);
      this.buffer = new Uint8Array(length);
      this.filled = 0;
      piece = fragment.subarray(FIRST_HEADER_BYTES);
    } else {
      if (this.buffer === null) throw malformed("a fragment without a first one");
      piece = fragment.subarray(1);
    }
    const buffer = this.buffer;
    if (this.filled + piece.length > buffer.length) {
      this.buffer = null;
      throw malformed("fragments exceed their frame's announced length");
    }
    buffer.set(piece, this.filled);
    this.filled += piece.length;
    if ((flags & FLAG_LAST) === 0) return undefined;
    this.buffer = null;
    if (this.filled !== buffer.length) throw malformed("fragments fall short of their frame's length");
    return buffer;
  }
}
