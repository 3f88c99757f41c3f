/**
 * The wire protocol: frames (encoding, validation, compression) and the authenticated handshake.
 * The specification is docs/wire-protocol.md.
 */
export {
  type CompressionOptions,
  DEFAULT_COMPRESSION_LEVEL,
  DEFAULT_COMPRESSION_THRESHOLD,
} from "./Compression.js";
export {
  type AuthFrame,
  type ByeFrame,
  type ChallengeFrame,
  type DataFrame,
  type Frame,
  FrameKind,
  type FrameKindName,
  type GossipFrame,
  type HandshakeFrame,
  type HelloFrame,
  type PingFrame,
  type PongFrame,
  type WelcomeFrame,
  WIRE_VERSION,
} from "./Frame.js";
export {
  type DecodeFrameOptions,
  decodeFrame,
  type EncodeFrameOptions,
  encodeFrame,
  FLAG_COMPRESSED,
} from "./FrameCodec.js";
export {
  type ConnectionHandlers,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  type DialerHandshakeOptions,
  type HandshakeResult,
  type HandshakeOptions,
  type HandshakeOptionsBase,
  handshake,
  type ListenerHandshakeOptions,
} from "./Handshake.js";
export {
  FLAG_FIRST,
  FLAG_FRAGMENT,
  FLAG_LAST,
  FRAGMENT_BYTES,
  fragmentFrame,
  isFragment,
  Reassembler,
} from "./Fragments.js";
export { type HandshakeRole, MAC_LABEL, type MacTranscript, macInput } from "./HandshakeMac.js";
export { DEFAULT_MAX_PAYLOAD, HANDSHAKE_MAX_PAYLOAD, MAC_BYTES, NONCE_BYTES } from "./Limits.js";
export { ChannelOptionsSchema, NodeSpecSchema } from "./Schemas.js";
export { SignalTag, signalToWire, validateSignal } from "./SignalWire.js";
export { closeCodeFor, isWireError, WireError, type WireErrorCode } from "./WireError.js";
