/**
 * Decoding what a peer sends: everything malformed, oversized or of another version is refused with a
 * `WireError` and nothing else, including under a seeded fuzz loop and deflate bombs. Over 400 lines
 * because the table of malformed frames and the fuzz loop cover the one decoder.
 */
import { ConfigError, encode, internPid, Ref } from "@maquis/core";
import { deflateSync } from "fflate";
import { describe, expect, it } from "vitest";
import { inflateExactly } from "../src/wire/Compression.js";
import {
  DEFAULT_MAX_PAYLOAD,
  decodeFrame,
  encodeFrame,
  FLAG_COMPRESSED,
  type Frame,
  FrameKind,
  SignalTag,
  WIRE_VERSION,
  WireError,
  type WireErrorCode,
} from "../src/wire/index.js";

const limits = { maxPayload: DEFAULT_MAX_PAYLOAD };

/** An uncompressed frame holding `wire` as its msgpack body. */
const raw = (wire: unknown): Uint8Array => {
  const body = encode(wire);
  const bytes = new Uint8Array(body.length + 1);
  bytes.set(body, 1);
  return bytes;
};

/** A compressed frame whose header declares `declared` bytes (the true size by default). */
const compressed = (body: Uint8Array, declared = body.length, level = 6): Uint8Array => {
  const deflated = deflateSync(body, { level: level as 6 });
  const bytes = new Uint8Array(5 + deflated.length);
  bytes[0] = FLAG_COMPRESSED;
  new DataView(bytes.buffer).setUint32(1, declared);
  bytes.set(deflated, 5);
  return bytes;
};

/** The WireError `decodeFrame` throws for `bytes`; fails the test if it returns or throws anything else. */
const refusal = (bytes: unknown, options: Parameters<typeof decodeFrame>[1] = limits): WireError => {
  let frame: Frame;
  try {
    frame = decodeFrame(bytes as Uint8Array, options);
  } catch (error) {
    if (error instanceof WireError) return error;
    throw new Error(`decodeFrame threw a non-WireError: ${error}`, { cause: error });
  }
  throw new Error(`decodeFrame accepted ${JSON.stringify(frame)}`);
};

const expectRefused = (bytes: unknown, code: WireErrorCode, options?: Parameters<typeof decodeFrame>[1]) => {
  const error = refusal(bytes, options);
  expect(error._tag).toBe("WireError");
  expect(error.code, error.message).toBe(code);
  return error;
};

const pid = internPid("a", 1, 0, 1);
const ref = new Ref("a", 1, 5);
const nonce = new Uint8Array(32).fill(1);
const mac = new Uint8Array(32).fill(2);
const spec = { name: "a", addresses: ["memory://a"], incarnation: 1, channels: { default: {} } };

describe("the frame header", () => {
  it("refuses empty, one-byte and non-Uint8Array input", () => {
    expectRefused(new Uint8Array(0), "malformed");
    expectRefused(new Uint8Array([0]), "malformed");
    expectRefused("hello", "malformed");
    expectRefused(new ArrayBuffer(4), "malformed");
    expectRefused(null, "malformed");
    expectRefused([0, 0x92, 17, 1], "malformed");
  });

  it("refuses unknown header flags", () => {
    const bytes = encodeFrame({ kind: "ping", id: 1, timestamp: 1 });
    for (const flags of [0x02, 0x80, 0x03, 0xff]) {
      const altered = bytes.slice();
      altered[0] = flags;
      expect(expectRefused(altered, "malformed").message).toContain("flags");
    }
  });

  it("refuses a body that is not exactly one msgpack value", () => {
    expectRefused(new Uint8Array([0, 0xc1]), "malformed");
    expectRefused(new Uint8Array([0, 0x92, 17]), "malformed"); // truncated
    const bytes = encodeFrame({ kind: "ping", id: 1, timestamp: 1 });
    const trailing = new Uint8Array(bytes.length + 1);
    trailing.set(bytes);
    expectRefused(trailing, "malformed");
  });

  it("refuses a body that is not a non-empty array with a known kind", () => {
    for (const wire of [
      17,
      "ping",
      { kind: 17 },
      [],
      [99],
      [0],
      [-1],
      ["ping", 1, 2],
      [null],
      [17.5, 1, 2],
    ]) {
      expectRefused(raw(wire), "malformed");
    }
  });

  it("refuses a hostile Uint8Array whose methods throw", () => {
    class Hostile extends Uint8Array {
      override subarray(): Uint8Array<ArrayBuffer> {
        throw new TypeError("hostile");
      }
    }
    const bytes = new Hostile(encodeFrame({ kind: "ping", id: 1, timestamp: 1 }));
    expect(expectRefused(bytes, "malformed").cause).toBeInstanceOf(TypeError);
  });

  it("survives deep nesting", () => {
    const depth = 100_000;
    const bytes = new Uint8Array(depth + 3);
    bytes[1] = 0x92;
    bytes[2] = FrameKind.gossip;
    bytes.fill(0x91, 3, depth + 2);
    bytes[depth + 2] = 0x01;
    const outcome = (() => {
      try {
        return decodeFrame(bytes, limits);
      } catch (error) {
        return error;
      }
    })();
    // Either a (deep) gossip payload or a WireError; never a RangeError.
    if (outcome instanceof Error) expect(outcome).toBeInstanceOf(WireError);
    else expect((outcome as Frame).kind).toBe("gossip");
  });
});

