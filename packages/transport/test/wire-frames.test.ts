/**
 * Wire frames: every kind round-trips (pids, refs, names and errors inside signals included), whole-frame
 * compression, and the errors of encoding.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, decode, encode, internPid, type Pid, Ref, type Signal } from "@maquis/core";
import { describe, expect, it } from "vitest";
import type { NodeSpec } from "../src/NodeSpec.js";
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
} from "../src/wire/index.js";

const limits = { maxPayload: DEFAULT_MAX_PAYLOAD };
const roundTrip = (frame: Frame, options?: Parameters<typeof encodeFrame>[1]): Frame =>
  decodeFrame(encodeFrame(frame, options), limits);

const pid = (node: string, id: number) => internPid(node, id, 0, 3);

/** The signals of a data frame (fails the test for any other kind). */
const signalsOf = (frame: Frame): readonly Signal[] => {
  if (frame.kind !== "data") throw new Error(`expected a data frame, got ${frame.kind}`);
  return frame.signals;
};
const ref = (node: string, id: number) => new Ref(node, 3, id);

const spec: NodeSpec = {
  name: "a@127.0.0.1:4370",
  addresses: ["ws://127.0.0.1:4370", "memory://a"],
  incarnation: 3,
  channels: {
    default: {},
    membership: { parallelism: 1 },
    bulk: { parallelism: 4, compression: { level: 9, threshold: 512 }, monotonic: false },
    state: { compression: true, monotonic: true },
  },
};

const nonce = Uint8Array.from({ length: 32 }, (_, i) => i);
const mac = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);

/** One signal of each kind, with pids, refs and names. */
const everySignal = (): Signal[] => {
  const a1 = pid("a", 1);
  const b2 = pid("b", 2);
  return [
    { kind: "send", to: b2, message: { hello: "world", from: a1, n: [1, 2n, 3.5] } },
    { kind: "send", to: { name: "store", node: "b" }, message: "by name" },
    { kind: "send", to: ref("a", 9), message: { reply: true } },
    { kind: "link", from: a1, to: b2 },
    { kind: "unlink", from: a1, to: b2 },
    { kind: "exit", from: a1, to: b2, reason: { badarg: [1, "x"] }, link: true },
    { kind: "exit", from: a1, to: b2, reason: "kill", link: false },
    { kind: "monitor", from: a1, to: b2, ref: ref("a", 10) },
    { kind: "monitor", from: a1, to: { name: "store", node: "b" }, ref: ref("a", 11) },
    { kind: "demonitor", from: a1, to: b2, ref: ref("a", 10) },
    { kind: "demonitor", from: a1, to: { name: "store", node: "b" }, ref: ref("a", 11) },
    { kind: "down", to: a1, ref: ref("a", 10), item: b2, reason: "noproc" },
    { kind: "down", to: a1, ref: ref("a", 11), item: { name: "store", node: "b" }, reason: { shutdown: 1 } },
  ];
};

