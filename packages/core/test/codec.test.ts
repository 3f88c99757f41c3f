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

/** msgpack for `fixext 1 <type> 0` followed by `payload`: how the codec frames its extensions. */
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
    // The same framing with a good payload decodes, so the cases above fail for their payload alone.
    expect(decode(ext(ExtensionType.pid, ["n", 1, 0, 1]))).toEqual(new Pid("n", 1, 0, 1));
    expect(decode(ext(ExtensionType.ref, ["n", 1, 2]))).toEqual(new Ref("n", 1, 2));
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