describe("field validation", () => {
  const cases: [string, unknown][] = [
    ["hello without nonce", [FrameKind.hello, WIRE_VERSION, "a", "default"]],
    ["hello with extra field", [FrameKind.hello, WIRE_VERSION, "a", "default", nonce, 1]],
    ["hello with a short nonce", [FrameKind.hello, WIRE_VERSION, "a", "default", new Uint8Array(31)]],
    ["hello with a long nonce", [FrameKind.hello, WIRE_VERSION, "a", "default", new Uint8Array(33)]],
    ["hello with a string nonce", [FrameKind.hello, WIRE_VERSION, "a", "default", "x".repeat(32)]],
    ["hello with an empty name", [FrameKind.hello, WIRE_VERSION, "", "default", nonce]],
    ["hello with a 256-char name", [FrameKind.hello, WIRE_VERSION, "n".repeat(256), "default", nonce]],
    ["hello with a numeric channel", [FrameKind.hello, WIRE_VERSION, "a", 7, nonce]],
    ["hello with a string version", [FrameKind.hello, "1", "a", "default", nonce]],
    ["hello with a fractional version", [FrameKind.hello, 1.5, "a", "default", nonce]],
    ["challenge with a short mac", [FrameKind.challenge, WIRE_VERSION, "b", nonce, new Uint8Array(16)]],
    ["challenge without mac", [FrameKind.challenge, WIRE_VERSION, "b", nonce]],
    ["auth with a spec that is not an object", [FrameKind.auth, mac, "a", []]],
    ["auth with a spec missing its name", [FrameKind.auth, mac, { ...spec, name: undefined }, []]],
    ["auth with a negative incarnation", [FrameKind.auth, mac, { ...spec, incarnation: -1 }, []]],
    ["auth with a fractional incarnation", [FrameKind.auth, mac, { ...spec, incarnation: 1.5 }, []]],
    ["auth with addresses not a list", [FrameKind.auth, mac, { ...spec, addresses: "memory://a" }, []]],
    ["auth with 17 addresses", [FrameKind.auth, mac, { ...spec, addresses: Array(17).fill("x") }, []]],
    ["auth with channels as a Map", [FrameKind.auth, mac, { ...spec, channels: new Map([["d", {}]]) }, []]],
    ["auth with a spec as a Map", [FrameKind.auth, mac, new Map(Object.entries(spec)), []]],
    [
      "auth with bad parallelism",
      [FrameKind.auth, mac, { ...spec, channels: { d: { parallelism: 0 } } }, []],
    ],
    [
      "auth with bad compression",
      [FrameKind.auth, mac, { ...spec, channels: { d: { compression: 5 } } }, []],
    ],
    [
      "auth with a bad compression level",
      [FrameKind.auth, mac, { ...spec, channels: { d: { compression: { level: 12 } } } }, []],
    ],
    [
      "auth with 65 channels",
      [
        FrameKind.auth,
        mac,
        { ...spec, channels: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`c${i}`, {}])) },
        [],
      ],
    ],
    ["auth with capabilities not a list", [FrameKind.auth, mac, spec, "batch"]],
    ["auth with a numeric capability", [FrameKind.auth, mac, spec, [1]]],
    ["auth with 65 capabilities", [FrameKind.auth, mac, spec, Array(65).fill("c")]],
    ["welcome without capabilities", [FrameKind.welcome, spec]],
    ["data without signals", [FrameKind.data]],
    ["data with signals not a list", [FrameKind.data, { kind: "send" }]],
    ["data with a trailing field", [FrameKind.data, [], "extra"]],
    ["ping with a negative id", [FrameKind.ping, -1, 0]],
    ["ping with a fractional id", [FrameKind.ping, 1.5, 0]],
    ["ping with a NaN timestamp", [FrameKind.ping, 1, Number.NaN]],
    ["pong with an infinite timestamp", [FrameKind.pong, 1, Number.POSITIVE_INFINITY]],
    ["pong without timestamp", [FrameKind.pong, 1]],
    ["gossip without payload", [FrameKind.gossip]],
    ["gossip with two payloads", [FrameKind.gossip, 1, 2]],
    ["bye with a numeric reason", [FrameKind.bye, 5]],
    ["bye with a 1025-char reason", [FrameKind.bye, "r".repeat(1025)]],
  ];
  for (const [name, wire] of cases) {
    it(`refuses ${name}`, () => {
      expectRefused(raw(wire), "malformed");
    });
  }

  it("accepts the valid counterparts", () => {
    const valid: unknown[] = [
      [FrameKind.hello, WIRE_VERSION, "a", "default", nonce],
      [FrameKind.challenge, WIRE_VERSION, "b", nonce, mac],
      [FrameKind.auth, mac, spec, ["batch"]],
      [FrameKind.welcome, spec, []],
      [FrameKind.data, []],
      [FrameKind.ping, 0, 0],
      [FrameKind.pong, 1, -5.5],
      [FrameKind.gossip, undefined],
      [FrameKind.bye, ""],
    ];
    for (const wire of valid) expect(() => decodeFrame(raw(wire), limits)).not.toThrow();
  });
});

