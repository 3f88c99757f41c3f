/**
 * Calls, casts and system messages cross the wire as themselves (core's registerWireClass), with the
 * caller's `ReplyTo` spread into the field array; anything else in those fields is refused.
 */
import { DecodeError, decode, encode, Pid, Ref } from "@maquis/core";
import { describe, expect, it } from "vitest";
import { GenCall, GenCast, SystemMessage } from "../src/index.js";

const pid = new Pid("a@host", 7, 0, 3);
const tag = new Ref("a@host", 3, 42);

/**
 * The bytes of wire class `type` holding `fields`: msgpackr writes such a class as a one-byte fixext
 * marker (0xd4, type, 0) followed by its field array as the next msgpack value.
 */
const withFields = (type: number, fields: unknown[]): Uint8Array =>
  new Uint8Array([0xd4, type, 0, ...encode(fields)]);

describe("wire classes", () => {
  it("a GenCall round-trips with its ReplyTo and request", () => {
    const out = decode(encode(new GenCall({ pid, tag }, { op: "get", key: 1 })));
    expect(out).toBeInstanceOf(GenCall);
    expect(out).toEqual(new GenCall({ pid, tag }, { op: "get", key: 1 }));
  });

  it("a GenCast and a SystemMessage round-trip", () => {
    expect(decode(encode(new GenCast(["inc", 2])))).toEqual(new GenCast(["inc", 2]));
    const sys = decode(encode(new SystemMessage({ pid, tag }, { kind: "getState" })));
    expect(sys).toBeInstanceOf(SystemMessage);
    expect(sys).toEqual(new SystemMessage({ pid, tag }, { kind: "getState" }));
  });

  it("a GenCall is the pid, the tag and the request on the wire", () => {
    const bytes = new Uint8Array(encode(new GenCall({ pid, tag }, "ping")));
    expect(bytes).toEqual(withFields(0x43, [pid, tag, "ping"]));
  });

  it("refuses a GenCall or SystemMessage whose ReplyTo is not a pid and a ref", () => {
    for (const type of [0x43, 0x53]) {
      expect(() => decode(withFields(type, [tag, tag, { kind: "getState" }]))).toThrow(DecodeError);
      expect(() => decode(withFields(type, [pid, pid, { kind: "getState" }]))).toThrow(DecodeError);
      expect(() => decode(withFields(type, [{ pid, tag }, { kind: "getState" }]))).toThrow(DecodeError);
    }
    expect(decode(withFields(0x53, [pid, tag, { kind: "getState" }]))).toBeInstanceOf(SystemMessage);
  });
});
