/**
 * Size limits of the wire protocol. A frame or field beyond them is refused (`too_large` for whole
 * frames, `malformed` for fields), so a peer cannot make a node allocate without bound.
 */

/** Default `maxPayload` for traffic frames: 8 MiB, raw and inflated. */
export const DEFAULT_MAX_PAYLOAD = 8 * 1024 * 1024;

/** `maxPayload` for frames received during the handshake, before the peer has proved anything: 64 KiB. */
export const HANDSHAKE_MAX_PAYLOAD = 64 * 1024;

/** Length of the handshake nonces, in bytes. */
export const NONCE_BYTES = 32;

/** Length of an HMAC-SHA256 MAC, in bytes. */
export const MAC_BYTES = 32;

/** Longest node name or channel name, in UTF-16 code units. */
export const MAX_NAME_LENGTH = 255;

/** Most addresses in a node spec. */
export const MAX_ADDRESSES = 16;
/** Longest address in a node spec, in UTF-16 code units. */
export const MAX_ADDRESS_LENGTH = 1024;

/** Most channels in a node spec. */
export const MAX_CHANNELS = 64;

/** Most capabilities one side may list, and the longest one. */
export const MAX_CAPABILITIES = 64;
/** Longest capability name, in UTF-16 code units. */
export const MAX_CAPABILITY_LENGTH = 64;

/** Longest `bye` reason, in UTF-16 code units. */
export const MAX_BYE_REASON_LENGTH = 1024;

/** Largest `parallelism` a channel may declare. */
export const MAX_PARALLELISM = 1024;