describe("signal validation", () => {
  const name = ["srv", "a"];
  const { send, link, unlink, exit, monitor, demonitor, down } = SignalTag;
  const bad: [string, unknown][] = [
    ["a number", 5],
    ["null", null],
    ["a record", { kind: "send", to: pid, message: 1 }],
    ["an empty array", []],
    ["an unknown tag", [7, pid]],
    ["a negative tag", [-1, pid, 1]],
    ["a fractional tag", [0.5, pid, 1]],
    ["a string tag", ["send", pid, 1]],
    ["a send to a string", [send, "srv", 1]],
    ["a send to a half name", [send, ["srv"], 1]],
    ["a send to a name with a numeric node", [send, ["srv", 1], 1]],
    ["a send to a record name", [send, { name: "srv", node: "a" }, 1]],
    ["a send without message", [send, pid]],
    ["a send of undefined", [send, pid, undefined]],
    ["a send with a trailing field", [send, pid, 1, "extra"]],
    ["a link from a pid-shaped object", [link, { node: "a", id: 1, serial: 0, creation: 1 }, pid]],
    ["a link without to", [link, pid]],
    ["an unlink to a ref", [unlink, pid, ref]],
    ["an exit with a string link", [exit, pid, pid, "x", "true"]],
    ["an exit without link", [exit, pid, pid, "x"]],
    ["a monitor without ref", [monitor, pid, pid]],
    ["a monitor of a ref", [monitor, pid, ref, ref]],
    ["a monitor with a pid as ref", [monitor, pid, pid, pid]],
    ["a demonitor from a name", [demonitor, name, pid, ref]],
    ["a down to a name", [down, name, ref, pid, "x"]],
    ["a down with a numeric item", [down, pid, ref, 3, "x"]],
  ];
  for (const [what, signal] of bad) {
    it(`refuses ${what}`, () => {
      const good = [send, pid, "ok"];
      const error = expectRefused(raw([FrameKind.data, [good, signal]]), "malformed");
      expect(error.message).toContain("index 1");
    });
  }

  it("accepts every kind in its wire form, names as [name, node] pairs", () => {
    const signals = [
      [send, pid, "m"],
      [send, name, "m"],
      [send, ref, "m"],
      [link, pid, pid],
      [unlink, pid, pid],
      [exit, pid, pid, "r", true],
      [monitor, pid, name, ref],
      [demonitor, pid, pid, ref],
      [down, pid, ref, name, "r"],
    ];
    const frame = decodeFrame(raw([FrameKind.data, signals]), limits);
    expect(frame).toEqual({
      kind: "data",
      signals: [
        { kind: "send", to: pid, message: "m" },
        { kind: "send", to: { name: "srv", node: "a" }, message: "m" },
        { kind: "send", to: ref, message: "m" },
        { kind: "link", from: pid, to: pid },
        { kind: "unlink", from: pid, to: pid },
        { kind: "exit", from: pid, to: pid, reason: "r", link: true },
        { kind: "monitor", from: pid, to: { name: "srv", node: "a" }, ref },
        { kind: "demonitor", from: pid, to: pid, ref },
        { kind: "down", to: pid, ref, item: { name: "srv", node: "a" }, reason: "r" },
      ],
    });
  });
});

