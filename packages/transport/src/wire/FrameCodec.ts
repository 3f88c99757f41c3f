/**
 * Frames to bytes and back. A frame on the wire is one header byte (flags), then the frame's msgpack
 * array `[kind, ...fields]` encoded with core's codec, either as is or raw-DEFLATE compressed after a
 * 4-byte size. Decoding validates everything before returning, and throws nothing but `WireError`.
 */
import { ConfigError, decode, EncodeError, encode, type Signal } from "@maquis/core";
import * as Schema from "effect/Schema";
import type { NodeSpec } from "../NodeSpec.js";
import {
  type CompressionOptions,
  DEFAULT_COMPRESSION_LEVEL,
  DEFAULT_COMPRESSION_THRESHOLD,
  deflate,
  inflateExactly,
} from "./Compression.js";
import { type Frame, FrameKind, WIRE_VERSION } from "./Frame.js";
import {
  AuthWire,
  ByeWire,
  ChallengeWire,
  GossipWire,
  HelloWire,
  PingWire,
  PongWire,
  WelcomeWire,
} from "./Schemas.js";
import { signalToWire, validateSignal } from "./SignalWire.js";
import { WireError } from "./WireError.js";

/** Header flag: the body is raw DEFLATE, preceded by its inflated size (uint32, big-endian). */
export const FLAG_COMPRESSED = 0x01;
/** The header bits version 1 defines; a frame with any other bit set is malformed. */
const KNOWN_FLAGS = FLAG_COMPRESSED;
/** Header byte plus the inflated size of a compressed frame. */
const COMPRESSED_HEADER_BYTES = 5;

/** Options of {@link encodeFrame}. */
export interface EncodeFrameOptions {
  /**
   * Compress the frame when its msgpack body is longer than `threshold` bytes and compression makes
   * it smaller. Set per channel (`ChannelOptions.compression`). Default: no compression.
   */
  readonly compress?: CompressionOptions | undefined;
  /** Refuse to produce a frame longer than this (`WireError` `too_large`); the peer's limit, if known. */
  readonly maxPayload?: number | undefined;
}

/** Options of {@link decodeFrame}. */
export interface DecodeFrameOptions {
  /**
   * The largest frame accepted, in bytes, applied to the frame as received and, for a compressed
   * frame, to its inflated body. `DEFAULT_MAX_PAYLOAD` is 8 MiB.
   */
  readonly maxPayload: number;
  /**
   * Accept compressed frames (default `true`). Refuse them (`malformed`) where no legitimate peer
   * sends them: during the handshake, and on channels without compression.
   */
  readonly allowCompressed?: boolean | undefined;
}

// ---- encoding ----

const specToWire = (spec: NodeSpec): NodeSpec => ({
  name: spec.name,
  addresses: spec.addresses,
  incarnation: spec.incarnation,
  channels: spec.channels,
});

const toWire = (frame: Frame): unknown[] => {
  switch (frame.kind) {
    case "hello":
      return [FrameKind.hello, frame.version, frame.name, frame.channel, frame.nonce];
    case "challenge":
      return [FrameKind.challenge, frame.version, frame.name, frame.nonce, frame.mac];
    case "auth":
      return [FrameKind.auth, frame.mac, specToWire(frame.spec), frame.capabilities];
    case "welcome":
      return [FrameKind.welcome, specToWire(frame.spec), frame.capabilities];
    case "data":
      return [FrameKind.data, frame.signals.map(signalToWire)];
    case "ping":
      return [FrameKind.ping, frame.id, frame.timestamp];
    case "pong":
      return [FrameKind.pong, frame.id, frame.timestamp];
    case "gossip":
      return [FrameKind.gossip, frame.payload];
    case "bye":
      return [FrameKind.bye, frame.reason];
    default:
      throw new WireError(
        "unencodable",
        `unknown frame kind ${JSON.stringify((frame as { kind?: unknown }).kind)}`,
      );
  }
};

const resolveCompression = (options: CompressionOptions): { level: number; threshold: number } => {
  const level = options.level ?? DEFAULT_COMPRESSION_LEVEL;
  const threshold = options.threshold ?? DEFAULT_COMPRESSION_THRESHOLD;
  if (!Number.isInteger(level) || level < 1 || level > 9) {
    throw new ConfigError(`compression level must be an integer from 1 to 9, got ${level}`);
  }
  if (!Number.isInteger(threshold) || threshold < 0) {
    throw new ConfigError(`compression threshold must be a non-negative integer, got ${threshold}`);
  }
  return { level, threshold };
};