describe("round-trips", () => {
  it("hello, challenge, auth and welcome", () => {
    const hello: Frame = { kind: "hello", version: WIRE_VERSION, name: "a", channel: "default", nonce };
    const challenge: Frame = { kind: "challenge", version: WIRE_VERSION, name: "b", nonce, mac };
    const auth: Frame = { kind: "auth", mac, spec, capabilities: ["batch", "x-trace"] };
    const welcome: Frame = { kind: "welcome", spec, capabilities: [] };
    for (const frame of [hello, challenge, auth, welcome]) expect(roundTrip(frame)).toEqual(frame);
  });

  it("ping, pong, gossip and bye", () => {
    const frames: Frame[] = [
      { kind: "ping", id: 0, timestamp: 1234.5 },
      { kind: "pong", id: 2 ** 40, timestamp: -1 },
      { kind: "gossip", payload: { members: [spec], tags: new Map([["x", new Set([1, 2])]]) } },
      { kind: "gossip", payload: null },
      { kind: "bye", reason: "node stopping" },
      { kind: "bye", reason: "" },
    ];
    for (const frame of frames) expect(roundTrip(frame)).toEqual(frame);
  });

  it("a data frame keeps every signal, in order, with pids, refs, names and errors", () => {
    const signals = everySignal();
    const out = signalsOf(roundTrip({ kind: "data", signals }));
    expect(out).toEqual(signals);
    // Pids come back as the interned pid objects; refs as equal refs.
    const send = out[0] as Extract<Signal, { kind: "send" }>;
    expect(send.to).toBe(pid("b", 2));
    expect((send.message as { from: Pid }).from).toBe(pid("a", 1));
    const monitor = out[7] as Extract<Signal, { kind: "monitor" }>;
    expect(monitor.ref).toBeInstanceOf(Ref);
    expect(monitor.ref.equals(ref("a", 10))).toBe(true);
  });

  it("an Error exit reason arrives as an Error with its name, message and stack", () => {
    const crash = new TypeError("boom");
    const signal: Signal = { kind: "exit", from: pid("a", 1), to: pid("b", 2), reason: crash, link: true };
    const out = signalsOf(roundTrip({ kind: "data", signals: [signal] }))[0];
    const reason = (out as Extract<Signal, { kind: "exit" }>).reason as Error;
    expect(reason).toBeInstanceOf(Error);
    expect(reason.name).toBe("TypeError");
    expect(reason.message).toBe("boom");
    expect(reason.stack).toBe(crash.stack);
  });

  it("an empty data frame", () => {
    expect(roundTrip({ kind: "data", signals: [] })).toEqual({ kind: "data", signals: [] });
  });

  it("a data frame of 10 000 signals keeps their order", () => {
    const to = pid("b", 1);
    const signals: Signal[] = Array.from({ length: 10_000 }, (_, i) => ({ kind: "send", to, message: i }));
    const out = signalsOf(roundTrip({ kind: "data", signals }));
    expect(out.map((s) => (s as { message: number }).message)).toEqual(signals.map((_, i) => i));
  });

  it("only a signal's own fields are sent: routing options and extra keys stay behind", () => {
    const to = { name: "store", node: "b", extra: "x" };
    const signal = { kind: "send", to, message: 1, channel: "bulk", partitionKey: 3, sneaky: 1 } as Signal;
    const bytes = encodeFrame({ kind: "data", signals: [signal] });
    expect(decode(bytes.subarray(1))).toEqual([FrameKind.data, [[SignalTag.send, ["store", "b"], 1]]]);
    const out = signalsOf(decodeFrame(bytes, limits))[0];
    expect(out).toEqual({ kind: "send", to: { name: "store", node: "b" }, message: 1 });
    expect(Object.keys(out!)).toEqual(["kind", "to", "message"]);
  });

  it("keys a node spec does not define are neither sent nor accepted", () => {
    const extended = { ...spec, secretSauce: 42 } as NodeSpec;
    const bytes = encodeFrame({ kind: "welcome", spec: extended, capabilities: [] });
    expect(decode(bytes.subarray(1))).toEqual([FrameKind.welcome, spec, []]);
    expect(decodeFrame(bytes, limits)).toEqual({ kind: "welcome", spec, capabilities: [] });
    const sneaked = new Uint8Array([0, ...encode([FrameKind.welcome, extended, []])]);
    expect(decodeFrame(sneaked, limits)).toEqual({ kind: "welcome", spec, capabilities: [] });
  });
});

describe("layout", () => {
  it("an uncompressed frame is the header byte 0 and the msgpack array [kind, ...fields]", () => {
    const bytes = encodeFrame({ kind: "ping", id: 7, timestamp: 1.5 });
    expect(bytes[0]).toBe(0);
    expect(decode(bytes.subarray(1))).toEqual([FrameKind.ping, 7, 1.5]);
  });

  it("the kind codes are those of the spec", () => {
    expect(FrameKind).toEqual({
      hello: 1,
      challenge: 2,
      auth: 3,
      welcome: 4,
      data: 16,
      ping: 17,
      pong: 18,
      gossip: 19,
      bye: 20,
    });
    expect(WIRE_VERSION).toBe(1);
  });

  it("hello and challenge carry the version second", () => {
    const hello = encodeFrame({ kind: "hello", version: WIRE_VERSION, name: "a", channel: "c", nonce });
    expect(decode(hello.subarray(1))).toEqual([FrameKind.hello, WIRE_VERSION, "a", "c", nonce]);
    const challenge = encodeFrame({ kind: "challenge", version: WIRE_VERSION, name: "b", nonce, mac });
    expect(decode(challenge.subarray(1))).toEqual([FrameKind.challenge, WIRE_VERSION, "b", nonce, mac]);
  });
});