describe("versions", () => {
  it("a hello or challenge of another version is refused as version, whatever else it holds", () => {
    for (const version of [0, 2, 255, 70000]) {
      expectRefused(raw([FrameKind.hello, version, "a", "default", nonce]), "version");
      expectRefused(raw([FrameKind.challenge, version, "b", nonce, mac]), "version");
      expectRefused(raw([FrameKind.hello, version, { a: "future layout" }]), "version");
    }
  });

  it("the message names both versions", () => {
    const error = expectRefused(raw([FrameKind.hello, 2, "a", "default", nonce]), "version");
    expect(error.message).toContain("2");
    expect(error.message).toContain(String(WIRE_VERSION));
  });
});

describe("maxPayload", () => {
  const frame: Frame = { kind: "gossip", payload: "p".repeat(1000) };
  const bytes = encodeFrame(frame);

  it("applies to the frame as received", () => {
    expect(decodeFrame(bytes, { maxPayload: bytes.length })).toEqual(frame);
    expectRefused(bytes, "too_large", { maxPayload: bytes.length - 1 });
  });

  it("applies to the inflated body of a compressed frame", () => {
    const body = encode([FrameKind.gossip, "q".repeat(100_000)]);
    const small = compressed(body);
    expect(small.length).toBeLessThan(1000);
    expect(decodeFrame(small, { maxPayload: body.length })).toEqual({
      kind: "gossip",
      payload: "q".repeat(100_000),
    });
    expectRefused(small, "too_large", { maxPayload: body.length - 1 });
  });

  it("a deflate bomb that declares its size is refused before inflating", () => {
    const body = new Uint8Array(64 * 1024 * 1024); // 64 MiB of zeros: ~64 KiB deflated
    const bomb = compressed(body);
    expect(bomb.length).toBeLessThan(100 * 1024);
    const error = expectRefused(bomb, "too_large", { maxPayload: 1024 * 1024 });
    expect(error.message).toContain("declares");
  });

  it("a deflate bomb that lies about its size is cut off at the declared size", () => {
    const body = new Uint8Array(16 * 1024 * 1024);
    for (const declared of [1, 100, 1024 * 1024]) {
      const error = expectRefused(compressed(body, declared), "too_large", { maxPayload: 1024 * 1024 });
      expect(error.message).toContain("beyond");
    }
    // Stored (level 0) blocks take another path through the inflater.
    const stored = new Uint8Array(200_000).fill(7);
    expectRefused(compressed(stored, 1000, 0), "too_large");
  });

  it("inflating allocates the declared size plus one byte, never more", () => {
    const body = encode([FrameKind.gossip, "t".repeat(50_000)]);
    const inflated = inflateExactly(deflateSync(body), body.length);
    expect(inflated).toEqual(new Uint8Array(body));
    expect(inflated.buffer.byteLength).toBe(body.length + 1);
    expect(() => inflateExactly(deflateSync(new Uint8Array(1 << 20)), 1000)).toThrow(/beyond/);
  });

  it("a compressed body shorter than declared, truncated or not DEFLATE is malformed", () => {
    const body = encode([FrameKind.gossip, "r".repeat(5000)]);
    expectRefused(compressed(body, body.length + 1), "malformed");
    const whole = compressed(body);
    expectRefused(whole.subarray(0, whole.length - 4), "malformed");
    expectRefused(Uint8Array.from([FLAG_COMPRESSED, 0, 0, 0, 10, 0xff, 0xff, 0xff]), "malformed");
    expectRefused(Uint8Array.from([FLAG_COMPRESSED, 0, 0, 0, 10]), "malformed");
    expectRefused(Uint8Array.from([FLAG_COMPRESSED, 0, 0]), "malformed");
    expectRefused(compressed(new Uint8Array(0), 0), "malformed");
  });

  it("a compressed frame where compression is not allowed is malformed", () => {
    const body = encode([FrameKind.gossip, "s".repeat(5000)]);
    expect(
      expectRefused(compressed(body), "malformed", { ...limits, allowCompressed: false }).message,
    ).toContain("compress");
  });

  it("an invalid maxPayload is the caller's ConfigError", () => {
    for (const maxPayload of [Number.NaN, -1, 0, 1, "big"]) {
      expect(() => decodeFrame(bytes, { maxPayload: maxPayload as number })).toThrow(ConfigError);
    }
  });
});

