/**
 * Options of the WebSocket medium, shared by its Node and browser entries, and their validation. Declared
 * without Node typings so that the browser entry's declarations need none.
 */
import { ConfigError } from "@maquis/core";
import { DEFAULT_MAX_PAYLOAD } from "../wire/Limits.js";
import type { WebSocketConstructorLike } from "./WebSocketLike.js";

/** Default `connectTimeoutMs`: 5 seconds. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

/** PEM text or DER bytes (a Node `Buffer` is a `Uint8Array`), or a list of them. */
export type TlsMaterial = string | Uint8Array | ReadonlyArray<string | Uint8Array>;

/**
 * TLS for `wss://` listeners (Node entry): passed as is to `node:https`'s `createServer`, so any of its
 * options (`ciphers`, `minVersion`, `requestCert`, …) may be added. Needs `key` and `cert`, or `pfx`.
 */
export interface WebSocketServerTlsOptions {
  /** The private key, PEM. */
  readonly key?: TlsMaterial;
  /** The certificate chain, PEM. */
  readonly cert?: TlsMaterial;
  /** Trusted CAs, to verify client certificates when `requestCert` is set. */
  readonly ca?: TlsMaterial;
  /** Key and certificate in one PKCS#12 bundle, instead of `key` and `cert`. */
  readonly pfx?: TlsMaterial;
  readonly passphrase?: string;
  readonly [option: string]: unknown;
}

/**
 * TLS for dialling `wss://` addresses (Node entry): passed to `ws`'s client, hence to `tls.connect`.
 * Without `ca`, the server's certificate must chain to Node's default trusted CAs.
 */
export interface WebSocketClientTlsOptions {
  /** CAs to trust instead of the defaults: the self-signed certificate of a private cluster, say. */
  readonly ca?: TlsMaterial;
  /** A client certificate, for servers that ask for one (`requestCert`). */
  readonly cert?: TlsMaterial;
  readonly key?: TlsMaterial;
  readonly passphrase?: string;
  /** Default true. False accepts any certificate: for tests only, it defeats TLS. */
  readonly rejectUnauthorized?: boolean;
  /** The name to verify the certificate against (default: the address's host). */
  readonly servername?: string;
}

/**
 * Options of `webSocketMedium`. Permessage-deflate is always off and cannot be turned on: with context
 * takeover it is some 30 times slower than no compression, and the wire layer compresses whole frames
 * itself (per channel, above a threshold).
 */
export interface WebSocketMediumOptions {
  /**
   * Largest frame accepted, in bytes (default `DEFAULT_MAX_PAYLOAD`, 8 MiB). A larger one closes the
   * connection with 1009; on Node `ws` refuses it before buffering it.
   */
  readonly maxPayload?: number;
  /** How long `connect` waits for the WebSocket handshake (default 5000 ms); then it rejects, `"timeout"`. */
  readonly connectTimeoutMs?: number;
  /** Node entry only: TLS for `wss://` listeners (required to listen on one). */
  readonly tls?: WebSocketServerTlsOptions;
  /** Node entry only: TLS for dialling `wss://` addresses. */
  readonly clientTls?: WebSocketClientTlsOptions;
  /** Node entry only: extra HTTP headers on the upgrade request (browsers do not let scripts set them). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Node entry only: mask every client frame with a random key (default `false`: frames up to 512 bytes
   * get a random key, larger ones an all-zero key, which `ws` then skips). Masking protects HTTP
   * intermediaries from bytes chosen by untrusted browser scripts; a Node node sends only its own
   * frames, and masking every byte in JavaScript was half the CPU time of large transfers here, while
   * a small masked frame goes out in one write instead of two. Turn it on when traffic crosses
   * proxies that need it.
   */
  readonly maskFrames?: boolean;
  /** Browser entry only: the WebSocket constructor to dial with (default `globalThis.WebSocket`). */
  readonly WebSocket?: WebSocketConstructorLike;
}

/** @internal Options after validation, defaults filled in. */
export interface ResolvedWebSocketOptions {
  readonly maxPayload: number;
  readonly connectTimeoutMs: number;
  readonly tls: WebSocketServerTlsOptions | undefined;
  readonly clientTls: WebSocketClientTlsOptions | undefined;
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly WebSocket: WebSocketConstructorLike | undefined;
}

/** setTimeout's largest delay: beyond it, timers fire at once. */
const MAX_TIMEOUT_MS = 2_147_483_647;

const NODE_ONLY = ["tls", "clientTls", "headers", "maskFrames"] as const;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** @internal Validates `options` for the `entry` they were given to; throws `ConfigError`. */
export const resolveWebSocketOptions = (
  options: WebSocketMediumOptions | undefined,
  entry: "node" | "browser",
): ResolvedWebSocketOptions => {
  const given: unknown = options ?? {};
  if (!isRecord(given)) throw new ConfigError("WebSocket medium options must be an object");
  const maxPayload = given.maxPayload ?? DEFAULT_MAX_PAYLOAD;
  if (typeof maxPayload !== "number" || !Number.isSafeInteger(maxPayload) || maxPayload < 1) {
    throw new ConfigError(`maxPayload must be a positive integer (bytes), got ${String(maxPayload)}`);
  }
  const connectTimeoutMs = given.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  if (typeof connectTimeoutMs !== "number" || !(connectTimeoutMs > 0 && connectTimeoutMs <= MAX_TIMEOUT_MS)) {
    throw new ConfigError(
      `connectTimeoutMs must be a number of milliseconds in (0, ${MAX_TIMEOUT_MS}], got ${String(connectTimeoutMs)}`,
    );
  }
  if (given.perMessageDeflate !== undefined && given.perMessageDeflate !== false) {
    throw new ConfigError(
      "perMessageDeflate cannot be enabled: it is much slower than the wire layer's whole-frame compression",
    );
  }
  if (entry === "browser") {
    for (const key of NODE_ONLY) {
      if (given[key] !== undefined) {
        throw new ConfigError(`the ${key} option is not supported by the browser WebSocket medium`);
      }
    }
  } else if (given.WebSocket !== undefined) {
    throw new ConfigError("the WebSocket option is for the browser entry; on Node the medium dials with ws");
  }
  const { tls, clientTls, headers, WebSocket } = given;
  if (tls !== undefined) {
    if (!isRecord(tls)) throw new ConfigError("tls must be an object of https.createServer options");
    if ((tls.key === undefined || tls.cert === undefined) && tls.pfx === undefined) {
      throw new ConfigError("tls needs key and cert (or pfx)");
    }
  }
  if (clientTls !== undefined) {
    if (!isRecord(clientTls)) throw new ConfigError("clientTls must be an object");
    if (clientTls.rejectUnauthorized !== undefined && typeof clientTls.rejectUnauthorized !== "boolean") {
      throw new ConfigError("clientTls.rejectUnauthorized must be a boolean");
    }
  }
  if (headers !== undefined) {
    if (!isRecord(headers) || !Object.values(headers).every((value) => typeof value === "string")) {
      throw new ConfigError("headers must be an object of strings");
    }
  }
  if (WebSocket !== undefined && typeof WebSocket !== "function") {
    throw new ConfigError("WebSocket must be a WebSocket constructor");
  }
  return {
    maxPayload,
    connectTimeoutMs,
    tls: tls as WebSocketServerTlsOptions | undefined,
    clientTls: clientTls as WebSocketClientTlsOptions | undefined,
    headers: headers as Readonly<Record<string, string>> | undefined,
    WebSocket: WebSocket as WebSocketConstructorLike | undefined,
  };
};
