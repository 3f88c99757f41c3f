/**
 * The wire codec: round-trips, pid identity and interning, the errors for what it cannot carry, and
 * registered wire classes. Over 400 lines because all of it exercises the one codec.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import {
  BadArgError,
  DecodeError,
  decode,
  EncodeError,
  encode,
  ExtensionType,
  internPid,
  Node,
  Pid,
  Ref,
  registerWireClass,
  VirtualClock,
} from "../src/index.js";

const started: Node[] = [];

const startNode = (name = `codec${started.length}`): Node => {
  const node = Node.start({ name, clock: new VirtualClock() });
  started.push(node);
  return node;
};

afterEach(async () => {
  for (const node of started.splice(0)) await node.stop();
});

const roundTrip = <T>(value: T): T => decode(encode(value)) as T;

const hex = (text: string): Uint8Array =>
  Uint8Array.from(text.match(/../g) ?? [], (b) => Number.parseInt(b, 16));

/** msgpack `ext 8` carrying `payload` as raw bytes: how pids and refs travel. */
const rawExt = (type: number, payload: readonly number[]): Uint8Array =>
  Uint8Array.from([0xc7, payload.length, type, ...payload]);

const utf8 = (text: string): number[] => [...new TextEncoder().encode(text)];

const thrownBy = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
};

/** msgpack for `fixext 1 <type> 0` followed by `payload`: how the codec frames its Error extension. */
const ext = (type: number, payload: unknown): Uint8Array => {
  const body = encode(payload);
  const out = new Uint8Array(3 + body.length);
  out.set([0xd4, type, 0]);
  out.set(body, 3);
  return out;
};

