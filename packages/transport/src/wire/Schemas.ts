/**
 * Effect schemas for everything the wire layer decodes, except the signals inside a data frame (a
 * hand-written guard, `SignalWire.ts`, for speed: see docs/wire-protocol.md, "Validation").
 *
 * Each frame is a msgpack array `[kind, ...fields]`; its schema is a tuple, so a missing, extra or
 * mistyped element is refused. Objects (node specs, channel options) must be plain objects; keys a
 * schema does not name are dropped.
 */
import * as Schema from "effect/Schema";
import { FrameKind } from "./Frame.js";
import {
  MAC_BYTES,
  MAX_ADDRESS_LENGTH,
  MAX_ADDRESSES,
  MAX_BYE_REASON_LENGTH,
  MAX_CAPABILITIES,
  MAX_CAPABILITY_LENGTH,
  MAX_CHANNELS,
  MAX_NAME_LENGTH,
  MAX_PARALLELISM,
  NONCE_BYTES,
} from "./Limits.js";

const isPlainObject = (value: unknown): value is object => {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/** A plain object (not a Map, array, Error, Date or class instance), before its fields are checked. */
const PlainObject = Schema.declare(isPlainObject, { expected: "a plain object" });

/** `schema`, applied only to plain objects (a msgpack map decodes as a `Map`, which would otherwise pass as `{}`). */
const plain = <S extends Schema.Top>(schema: S) => PlainObject.pipe(Schema.decodeTo(schema));

const NonNegativeInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0));
const bytesOfLength = (length: number) =>
  Schema.Uint8Array.check(
    Schema.makeFilter((bytes: Uint8Array) => bytes.length === length, {
      expected: `${length} bytes`,
    }),
  );

/** A node name: 1–255 characters. */
export const NodeNameSchema = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(MAX_NAME_LENGTH));
/** A channel name: 1–255 characters. */
export const ChannelNameSchema = Schema.String.check(
  Schema.isMinLength(1),
  Schema.isMaxLength(MAX_NAME_LENGTH),
);

/** A wire protocol version: a non-negative integer. */
export const VersionSchema = NonNegativeInt;
/** A handshake nonce: exactly 32 bytes. */
export const NonceSchema = bytesOfLength(NONCE_BYTES);
/** An HMAC-SHA256 MAC: exactly 32 bytes. */
export const MacSchema = bytesOfLength(MAC_BYTES);

/** Channel options as a peer declares them (`ChannelOptions`). */
export const ChannelOptionsSchema = plain(
  Schema.Struct({
    parallelism: Schema.optionalKey(
      Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: MAX_PARALLELISM })),
    ),
    compression: Schema.optionalKey(
      Schema.Union([
        Schema.Boolean,
        plain(
          Schema.Struct({
            level: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 9 }))),
            threshold: Schema.optionalKey(NonNegativeInt),
          }),
        ),
      ]),
    ),
    monotonic: Schema.optionalKey(Schema.Boolean),
  }),
);

/**
 * A `NodeSpec` as received from a peer: a 1–255 character name, at most 16 addresses of at most 1024
 * characters, a non-negative integer incarnation, at most 64 channels with valid options. Shared with
 * the membership layer, which receives specs in gossip.
 */
export const NodeSpecSchema = plain(
  Schema.Struct({
    name: NodeNameSchema,
    addresses: Schema.Array(Schema.String.check(Schema.isMaxLength(MAX_ADDRESS_LENGTH))).check(
      Schema.isMaxLength(MAX_ADDRESSES),
    ),
    incarnation: NonNegativeInt,
    channels: plain(Schema.Record(ChannelNameSchema, ChannelOptionsSchema)).check(
      Schema.isMaxProperties(MAX_CHANNELS),
    ),
  }),
);

/** Capabilities: at most 64 names of 1–64 characters. */
export const CapabilitiesSchema = Schema.Array(
  Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(MAX_CAPABILITY_LENGTH)),
).check(Schema.isMaxLength(MAX_CAPABILITIES));

/** `[1, version, name, channel, nonce]` */
export const HelloWire = Schema.Tuple([
  Schema.Literal(FrameKind.hello),
  VersionSchema,
  NodeNameSchema,
  ChannelNameSchema,
  NonceSchema,
]);
/** `[2, version, name, nonce, mac]` */
export const ChallengeWire = Schema.Tuple([
  Schema.Literal(FrameKind.challenge),
  VersionSchema,
  NodeNameSchema,
  NonceSchema,
  MacSchema,
]);
/** `[3, mac, spec, capabilities]` */
export const AuthWire = Schema.Tuple([
  Schema.Literal(FrameKind.auth),
  MacSchema,
  NodeSpecSchema,
  CapabilitiesSchema,
]);
/** `[4, spec, capabilities]` */
export const WelcomeWire = Schema.Tuple([
  Schema.Literal(FrameKind.welcome),
  NodeSpecSchema,
  CapabilitiesSchema,
]);
/* `[16, signals]` (data) is checked by hand in FrameCodec: it is the hot path. */
/** `[17, id, timestamp]` */
export const PingWire = Schema.Tuple([Schema.Literal(FrameKind.ping), NonNegativeInt, Schema.Finite]);
/** `[18, id, timestamp]` */
export const PongWire = Schema.Tuple([Schema.Literal(FrameKind.pong), NonNegativeInt, Schema.Finite]);
/** `[19, payload]`: the payload is checked by the membership strategy. */
export const GossipWire = Schema.Tuple([Schema.Literal(FrameKind.gossip), Schema.Unknown]);
/** `[20, reason]` */
export const ByeWire = Schema.Tuple([
  Schema.Literal(FrameKind.bye),
  Schema.String.check(Schema.isMaxLength(MAX_BYE_REASON_LENGTH)),
]);
