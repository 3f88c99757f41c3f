/**
 * The few cryptographic primitives the handshake needs, from WebCrypto (`globalThis.crypto`), which
 * Node (≥ 19), Bun, Deno and browsers all provide: HMAC-SHA256, random bytes, and a constant-time
 * comparison. Typed locally so the package needs neither DOM nor Node typings.
 */

/** The slice of `SubtleCrypto` used here. */
interface HmacSubtle {
  importKey(
    format: "raw",
    keyData: Uint8Array,
    algorithm: { readonly name: "HMAC"; readonly hash: "SHA-256" },
    extractable: boolean,
    keyUsages: readonly "sign"[],
  ): Promise<unknown>;
  sign(algorithm: "HMAC", key: unknown, data: Uint8Array): Promise<ArrayBuffer>;
}

/** The slice of `Crypto` used here. */
interface WebCrypto {
  readonly subtle: HmacSubtle;
  getRandomValues<T extends Uint8Array>(array: T): T;
}

interface Utf8Encoder {
  encode(text: string): Uint8Array;
}

const host = globalThis as unknown as {
  readonly crypto?: WebCrypto;
  readonly TextEncoder: new () => Utf8Encoder;
};

const webCrypto = (): WebCrypto => {
  const crypto = host.crypto;
  if (crypto?.subtle === undefined) {
    throw new Error("WebCrypto (globalThis.crypto.subtle) is not available in this runtime");
  }
  return crypto;
};

const utf8Encoder = new host.TextEncoder();

/** UTF-8 bytes of `text`. */
export const utf8 = (text: string): Uint8Array => utf8Encoder.encode(text);

/** An HMAC-SHA256 key, imported once per handshake; the raw secret is not kept. */
export type HmacKey = unknown;

/** Imports `secret` as a non-extractable HMAC-SHA256 signing key. */
export const importHmacKey = (secret: Uint8Array): Promise<HmacKey> =>
  webCrypto().subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);

/** HMAC-SHA256 of `data` under `key` (32 bytes). */
export const hmacSha256 = async (key: HmacKey, data: Uint8Array): Promise<Uint8Array> =>
  new Uint8Array(await webCrypto().subtle.sign("HMAC", key, data));

/** `size` bytes from the platform's cryptographically secure generator. */
export const randomBytes = (size: number): Uint8Array => webCrypto().getRandomValues(new Uint8Array(size));

/**
 * Whether `a` and `b` hold the same bytes, in time that depends only on their lengths (MAC lengths are
 * public), so that a peer cannot learn how much of a forged MAC was right.
 */
export const constantTimeEqual = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
};
