/**
 * The one error the wire layer throws or rejects with: a frame that cannot be accepted, or a handshake
 * that failed. Each code maps to the close code the connection is closed with ({@link closeCodeFor}).
 */
import { CloseCode } from "../Connection.js";

/**
 * Why the wire layer refused something:
 *
 * | code | meaning | close code |
 * |---|---|---|
 * | `malformed` | bytes that are not a valid frame (bad header, bad msgpack, bad deflate data, a field of the wrong type) | `malformed` (4000) |
 * | `too_large` | a frame, or its inflated body, over `maxPayload` | `tooLarge` (4003) |
 * | `version` | the peer speaks another wire protocol version | `version` (4002) |
 * | `unauthenticated` | a MAC did not verify (wrong cluster secret, replayed or forged message), or the peer is not the node expected | `unauthenticated` (4001) |
 * | `protocol` | a valid frame at the wrong time (e.g. data before the handshake finished, a second `hello`) | `malformed` (4000) |
 * | `timeout` | the handshake did not finish within its time limit | `timeout` (4004) |
 * | `closed` | the connection closed, or the peer said `bye`, before the handshake finished | `normal` (1000) |
 * | `unencodable` | a frame to send holds a value msgpack cannot carry (a function, a symbol) | none: nothing was sent |
 */
export type WireErrorCode =
  | "malformed"
  | "too_large"
  | "version"
  | "unauthenticated"
  | "protocol"
  | "timeout"
  | "closed"
  | "unencodable";

/**
 * A frame was refused or a handshake failed. Receiving one from `decodeFrame` means: close that
 * connection (with {@link closeCodeFor}) and log the error; the node itself is unaffected.
 */
export class WireError extends Error {
  readonly _tag = "WireError";
  readonly code: WireErrorCode;
  constructor(code: WireErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "WireError";
    this.code = code;
  }
}

/** Type guard for {@link WireError}. */
export const isWireError = (value: unknown): value is WireError => value instanceof WireError;

const closeCodes: Readonly<Record<WireErrorCode, number>> = {
  malformed: CloseCode.malformed,
  too_large: CloseCode.tooLarge,
  version: CloseCode.version,
  unauthenticated: CloseCode.unauthenticated,
  protocol: CloseCode.malformed,
  timeout: CloseCode.timeout,
  closed: CloseCode.normal,
  unencodable: CloseCode.normal,
};

/** The close code a connection is closed with because of `error` (see {@link WireErrorCode}). */
export const closeCodeFor = (error: WireError): number => closeCodes[error.code];