/** A compressed frame: the header byte, the inflated size, then the deflated body. */
const compressedFrame = (deflated: Uint8Array, inflatedSize: number): Uint8Array => {
  const bytes = new Uint8Array(COMPRESSED_HEADER_BYTES + deflated.length);
  bytes[0] = FLAG_COMPRESSED;
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(1, inflatedSize);
  bytes.set(deflated, COMPRESSED_HEADER_BYTES);
  return bytes;
};

/**
 * Encodes `frame` for one link-layer message. With `compress`, a body over the threshold is deflated
 * (kept only if smaller). Throws `WireError`: `unencodable` when the frame holds a value msgpack
 * cannot carry (nothing is sent; when a data frame fails, encode its signals one by one to find the
 * culprit), `too_large` when over `maxPayload`. Throws core's `ConfigError` for invalid options.
 */
export const encodeFrame = (frame: Frame, options?: EncodeFrameOptions): Uint8Array => {
  const wire = toWire(frame);
  // The codec leaves the header byte free in front of the msgpack body: no copy for the usual frame.
  let plain: Uint8Array;
  try {
    plain = encode(wire, 1);
  } catch (cause) {
    const detail = cause instanceof EncodeError ? cause.message : String(cause);
    throw new WireError("unencodable", `cannot encode ${frame.kind} frame: ${detail}`, { cause });
  }
  plain[0] = 0;
  let bytes = plain;
  if (options?.compress !== undefined) {
    const { level, threshold } = resolveCompression(options.compress);
    const body = plain.subarray(1);
    if (body.length > threshold) {
      const deflated = deflate(body, level);
      if (deflated.length + COMPRESSED_HEADER_BYTES < plain.length)
        bytes = compressedFrame(deflated, body.length);
    }
  }
  const maxPayload = options?.maxPayload;
  if (maxPayload !== undefined && bytes.length > maxPayload) {
    throw new WireError(
      "too_large",
      `${frame.kind} frame of ${bytes.length} bytes exceeds maxPayload ${maxPayload}`,
    );
  }
  return bytes;
};

// ---- decoding ----

const malformed = (message: string, cause?: unknown): WireError =>
  new WireError("malformed", message, cause === undefined ? undefined : { cause });

/** A Schema decoder that throws `WireError` naming the frame kind. */
const parser = <S extends Schema.Decoder<unknown>>(schema: S, kind: string) => {
  const decodeSync = Schema.decodeUnknownSync(schema);
  return (value: unknown): S["Type"] => {
    try {
      return decodeSync(value);
    } catch (cause) {
      throw malformed(`invalid ${kind} frame: ${(cause as Error).message}`, cause);
    }
  };
};

const parseHello = parser(HelloWire, "hello");
const parseChallenge = parser(ChallengeWire, "challenge");
const parseAuth = parser(AuthWire, "auth");
const parseWelcome = parser(WelcomeWire, "welcome");
const parsePing = parser(PingWire, "ping");
const parsePong = parser(PongWire, "pong");
const parseGossip = parser(GossipWire, "gossip");
const parseBye = parser(ByeWire, "bye");

/** `hello` and `challenge` carry the version second in every protocol version; check it first. */
const checkVersion = (wire: readonly unknown[]): void => {
  const version = wire[1];
  if (typeof version === "number" && Number.isInteger(version) && version !== WIRE_VERSION) {
    throw new WireError("version", `peer speaks wire protocol version ${version}, this node ${WIRE_VERSION}`);
  }
};

