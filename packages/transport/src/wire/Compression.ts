/**
 * Whole-frame compression: raw DEFLATE (RFC 1951) with fflate's one-shot functions, and an inflate
 * whose output can never exceed the size the frame declares, so a small frame cannot expand into a
 * large allocation (a "deflate bomb").
 */
import { deflateSync, inflateSync } from "fflate";
import { WireError } from "./WireError.js";

/** How a channel compresses its frames (the resolved form of `ChannelOptions.compression`). */
export interface CompressionOptions {
  /** DEFLATE level, 1 (fastest) to 9 (smallest). Default 6. */
  readonly level?: number;
  /** Only bodies longer than this many bytes are compressed. Default 1024. */
  readonly threshold?: number;
}

/** The DEFLATE level used when none is given. */
export const DEFAULT_COMPRESSION_LEVEL = 6;
/** The body size above which frames are compressed when no threshold is given. */
export const DEFAULT_COMPRESSION_THRESHOLD = 1024;

type DeflateLevel = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;

/** Raw DEFLATE of `body` at `level` (1–9). */
export const deflate = (body: Uint8Array, level: number): Uint8Array =>
  deflateSync(body, { level: level as DeflateLevel });

/**
 * Inflates raw DEFLATE `data` that must expand to exactly `size` bytes. The output buffer is
 * allocated once at `size + 1` bytes and never grows; anything the stream would write beyond it is
 * discarded. Throws `WireError`: `too_large` when the stream expands beyond `size`, `malformed` when
 * it is not valid DEFLATE data or expands to less.
 */
export const inflateExactly = (data: Uint8Array, size: number): Uint8Array => {
  if (data.length === 0) throw new WireError("malformed", "compressed frame has an empty body");
  const out = new Uint8Array(size + 1);
  let inflated: Uint8Array;
  try {
    inflated = inflateSync(data, { out });
  } catch (cause) {
    // fflate copies a stored block with `set`, which throws RangeError when the block overruns `out`.
    if (cause instanceof RangeError) throw beyond(size, cause);
    throw new WireError(
      "malformed",
      `compressed body is not valid DEFLATE data: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  if (inflated.length > size) throw beyond(size);
  if (inflated.length < size) {
    throw new WireError(
      "malformed",
      `compressed body inflates to ${inflated.length} bytes, not the ${size} it declares`,
    );
  }
  return inflated;
};

const beyond = (size: number, cause?: unknown): WireError =>
  new WireError("too_large", `compressed body inflates beyond its declared ${size} bytes`, { cause });