describe("round-trips", () => {
  it("JSON-like values, undefined, and nested containers", () => {
    const value = {
      n: 42,
      neg: -7,
      big32: 4_294_967_296,
      float: 3.25,
      nan: Number.NaN,
      inf: Number.NEGATIVE_INFINITY,
      s: "héllo, 世界 🌍",
      empty: "",
      t: true,
      f: false,
      nil: null,
      undef: undefined,
      list: [1, [2, [3, [undefined, null]]], { deep: { deeper: ["x"] } }],
      emptyList: [],
      emptyObject: {},
    };
    expect(roundTrip(value)).toEqual(value);
    expect(Object.hasOwn(roundTrip(value), "undef")).toBe(true);
    expect(roundTrip(undefined)).toBeUndefined();
    expect(roundTrip([undefined])).toEqual([undefined]);
  });

  it("bigints, small and huge, stay bigints", () => {
    const values = [
      0n,
      5n,
      -1n,
      2n ** 53n,
      2n ** 63n - 1n,
      -(2n ** 63n),
      2n ** 63n,
      2n ** 64n - 1n,
      2n ** 64n,
      -(2n ** 64n),
      10n ** 40n,
      -(10n ** 40n),
      3n ** 500n,
    ];
    for (const big of values) {
      const back = roundTrip(big);
      expect(typeof back).toBe("bigint");
      expect(back).toBe(big);
    }
    expect(roundTrip({ id: 1n, n: 1 })).toEqual({ id: 1n, n: 1 });
  });

  it("Uint8Array, typed arrays, Map, Set, Date and RegExp", () => {
    const value = {
      bytes: new Uint8Array([0, 1, 254, 255]),
      noBytes: new Uint8Array(0),
      floats: new Float64Array([1.5, -2]),
      ints: new Int32Array([-1, 2 ** 30]),
      map: new Map<unknown, unknown>([
        ["a", 1],
        [2, { b: [3] }],
      ]),
      set: new Set([1, "two", 3n]),
      date: new Date(Date.UTC(2024, 1, 29, 12, 0, 0, 123)),
      re: /a+b/gi,
    };
    const back = roundTrip(value);
    expect(back).toEqual(value);
    expect(back.bytes).toBeInstanceOf(Uint8Array);
    expect(back.map).toBeInstanceOf(Map);
    expect(back.set).toBeInstanceOf(Set);
    expect(back.date).toBeInstanceOf(Date);
    expect(back.date.getTime()).toBe(value.date.getTime());
    expect(back.re.source).toBe("a+b");
    expect(back.re.flags).toBe("gi");
  });

  it("Errors keep name, message, stack, cause and own fields", () => {
    const node = startNode();
    const pid = node.inbox().pid;
    const inner = new TypeError("inner");
    const error = Object.assign(new Error("outer", { cause: inner }), {
      code: "E_OUTER",
      details: { pid, attempts: 3n },
    });
    const back = roundTrip({ error }).error as Error & {
      code: string;
      details: { pid: Pid; attempts: bigint };
    };
    expect(back).toBeInstanceOf(Error);
    expect(back.name).toBe("Error");
    expect(back.message).toBe("outer");
    expect(back.stack).toBe(error.stack);
    expect(back.code).toBe("E_OUTER");
    expect(back.details.pid).toBe(pid);
    expect(back.details.attempts).toBe(3n);
    const cause = back.cause as Error;
    expect(cause).toBeInstanceOf(Error);
    expect(cause.name).toBe("TypeError");
    expect(cause.message).toBe("inner");
    expect(cause.stack).toBe(inner.stack);
  });

  it("an Error subclass comes back as an Error with the subclass's name and fields", () => {
    const back = roundTrip(new BadArgError("nope")) as Error;
    expect(back).toBeInstanceOf(Error);
    expect(back.name).toBe("BadArgError");
    expect(back.message).toBe("nope");
    const withCause = roundTrip(new Error("with a plain cause", { cause: { code: 7 } })) as Error;
    expect(withCause.cause).toEqual({ code: 7 });
    expect(Object.hasOwn(roundTrip(new Error("no cause")) as Error, "cause")).toBe(false);
  });

  it("pids and refs nested anywhere", () => {
    const remote = new Pid("far@away", 12, 3, 99);
    const ref = new Ref("far@away", 99, 1234567);
    const value = { who: [remote, { ref }], map: new Map([[ref.key, remote]]), set: new Set([ref]) };
    const back = roundTrip(value);
    expect(back.who[0]).toBeInstanceOf(Pid);
    expect((back.who[0] as Pid).equals(remote)).toBe(true);
    const backRef = (back.who[1] as { ref: Ref }).ref;
    expect(backRef).toBeInstanceOf(Ref);
    expect(backRef.equals(ref)).toBe(true);
    expect(backRef.key).toBe(ref.key);
    expect(back.map.get(ref.key)?.equals(remote)).toBe(true);
    expect([...back.set][0]?.equals(ref)).toBe(true);
  });

  it("plain values generated at random round-trip", () => {
    const key = fc.string({ maxLength: 6 }).filter((k) => k !== "__proto__");
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.integer(),
        fc.double({ noNaN: true }).filter((d) => !Object.is(d, -0)),
        fc.string(),
        fc.boolean(),
        fc.constant(null),
        fc.constant(undefined),
        fc.bigInt({ min: -(2n ** 100n), max: 2n ** 100n }),
        fc.uint8Array({ maxLength: 8 }),
        fc.date({ noInvalidDate: true }),
        fc.array(tie("value"), { maxLength: 4 }),
        fc.dictionary(key, tie("value"), { maxKeys: 4 }),
        fc
          .array(fc.tuple(fc.string({ maxLength: 4 }), tie("value")), { maxLength: 3 })
          .map((e) => new Map(e)),
        fc.uniqueArray(fc.integer(), { maxLength: 4 }).map((e) => new Set(e)),
      ),
    }));
    fc.assert(
      fc.property(value, (v) => {
        expect(roundTrip(v)).toEqual(v);
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});

describe("pid identity", () => {
  it("a decoded live local pid is the process's own pid object", async () => {
    const node = startNode();
    const inbox = node.inbox();
    const worker = node.spawn(async (self) => {
      await self.receive();
    });
    const back = roundTrip({ a: inbox.pid, b: [worker] });
    expect(back.a).toBe(inbox.pid);
    expect(back.b[0]).toBe(worker);
    node.send(worker, "go");
    await node.idle();
    // Dead now: an equal pid, no longer the process's own object (the process is gone).
    const dead = roundTrip(worker);
    expect(dead.equals(worker)).toBe(true);
    expect(node.isAlive(dead)).toBe(false);
  });

  it("remote pids are interned: decoding twice gives one object", () => {
    const bytes = encode(new Pid("other@host", 7, 0, 1234));
    const first = decode(bytes) as Pid;
    const second = decode(bytes) as Pid;
    expect(second).toBe(first);
    expect(internPid("other@host", 7, 0, 1234)).toBe(first);
    expect(first.toString()).toBe("<other@host.7.0>");
    // Any field differing is another pid.
    expect(decode(encode(new Pid("other@host", 7, 0, 1235)))).not.toBe(first);
    expect(decode(encode(new Pid("other@host", 7, 1, 1234)))).not.toBe(first);
  });

  it("remote pids with large numbers and non-ASCII names are interned too, across frames", () => {
    const a = new Pid("ñ@höst", 2 ** 31 - 1, 2 ** 40, 2 ** 32 - 1);
    const b = new Pid("節點@主機", 2, 0, 2 ** 53 - 1);
    const first = decode(encode([a, b, new Ref(a.node, a.creation, 9)])) as [Pid, Pid, Ref];
    const second = decode(encode({ to: b, from: a })) as { to: Pid; from: Pid };
    expect(first[0].equals(a)).toBe(true);
    expect(first[1].equals(b)).toBe(true);
    expect(second.from).toBe(first[0]);
    expect(second.to).toBe(first[1]);
    expect(internPid(a.node, a.id, a.serial, a.creation)).toBe(first[0]);
  });

  it("interning holds for more pids than the recently-decoded cache keeps", () => {
    const decoded = Array.from({ length: 2000 }, (_, i) => roundTrip(new Pid("many@host", i, 0, 77)));
    for (let i = 0; i < decoded.length; i++) {
      expect(roundTrip(new Pid("many@host", i, 0, 77))).toBe(decoded[i]);
    }
  });

  it("pids that differ in any one field are never mistaken for each other", () => {
    // The low byte of id ^ serial ^ creation is the same for all of these, so they compete for one
    // slot of the recently-decoded cache; each differs from `base` in one or two fields.
    const base: [string, number, number, number] = ["same@host", 1, 0, 6];
    const variants: Array<[string, number, number, number]> = [
      ["other@host", 1, 0, 6],
      ["same@host", 257, 0, 6],
      ["same@host", 1, 256, 6],
      ["same@host", 1, 0, 262],
      ["same@host", 0, 1, 6],
      ["same@host", 7, 0, 0],
    ];
    const fields = (pid: Pid) => [pid.node, pid.id, pid.serial, pid.creation];
    for (let round = 0; round < 2; round++) {
      for (const variant of variants) {
        const first = decode(encode(new Pid(...base))) as Pid;
        const second = decode(encode(new Pid(...variant))) as Pid;
        expect(fields(first)).toEqual(base);
        expect(fields(second)).toEqual(variant);
        expect(internPid(...variant)).toBe(second);
        // Not always `first`: an id seen with another serial is interned anew (ids wrap rarely).
        expect(fields(internPid(...base))).toEqual(base);
      }
    }
  });

  it("a live local pid wins over a remote pid interned with the same fields before the node started", () => {
    const early = Array.from({ length: 8 }, (_, id) => internPid("late@host", id, 0, 4242));
    const node = Node.start({ name: "late@host", creation: 4242, clock: new VirtualClock() });
    started.push(node);
    const inbox = node.inbox();
    expect(inbox.pid.id).toBeLessThan(early.length);
    expect(decode(encode(inbox.pid))).toBe(inbox.pid);
    expect(internPid("late@host", inbox.pid.id, 0, 4242)).toBe(inbox.pid);
  });

  it("a pid of an older incarnation of a live node is not mistaken for the live process", () => {
    const node = startNode();
    const inbox = node.inbox();
    const { id, serial, creation } = inbox.pid;
    const old = new Pid(node.name, id, serial, creation === 1 ? 2 : creation - 1);
    const back = decode(encode(old)) as Pid;
    expect(back).not.toBe(inbox.pid);
    expect(back.equals(old)).toBe(true);
    expect(node.isAlive(back)).toBe(false);
  });
});

describe("pid and ref payloads", () => {
  it("are raw bytes: node length, node UTF-8, then the numbers, all as LEB128 varints", () => {
    // ext 8, 6 bytes, type P: "a" (1 byte), id 1, serial 0, creation 300 (0xac 0x02).
    expect([...encode(new Pid("a", 1, 0, 300))]).toEqual([0xc7, 6, 0x50, 1, 0x61, 1, 0, 0xac, 0x02]);
    // A 4-byte payload takes the shorter fixext 4 header: "a", creation 1, id 2.
    expect([...encode(new Ref("a", 1, 2))]).toEqual([0xd6, 0x52, 1, 0x61, 1, 2]);
    expect([...encode(new Ref("é", 2 ** 53 - 1, 0))]).toEqual([
      0xc7, 12, 0x52, 2, 0xc3, 0xa9, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 0,
    ]);
  });

  it("every varint width, the largest safe numbers and non-ASCII names round-trip", () => {
    const numbers = [0, 1, 127, 128, 300, 16_383, 16_384, 2 ** 21 - 1, 2 ** 21, 2 ** 28 - 1, 2 ** 28];
    numbers.push(2 ** 31 - 1, 2 ** 32 - 1, 2 ** 32, 2 ** 35 - 1, 2 ** 35, 2 ** 42, 2 ** 49, 2 ** 53 - 1);
    const names = ["a@127.0.0.1", "", "ñodo@höst", "節點@主機", "🌍@🛰️", "\uFEFFbom@host", "x".repeat(300)];
    for (const node of names) {
      for (const n of numbers) {
        const pids = [new Pid(node, n, 0, 1), new Pid(node, 1, n, 1), new Pid(node, 1, 0, n)];
        for (const pid of pids) {
          const back = roundTrip(pid);
          expect(back).toBeInstanceOf(Pid);
          expect([back.node, back.id, back.serial, back.creation]).toEqual([
            pid.node,
            pid.id,
            pid.serial,
            pid.creation,
          ]);
        }
        for (const ref of [new Ref(node, n, 1), new Ref(node, 1, n)]) {
          const back = roundTrip(ref);
          expect(back).toBeInstanceOf(Ref);
          expect([back.node, back.creation, back.id]).toEqual([ref.node, ref.creation, ref.id]);
        }
      }
    }
  });

  it("a node name too long for the caches, and payloads that need ext 16 and ext 32 headers", () => {
    for (const node of ["ü".repeat(200), "n".repeat(70_000)]) {
      const pid = new Pid(node, 2 ** 40, 3, 2 ** 32 - 1);
      expect(roundTrip(pid).equals(pid)).toBe(true);
      expect(roundTrip(new Ref(node, 5, 2 ** 45)).equals(new Ref(node, 5, 2 ** 45))).toBe(true);
    }
    expect(encode(new Ref("ü".repeat(200), 5, 6))[0]).toBe(0xc8);
    expect(encode(new Ref("n".repeat(70_000), 5, 6))[0]).toBe(0xc9);
  });

  it("random pids and refs round-trip", () => {
    const node = fc.string({ unit: "binary", maxLength: 12 });
    fc.assert(
      fc.property(node, fc.maxSafeNat(), fc.maxSafeNat(), fc.maxSafeNat(), (name, a, b, c) => {
        expect(roundTrip(new Pid(name, a, b, c)).equals(new Pid(name, a, b, c))).toBe(true);
        expect(roundTrip(new Ref(name, a, b)).equals(new Ref(name, a, b))).toBe(true);
      }),
      { seed: 42, numRuns: 1000 },
    );
  });

  it("many node names, interleaved, each decode to their own name", () => {
    const pids = Array.from({ length: 300 }, (_, i) => new Pid(`node${i}@host`, i, 0, 1));
    const bytes = pids.map((pid) => encode(pid));
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < pids.length; i += 1 + round) {
        expect((decode(bytes[i] as Uint8Array) as Pid).node).toBe(`node${i}@host`);
      }
    }
  });

  it("a decoded node name does not alias the bytes it came from", () => {
    // The caller may reuse its buffer: whatever it writes there, a decode reads the name it now spells.
    const bytes = encode(new Pid("abc@host", 1, 0, 1));
    expect((decode(bytes) as Pid).node).toBe("abc@host");
    for (let byte = 0x21; byte < 0x7f; byte++) {
      bytes[4] = byte; // the name's first byte
      expect((decode(bytes) as Pid).node).toBe(`${String.fromCharCode(byte)}bc@host`);
    }
  });

  it("fields that cannot round-trip are an EncodeError", () => {
    const rejected = [
      new Pid("n", -1, 0, 1),
      new Pid("n", 1.5, 0, 1),
      new Pid("n", 1, 2 ** 53, 1),
      new Pid("n", 1, 0, Number.NaN),
      new Pid("n", 1, 0, Number.POSITIVE_INFINITY),
      new Pid(7 as unknown as string, 1, 0, 1),
      new Pid("lone \uD800 surrogate", 1, 0, 1),
      new Ref("n", -1, 1),
      new Ref("n", 1, 2 ** 60),
      new Ref("\uDC00", 1, 1),
    ];
    for (const value of rejected) expect(() => encode({ value }), String(value)).toThrow(EncodeError);
  });
});

