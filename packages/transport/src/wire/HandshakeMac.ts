/**
 * The MACs of the handshake. Each side proves it knows the cluster secret by sending
 * HMAC-SHA256(secret, transcript), where the transcript binds everything that identifies this
 * handshake: the protocol version, the prover's role, the channel, both node names and both nonces.
 * Fresh nonces from both sides mean a recorded MAC is useless in any other handshake; the role means
 * a listener's MAC cannot be reflected back as a dialler's.
 */
import { WIRE_VERSION } from "./Frame.js";
import { type HmacKey, hmacSha256, utf8 } from "./internal/Crypto.js";

/** Which end of the connection a node is: the dialler opened it, the listener accepted it. */
export type HandshakeRole = "dialer" | "listener";

/** What a handshake MAC covers. */
export interface MacTranscript {
  /** Who computes this MAC (the prover). */
  readonly role: HandshakeRole;
  /** The channel the connection carries (from `hello`). */
  readonly channel: string;
  /** The dialler's node name (from `hello`). */
  readonly dialer: string;
  /** The listener's node name (from `challenge`). */
  readonly listener: string;
  /** The dialler's nonce (from `hello`). */
  readonly dialerNonce: Uint8Array;
  /** The listener's nonce (from `challenge`). */
  readonly listenerNonce: Uint8Array;
}

/** The label that opens every transcript: it names the protocol and its version. */
export const MAC_LABEL = `maquis-wire-v${WIRE_VERSION}`;

/**
 * The exact bytes a handshake MAC is computed over: seven fields, each as a 4-byte big-endian length
 * followed by its bytes (strings as UTF-8): the label `"maquis-wire-v1"`, the role (`"dialer"` or
 * `"listener"`), the channel, the dialler's name, the listener's name, the dialler's nonce, the
 * listener's nonce. Length prefixes make the encoding unambiguous (no two transcripts share bytes).
 */
export const macInput = (transcript: MacTranscript): Uint8Array => {
  const fields = [
    utf8(MAC_LABEL),
    utf8(transcript.role),
    utf8(transcript.channel),
    utf8(transcript.dialer),
    utf8(transcript.listener),
    transcript.dialerNonce,
    transcript.listenerNonce,
  ];
  let size = 0;
  for (const field of fields) size += 4 + field.length;
  const input = new Uint8Array(size);
  const view = new DataView(input.buffer);
  let at = 0;
  for (const field of fields) {
    view.setUint32(at, field.length);
    input.set(field, at + 4);
    at += 4 + field.length;
  }
  return input;
};

/** The MAC the prover named in `transcript.role` sends: HMAC-SHA256(secret, macInput(transcript)). */
export const handshakeMac = (key: HmacKey, transcript: MacTranscript): Promise<Uint8Array> =>
  hmacSha256(key, macInput(transcript));