describe("compression", () => {
  const big: Frame = {
    kind: "data",
    signals: Array.from({ length: 200 }, (_, i) => ({
      kind: "send" as const,
      to: pid("b", i),
      message: { text: "the same words again and again", i },
    })),
  };

  it("a body over the threshold is deflated, flagged, and round-trips", () => {
    const plain = encodeFrame(big);
    const compressed = encodeFrame(big, { compress: { level: 6, threshold: 1024 } });
    expect(plain[0]).toBe(0);
    expect(compressed[0]).toBe(FLAG_COMPRESSED);
    expect(compressed.length).toBeLessThan(plain.length / 3);
    // The declared size is the inflated body: the plain frame minus its header byte.
    const declared = new DataView(compressed.buffer, compressed.byteOffset).getUint32(1);
    expect(declared).toBe(plain.length - 1);
    expect(decodeFrame(compressed, limits)).toEqual(decodeFrame(plain, limits));
  });

  it("defaults: level 6, threshold 1024", () => {
    expect(encodeFrame(big, { compress: {} })).toEqual(
      encodeFrame(big, { compress: { level: 6, threshold: 1024 } }),
    );
    const small: Frame = { kind: "gossip", payload: "x".repeat(1000) };
    expect(encodeFrame(small, { compress: {} })[0]).toBe(0);
    const over: Frame = { kind: "gossip", payload: "x".repeat(1100) };
    expect(encodeFrame(over, { compress: {} })[0]).toBe(FLAG_COMPRESSED);
  });

  it("a body at or under the threshold is sent as is", () => {
    const frame: Frame = { kind: "gossip", payload: "y".repeat(500) };
    const bodyLength = encodeFrame(frame).length - 1;
    expect(encodeFrame(frame, { compress: { threshold: bodyLength } })[0]).toBe(0);
    expect(encodeFrame(frame, { compress: { threshold: bodyLength - 1 } })[0]).toBe(FLAG_COMPRESSED);
  });

  it("a body that does not shrink is sent as is", () => {
    let seed = 7;
    const noise = Uint8Array.from({ length: 4096 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    const frame: Frame = { kind: "gossip", payload: noise };
    const bytes = encodeFrame(frame, { compress: { threshold: 0 } });
    expect(bytes[0]).toBe(0);
    expect(decodeFrame(bytes, limits)).toEqual(frame);
  });

  it("every level from 1 to 9 round-trips; others are a ConfigError", () => {
    for (let level = 1; level <= 9; level++) {
      expect(roundTrip(big, { compress: { level, threshold: 0 } })).toEqual(roundTrip(big));
    }
    for (const level of [0, 10, 2.5, Number.NaN]) {
      expect(() => encodeFrame(big, { compress: { level } })).toThrow(ConfigError);
    }
    expect(() => encodeFrame(big, { compress: { threshold: -1 } })).toThrow(ConfigError);
  });

  it("pids and refs survive compression", () => {
    const signals = everySignal();
    const out = roundTrip({ kind: "data", signals }, { compress: { threshold: 0 } });
    expect(out).toEqual({ kind: "data", signals });
    expect(signalsOf(out)[3]).toEqual({ kind: "link", from: pid("a", 1), to: pid("b", 2) });
  });
});

describe("encoding errors", () => {
  it("a value msgpack cannot carry is a WireError unencodable", () => {
    const signal: Signal = { kind: "send", to: pid("b", 1), message: { f: () => 1 } };
    const error = catchError(() => encodeFrame({ kind: "data", signals: [signal] }));
    expect(error).toBeInstanceOf(WireError);
    expect(error).toMatchObject({ _tag: "WireError", code: "unencodable" });
  });

  it("an unknown frame kind is a WireError unencodable", () => {
    const error = catchError(() => encodeFrame({ kind: "nope" } as unknown as Frame));
    expect(error).toMatchObject({ code: "unencodable" });
  });

  it("a frame over the given maxPayload is a WireError too_large", () => {
    const frame: Frame = { kind: "gossip", payload: "z".repeat(200) };
    const size = encodeFrame(frame).length;
    expect(encodeFrame(frame, { maxPayload: size })).toHaveLength(size);
    expect(catchError(() => encodeFrame(frame, { maxPayload: size - 1 }))).toMatchObject({
      code: "too_large",
    });
  });
});

describe("portability", () => {
  it("the wire layer imports only core, effect, fflate and its own package", () => {
    const dir = fileURLToPath(new URL("../src/wire/", import.meta.url));
    const files = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(join(d, e.name)) : e.name.endsWith(".ts") ? [join(d, e.name)] : [],
      );
    const all = files(dir);
    expect(all.length).toBeGreaterThan(8);
    const imports = all.flatMap((file) =>
      [
        ...readFileSync(file, "utf8").matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s*["']([^"']+)["']/gm),
      ].map((m) => m[1]!),
    );
    const foreign = imports.filter(
      (s) => !s.startsWith(".") && !/^(@maquis\/core|effect\/\w+|fflate)$/.test(s),
    );
    expect(foreign).toEqual([]);
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}