describe("decode errors", () => {
  const sample = encode({
    list: [1, 2, 3],
    text: "hello",
    pid: new Pid("n", 1, 0, 1),
    ref: new Ref("n", 1, 2),
  });

  it("truncated input throws DecodeError", () => {
    for (let cut = 0; cut < sample.length; cut++) {
      expect(() => decode(sample.subarray(0, cut)), `cut at ${cut}`).toThrow(DecodeError);
    }
  });

  it("trailing bytes throw DecodeError", () => {
    const extra = new Uint8Array(sample.length + 1);
    extra.set(sample);
    expect(() => decode(extra)).toThrow(DecodeError);
  });

  it("garbage and non-bytes throw DecodeError", () => {
    expect(() => decode(hex("d43300"))).toThrow(DecodeError); // unknown extension 0x33
    expect(() => decode(hex("dd ffffffff".replace(" ", "")))).toThrow(DecodeError); // a 4G-element array, absent
    expect(() => decode(hex("dbffffffff61"))).toThrow(DecodeError); // a 4 GB string, absent
    expect(() => decode("not bytes" as unknown as Uint8Array)).toThrow(DecodeError);
    expect(() => decode(null as unknown as Uint8Array)).toThrow(DecodeError);
  });

  it("a malformed pid, ref or error payload throws DecodeError", () => {
    const malformed: Array<[number, unknown]> = [
      [ExtensionType.pid, ["n", 1, 0]],
      [ExtensionType.pid, ["n", 1, 0, 1, 5]],
      [ExtensionType.pid, [1, 1, 0, 1]],
      [ExtensionType.pid, ["n", -1, 0, 1]],
      [ExtensionType.pid, ["n", 1.5, 0, 1]],
      [ExtensionType.pid, ["n", "1", 0, 1]],
      [ExtensionType.pid, ["n", 1, 0, null]],
      [ExtensionType.pid, "n.1.0"],
      [ExtensionType.pid, { node: "n", id: 1, serial: 0, creation: 1 }],
      [ExtensionType.ref, ["n", 1]],
      [ExtensionType.ref, ["n", 1, -2]],
      [ExtensionType.ref, [null, 1, 2]],
      [ExtensionType.error, ["Error", "m", undefined, undefined]],
      [ExtensionType.error, [1, "m", undefined, undefined, {}]],
      [ExtensionType.error, ["Error", 2, undefined, undefined, {}]],
    ];
    for (const [type, payload] of malformed) {
      expect(() => decode(ext(type, payload)), JSON.stringify(payload)).toThrow(DecodeError);
    }
    // The pid and ref cases are the old array layout, now refused too. The same framing with a good
    // payload decodes, so the error cases above fail for their payload alone.
    const good = decode(ext(ExtensionType.error, ["TypeError", "m", undefined, undefined, {}]));
    expect(good).toBeInstanceOf(Error);
    expect((good as Error).name).toBe("TypeError");
  });

  it("a malformed raw pid or ref payload throws DecodeError saying what is wrong", () => {
    const n = 0x6e; // "n"
    const { pid, ref } = ExtensionType;
    const cases: Array<[type: number, payload: number[], reason: string]> = [
      [pid, [], "truncated"],
      [pid, [1], "truncated"],
      [pid, [2, n], "truncated"],
      [pid, [3, n, 0xff], "truncated"], // not "not UTF-8": the length is checked first
      [pid, [0xff, 0xff, 0xff, 0xff, 0x0f, n, 1, 0, 1], "truncated"], // a 4 GiB name
      [pid, [1, n], "truncated"],
      [pid, [1, n, 1, 0], "truncated"],
      [pid, [1, n, 1, 0, 0x81], "truncated"], // a varint cut after a continuation bit
      [pid, [1, n, 1, 0, 0x81, 0x81, 0x81, 0x81, 0x81], "truncated"],
      [pid, [1, n, 1, 0, 1, 0], "trailing bytes"],
      [pid, [1, n, 0x80, 0x00, 0, 1], "overlong number"], // 0 in two bytes
      [pid, [1, n, 0x81, 0x00, 0, 1], "overlong number"],
      [pid, [1, n, 1, 0, 0x80, 0x80, 0x80, 0x80, 0x00], "overlong number"], // past 28 bits
      [pid, [1, n, 1, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10], "number above 2^53 - 1"], // 2^53
      [pid, [1, n, 1, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], "number above 2^53 - 1"],
      [pid, [1, 0xff, 1, 0, 1], "node name is not UTF-8"],
      [pid, [2, 0xc0, 0xae, 1, 0, 1], "node name is not UTF-8"], // an overlong "."
      [pid, [3, 0xed, 0xa0, 0x80, 1, 0, 1], "node name is not UTF-8"], // a lone surrogate
      [pid, [2, 0xe4, 0xb8, 1, 0, 1], "node name is not UTF-8"], // a cut 3-byte character
      [ref, [], "truncated"],
      [ref, [1, n, 1], "truncated"],
      [ref, [3, n, 1, 2], "truncated"],
      [ref, [1, n, 1, 2, 0], "trailing bytes"],
      [ref, [1, n, 1, 0x82, 0x00], "overlong number"],
      [ref, [1, n, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], "number above 2^53 - 1"],
      [ref, [1, 0x80, 1, 2], "node name is not UTF-8"],
    ];
    for (const [type, payload, reason] of cases) {
      const kind = type === pid ? "pid" : "ref";
      const error = thrownBy(() => decode(rawExt(type, payload)));
      expect(error, `${kind} ${payload}`).toBeInstanceOf(DecodeError);
      expect((error as Error).message, `${kind} ${payload}`).toBe(`malformed ${kind}: ${reason}`);
    }
    // The same framing with good payloads decodes, so the cases above fail for their payload alone.
    expect(decode(rawExt(pid, [1, n, 1, 0, 1]))).toEqual(new Pid("n", 1, 0, 1));
    expect(decode(rawExt(ref, [1, n, 1, 2]))).toEqual(new Ref("n", 1, 2));
    expect(decode(rawExt(ref, [1, n, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]))).toEqual(
      new Ref("n", 1, Number.MAX_SAFE_INTEGER),
    );
  });

  it("a malformed pid after a cached node name is still refused", () => {
    const name = utf8("cached@host");
    expect(decode(rawExt(ExtensionType.pid, [name.length, ...name, 1, 0, 1]))).toBeInstanceOf(Pid);
    // Same name bytes (a cache hit), then a bad tail.
    expect(() => decode(rawExt(ExtensionType.pid, [name.length, ...name, 1, 0, 1, 9]))).toThrow(
      /^malformed pid: trailing bytes$/,
    );
    expect(() => decode(rawExt(ExtensionType.pid, [name.length, ...name, 1, 0]))).toThrow(
      /^malformed pid: truncated$/,
    );
    // Same length as the cached name, one byte different and not UTF-8.
    const bad = [...name];
    bad[3] = 0xff;
    expect(() => decode(rawExt(ExtensionType.pid, [bad.length, ...bad, 1, 0, 1]))).toThrow(
      /^malformed pid: node name is not UTF-8$/,
    );
  });

  it("a frame with one malformed pid throws rather than returning the rest", () => {
    const first = encode(new Pid("n@h", 1, 0, 2));
    const last = encode("after");
    const bad = rawExt(ExtensionType.pid, [1, 0x6e, 1, 0, 1, 0]);
    expect(decode(Uint8Array.from([0x92, ...first, ...last]))).toEqual([new Pid("n@h", 1, 0, 2), "after"]);
    expect(() => decode(Uint8Array.from([0x93, ...first, ...bad, ...last]))).toThrow(
      /^malformed pid: trailing bytes$/,
    );
  });

  it("fuzz: random bytes either decode or throw DecodeError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), (bytes) => {
        try {
          decode(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
        }
      }),
      { seed: 42, numRuns: 5000 },
    );
  });

  it("fuzz: corrupted encodings either decode or throw DecodeError", () => {
    const base = encode({
      pid: new Pid("n@h", 3, 0, 9),
      ref: new Ref("n@h", 9, 4),
      error: new Error("e", { cause: new Error("c") }),
      big: 2n ** 80n,
      bytes: new Uint8Array([1, 2, 3]),
      map: new Map([[1, new Set(["a"])]]),
      date: new Date(0),
    });
    const edit = fc.record({ at: fc.nat({ max: base.length - 1 }), byte: fc.integer({ min: 0, max: 255 }) });
    fc.assert(
      fc.property(
        fc.array(edit, { minLength: 1, maxLength: 4 }),
        fc.nat({ max: base.length }),
        (edits, cut) => {
          const bytes = base.slice(0, Math.max(1, cut));
          for (const { at, byte } of edits) if (at < bytes.length) bytes[at] = byte;
          try {
            decode(bytes);
          } catch (error) {
            expect(error).toBeInstanceOf(DecodeError);
          }
        },
      ),
      { seed: 42, numRuns: 5000 },
    );
  });
});

