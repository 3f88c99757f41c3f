/** Parsing the `ws://host:port/path` addresses the WebSocket medium listens on and dials. */

/** @internal A WebSocket address, taken apart. */
export interface WebSocketAddress {
  readonly secure: boolean;
  /** As in the URL: an IPv6 address keeps its brackets. */
  readonly hostname: string;
  /** The explicit port, or the scheme's default (80, 443). */
  readonly port: number;
  /** `"/"` when the address has none. */
  readonly pathname: string;
}

interface ParsedUrl {
  readonly protocol: string;
  readonly username: string;
  readonly password: string;
  readonly hostname: string;
  readonly port: string;
  readonly pathname: string;
  readonly search: string;
  readonly hash: string;
}

// Every JavaScript runtime has a WHATWG URL; declared here so the shared code needs no host typings.
const Url = (globalThis as unknown as { URL: new (input: string) => ParsedUrl }).URL;

/**
 * @internal `address` taken apart, or `null` unless it is a `ws://` or `wss://` URL with a host and no
 * credentials, query or fragment (a listener could not honour them, and a dialler should not expect to).
 */
export const parseWebSocketAddress = (address: unknown): WebSocketAddress | null => {
  if (typeof address !== "string") return null;
  let url: ParsedUrl;
  try {
    url = new Url(address);
  } catch {
    return null;
  }
  if (url.protocol !== "ws:" && url.protocol !== "wss:") return null;
  if (url.hostname === "" || url.username !== "" || url.password !== "") return null;
  if (url.search !== "" || url.hash !== "") return null;
  const secure = url.protocol === "wss:";
  // The URL parser blanks a scheme's default port: "ws://h:80" has port "".
  const port = url.port === "" ? (secure ? 443 : 80) : Number(url.port);
  return { secure, hostname: url.hostname, port, pathname: url.pathname };
};

/** @internal The address back as a URL, with `port` (the real one after listening on port 0). */
export const formatWebSocketAddress = (address: WebSocketAddress, port: number): string =>
  `${address.secure ? "wss" : "ws"}://${address.hostname}:${port}${address.pathname === "/" ? "" : address.pathname}`;