const fromWire = (wire: unknown): Frame => {
  if (!Array.isArray(wire) || wire.length === 0) {
    throw malformed("a frame must be a msgpack array [kind, ...fields]");
  }
  switch (wire[0]) {
    case FrameKind.hello: {
      checkVersion(wire);
      const [, version, name, channel, nonce] = parseHello(wire);
      return { kind: "hello", version, name, channel, nonce };
    }
    case FrameKind.challenge: {
      checkVersion(wire);
      const [, version, name, nonce, mac] = parseChallenge(wire);
      return { kind: "challenge", version, name, nonce, mac };
    }
    case FrameKind.auth: {
      const [, mac, spec, capabilities] = parseAuth(wire);
      return { kind: "auth", mac, spec, capabilities };
    }
    case FrameKind.welcome: {
      const [, spec, capabilities] = parseWelcome(wire);
      return { kind: "welcome", spec, capabilities };
    }
    case FrameKind.data: {
      // The hot path: the envelope is checked by hand (as DataWire would), the signals by their guard.
      if (wire.length !== 2 || !Array.isArray(wire[1]))
        throw malformed("invalid data frame: expected [16, signals]");
      const raw = wire[1] as unknown[];
      const signals = new Array<Signal>(raw.length);
      for (let i = 0; i < raw.length; i++) signals[i] = validateSignal(raw[i], i);
      return { kind: "data", signals };
    }
    case FrameKind.ping: {
      const [, id, timestamp] = parsePing(wire);
      return { kind: "ping", id, timestamp };
    }
    case FrameKind.pong: {
      const [, id, timestamp] = parsePong(wire);
      return { kind: "pong", id, timestamp };
    }
    case FrameKind.gossip: {
      const [, payload] = parseGossip(wire);
      return { kind: "gossip", payload };
    }
    case FrameKind.bye: {
      const [, reason] = parseBye(wire);
      return { kind: "bye", reason };
    }
    default:
      throw malformed(`unknown frame kind ${typeof wire[0] === "number" ? wire[0] : typeof wire[0]}`);
  }
};

const bodyOf = (bytes: Uint8Array, options: DecodeFrameOptions): Uint8Array => {
  const { maxPayload } = options;
  if (bytes.length > maxPayload) {
    throw new WireError("too_large", `frame of ${bytes.length} bytes exceeds maxPayload ${maxPayload}`);
  }
  if (bytes.length < 2) throw malformed(`frame of ${bytes.length} bytes is too short`);
  const flags = bytes[0]!;
  if ((flags & ~KNOWN_FLAGS) !== 0) throw malformed(`unknown header flags 0x${flags.toString(16)}`);
  if ((flags & FLAG_COMPRESSED) === 0) return bytes.subarray(1);
  if (options.allowCompressed === false) throw malformed("compressed frame where compression is not allowed");
  if (bytes.length <= COMPRESSED_HEADER_BYTES) throw malformed("compressed frame is truncated");
  const size = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(1);
  if (size > maxPayload) {
    throw new WireError(
      "too_large",
      `compressed frame declares ${size} bytes, over maxPayload ${maxPayload}`,
    );
  }
  if (size === 0) throw malformed("compressed frame declares an empty body");
  return inflateExactly(bytes.subarray(COMPRESSED_HEADER_BYTES), size);
};

/**
 * Decodes and validates one frame received from a peer. Throws `WireError` and nothing else, whatever
 * the bytes: `too_large` (over `maxPayload`, raw or inflated), `version` (a `hello` or `challenge` of
 * another protocol version), `malformed` (anything else wrong). Throws core's `ConfigError` for
 * invalid options (a bug in the caller, not the peer).
 *
 * A returned frame is well-formed: every field has its documented type and limits, every signal of a
 * data frame is a valid core `Signal` rebuilt from its fields. Whether the frame is acceptable now
 * (a `hello` after the handshake, say) is the caller's decision.
 */
export const decodeFrame = (bytes: Uint8Array, options: DecodeFrameOptions): Frame => {
  const maxPayload = options?.maxPayload;
  if (typeof maxPayload !== "number" || !(maxPayload >= 2)) {
    throw new ConfigError(`maxPayload must be a number of at least 2 bytes, got ${maxPayload}`);
  }
  try {
    if (!(bytes instanceof Uint8Array)) throw malformed("a frame must be a Uint8Array");
    const body = bodyOf(bytes, options);
    let wire: unknown;
    try {
      wire = decode(body);
    } catch (cause) {
      throw malformed(`frame body is not valid msgpack: ${(cause as Error).message}`, cause);
    }
    return fromWire(wire);
  } catch (error) {
    if (error instanceof WireError) throw error;
    throw malformed(`cannot decode frame: ${String((error as Error)?.message ?? error)}`, error);
  }
};