describe("encode errors", () => {
  it("functions and symbols are rejected with EncodeError, never silently dropped", () => {
    const fn = () => 1;
    const rejected: unknown[] = [
      fn,
      Symbol("s"),
      { handler: fn },
      [1, fn],
      new Map([["f", fn]]),
      new Set([Symbol.iterator]),
      { deep: { deeper: [{ s: Symbol("t") }] } },
      Object.assign(new Error("with a function field"), { retry: fn }),
      class Thing {},
    ];
    for (const value of rejected) expect(() => encode(value)).toThrow(EncodeError);
  });

  it("an EncodeError carries the underlying failure as its cause", () => {
    try {
      encode({ s: Symbol("x") });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EncodeError);
      expect((error as EncodeError).cause).toBeDefined();
    }
  });

  it("class instances encode their own data (methods live on the prototype)", () => {
    class Point {
      readonly x: number;
      readonly y: number;
      constructor(x: number, y: number) {
        this.x = x;
        this.y = y;
      }
      norm(): number {
        return Math.hypot(this.x, this.y);
      }
    }
    expect(roundTrip(new Point(3, 4))).toEqual({ x: 3, y: 4 });
  });
});

describe("header bytes", () => {
  it("encode(value, n) leaves n bytes in front of the msgpack for the caller", () => {
    const value = { kind: "frame", pids: [new Pid("h@x", 7, 0, 1)], text: "héllo" };
    const framed = encode(value, 3);
    expect(framed.length).toBe(encode(value).length + 3);
    framed.set([0xaa, 0xbb, 0xcc], 0);
    expect(decode(framed.subarray(3))).toEqual(value);
  });

  it("a later encode never writes over an earlier result or its header", () => {
    const first = encode(["first", 1], 1);
    first[0] = 0x7f;
    const copy = Array.from(first);
    for (let i = 0; i < 2000; i++) encode(["later", i, "x".repeat(i % 50)], 1 + (i % 5));
    expect(Array.from(first)).toEqual(copy);
    expect(decode(first.subarray(1))).toEqual(["first", 1]);
  });

  it("refuses a header size that is not an integer from 0 to 255", () => {
    for (const n of [-1, 256, 1.5, Number.NaN]) expect(() => encode(1, n)).toThrow(EncodeError);
  });
});