/** mulberry32: a small seeded generator, so the fuzz loop is the same on every run. */
const generator = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

describe("fuzz (seeded)", () => {
  const random = generator(0x5eed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;

  const anyValue = (depth: number): unknown => {
    const leaves = [
      () => int(1000) - 500,
      () => random(),
      () => "x".repeat(int(40)),
      () => null,
      () => undefined,
      () => int(2) === 0,
      () => new Uint8Array(int(40)),
      () => pid,
      () => ref,
      () => pick(["send", "link", "unlink", "exit", "monitor", "demonitor", "down", "bogus"]),
      () => 2 ** 53 + int(10),
    ];
    if (depth <= 0 || int(3) === 0) return pick(leaves)();
    if (int(2) === 0) return Array.from({ length: int(6) }, () => anyValue(depth - 1));
    const keys = ["kind", "to", "from", "message", "ref", "item", "reason", "link", "name", "node"];
    return Object.fromEntries(Array.from({ length: int(6) }, () => [pick(keys), anyValue(depth - 1)]));
  };

  const validFrames: Frame[] = [
    { kind: "hello", version: WIRE_VERSION, name: "a", channel: "default", nonce },
    { kind: "challenge", version: WIRE_VERSION, name: "b", nonce, mac },
    { kind: "auth", mac, spec, capabilities: ["x"] },
    { kind: "welcome", spec, capabilities: [] },
    {
      kind: "data",
      signals: [
        { kind: "send", to: pid, message: { a: [1, 2, 3] } },
        { kind: "monitor", from: pid, to: { name: "n", node: "b" }, ref },
        { kind: "exit", from: pid, to: pid, reason: "normal", link: true },
      ],
    },
    { kind: "ping", id: 3, timestamp: 4 },
    { kind: "gossip", payload: { members: ["a", "b"] } },
    { kind: "bye", reason: "done" },
  ];

  const mutate = (bytes: Uint8Array): Uint8Array => {
    const out = bytes.slice();
    switch (int(5)) {
      case 0: // flip bits
        for (let i = 0, n = 1 + int(4); i < n; i++) out[int(out.length)]! ^= 1 << int(8);
        return out;
      case 1: // truncate
        return out.subarray(0, int(out.length));
      case 2: {
        // insert random bytes
        const at = int(out.length);
        const extra = Uint8Array.from({ length: 1 + int(8) }, () => int(256));
        const grown = new Uint8Array(out.length + extra.length);
        grown.set(out.subarray(0, at));
        grown.set(extra, at);
        grown.set(out.subarray(at), at + extra.length);
        return grown;
      }
      case 3: // overwrite a byte with a msgpack length prefix claiming a huge size
        out[int(out.length)] = pick([0xdc, 0xdd, 0xde, 0xdf, 0xc6, 0xdb, 0xc9]);
        return out;
      default: // random bytes, kept short
        return Uint8Array.from({ length: int(64) }, () => int(256));
    }
  };

  const outcome = (bytes: Uint8Array, allowCompressed: boolean): "accepted" | WireErrorCode => {
    try {
      decodeFrame(bytes, { maxPayload: 1 << 16, allowCompressed });
      return "accepted";
    } catch (error) {
      if (!(error instanceof WireError))
        throw new Error(`non-WireError for ${bytes}: ${error}`, { cause: error });
      return error.code;
    }
  };

  it("random bytes, mutated frames and random structures decode or throw WireError, never anything else", () => {
    const counts = new Map<string, number>();
    const count = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
    for (let i = 0; i < 3000; i++) {
      const frame = pick(validFrames);
      const compress = int(2) === 0 ? { threshold: 0 } : undefined;
      count(outcome(mutate(encodeFrame(frame, { compress })), true));
      const fields = Array.from({ length: int(6) }, () => anyValue(2));
      count(outcome(raw([pick([1, 2, 3, 4, 16, 17, 18, 19, 20]), ...fields]), int(2) === 0));
      count(outcome(raw([FrameKind.data, Array.from({ length: int(4) }, () => anyValue(3))]), true));
    }
    // The loop reached both outcomes and several refusal codes.
    expect(counts.get("accepted")).toBeGreaterThan(100);
    expect(counts.get("malformed")).toBeGreaterThan(1000);
    expect(counts.get("version")).toBeGreaterThan(0);
  });
});
