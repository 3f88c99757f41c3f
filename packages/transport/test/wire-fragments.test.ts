/**
 * Fragments: a frame over FRAGMENT_BYTES is cut into link-layer messages and put back together
 * exactly; anything out of sequence or over the limit is a WireError, and the reassembler never
 * returns a partial frame.
 */
import { describe, expect, it } from "vitest";
import {
  FLAG_FIRST,
  FLAG_FRAGMENT,
  FLAG_LAST,
  FRAGMENT_BYTES,
  fragmentFrame,
  isFragment,
  Reassembler,
} from "../src/wire/Fragments.js";
import { WireError } from "../src/wire/WireError.js";

/** `n` bytes of a repeating pattern, so misplaced pieces show. */
const frameOf = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);

const reassemble = (fragments: Uint8Array[], maxPayload = 1 << 24): Uint8Array[] => {
  const r = new Reassembler();
  const out: Uint8Array[] = [];
  for (const f of fragments) {
    const whole = r.accept(f, maxPayload);
    if (whole !== undefined) out.push(whole);
  }
  return out;
};

const refused = (fragments: Uint8Array[], maxPayload = 1 << 24): WireError => {
  try {
    reassemble(fragments, maxPayload);
  } catch (error) {
    expect(error).toBeInstanceOf(WireError);
    return error as WireError;
  }
  throw new Error("expected a WireError");
};

describe("fragmentFrame", () => {
  it("leaves a frame of at most FRAGMENT_BYTES whole", () => {
    const frame = frameOf(FRAGMENT_BYTES);
    expect(fragmentFrame(frame)).toEqual([frame]);
    expect(fragmentFrame(frame)[0]).toBe(frame);
  });

  it("cuts a larger frame into pieces: first (with the length), middles, last", () => {
    const frame = frameOf(2 * FRAGMENT_BYTES + 10);
    const fragments = fragmentFrame(frame);
    expect(fragments).toHaveLength(3);
    expect(fragments.map((f) => f[0])).toEqual([
      FLAG_FRAGMENT | FLAG_FIRST,
      FLAG_FRAGMENT,
      FLAG_FRAGMENT | FLAG_LAST,
    ]);
    expect(new DataView(fragments[0]!.buffer).getUint32(1)).toBe(frame.length);
    expect(fragments.map((f) => f.length)).toEqual([FRAGMENT_BYTES + 5, FRAGMENT_BYTES + 1, 11]);
    expect(fragments.every(isFragment)).toBe(true);
    expect(isFragment(frame.subarray(0, 1).fill(0))).toBe(false);
  });

  it("round-trips frames of every size around the fragment boundary", () => {
    for (const n of [FRAGMENT_BYTES + 1, 2 * FRAGMENT_BYTES, 2 * FRAGMENT_BYTES + 1, 1 << 20]) {
      const frame = frameOf(n);
      expect(reassemble(fragmentFrame(frame))).toEqual([frame]);
    }
  });

  it("a small custom size gives many fragments that still reassemble, twice in a row", () => {
    const a = frameOf(1000);
    const b = frameOf(777).reverse();
    const fragments = [...fragmentFrame(a, 64), ...fragmentFrame(b, 100)];
    expect(reassemble(fragments)).toEqual([a, b]);
  });
});

describe("Reassembler refuses", () => {
  const [first, middle, last] = fragmentFrame(frameOf(2 * FRAGMENT_BYTES + 10)) as [
    Uint8Array,
    Uint8Array,
    Uint8Array,
  ];

  it("a fragment without a first one", () => {
    expect(refused([middle]).code).toBe("malformed");
    expect(refused([last]).code).toBe("malformed");
  });

  it("a first fragment while another frame is unfinished", () => {
    expect(refused([first, middle, first]).code).toBe("malformed");
  });

  it("a frame announced over maxPayload, before buffering anything", () => {
    expect(refused([first], 2 * FRAGMENT_BYTES).code).toBe("too_large");
  });

  it("pieces that overrun or fall short of the announced length", () => {
    expect(refused([first, middle, middle, last]).code).toBe("malformed");
    expect(refused([first, last]).code).toBe("malformed");
  });

  it("a truncated first fragment, a tiny announced length, unknown flags", () => {
    expect(refused([first.subarray(0, 3)]).code).toBe("malformed");
    const tiny = first.slice(0, 8);
    new DataView(tiny.buffer).setUint32(1, 1);
    expect(refused([tiny]).code).toBe("malformed");
    const odd = middle.slice();
    odd[0] = FLAG_FRAGMENT | 0x40;
    expect(refused([first, odd]).code).toBe("malformed");
  });

  it("and is pending only between a first and a last fragment", () => {
    const r = new Reassembler();
    expect(r.pending).toBe(false);
    r.accept(first, 1 << 24);
    expect(r.pending).toBe(true);
    r.accept(middle, 1 << 24);
    expect(r.accept(last, 1 << 24)).toBeDefined();
    expect(r.pending).toBe(false);
  });
});