describe("string decoding", () => {
  it("stays in JS: core does not switch on msgpackr's native string extractor", async () => {
    // The extractor costs a native call per small frame (see Codec.ts); core imports the pure-JS builds.
    const { isNativeAccelerationEnabled } = (await import("msgpackr/unpack")) as unknown as {
      isNativeAccelerationEnabled: boolean;
    };
    expect(decode(encode(["a string", "another"]))).toEqual(["a string", "another"]);
    expect(isNativeAccelerationEnabled).toBe(false);
  });
});

describe("reserved byte", () => {
  it("0xc1 (msgpack's never-used byte) is a DecodeError, not msgpackr's sentinel", () => {
    expect(() => decode(new Uint8Array([0xc1]))).toThrow(DecodeError);
  });
});

describe("registerWireClass", () => {
  class Envelope {
    readonly tag: string;
    readonly body: unknown;
    constructor(tag: string, body: unknown) {
      this.tag = tag;
      this.body = body;
    }
  }
  registerWireClass({
    type: 0x5e,
    Class: Envelope,
    write: (e: Envelope) => [e.tag, e.body],
    read: ([tag, body]) => {
      if (typeof tag !== "string") throw new TypeError("tag is not a string");
      return new Envelope(tag, body);
    },
  });

  it("instances cross the wire as themselves, nested anywhere", () => {
    const decoded = decode(encode({ list: [new Envelope("a", { n: 1 })] })) as { list: Envelope[] };
    expect(decoded.list[0]).toBeInstanceOf(Envelope);
    expect(decoded.list[0]).toEqual(new Envelope("a", { n: 1 }));
  });

  it("fields that read rejects make a DecodeError", () => {
    const bytes = encode(new Envelope("x", 1));
    const forged = encode(new Envelope(7 as unknown as string, 1));
    expect(decode(bytes)).toBeInstanceOf(Envelope);
    expect(() => decode(forged)).toThrow(DecodeError);
  });

  it("a type code is registered once; core's and out-of-range codes are refused", () => {
    class Other {}
    const wire = { Class: Other, write: () => [], read: () => new Other() };
    expect(() => registerWireClass({ ...wire, type: 0x5e })).toThrow(/already registered/);
    expect(() => registerWireClass({ ...wire, type: 0x50 })).toThrow(/unused code/);
    expect(() => registerWireClass({ ...wire, type: 0x70 })).toThrow(/unused code/);
    expect(() =>
      registerWireClass({ type: 0x5e, Class: Envelope, write: () => [], read: () => new Envelope("", 0) }),
    ).not.toThrow();
  });
});
