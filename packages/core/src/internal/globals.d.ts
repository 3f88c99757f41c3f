// The web-standard globals core relies on. They exist in Node, Bun, Deno and browsers; declaring just
// these (instead of pulling in DOM or @types/node) keeps core honest about what it may touch.
declare global {
  function setTimeout(fn: () => void, ms?: number): unknown;
  function clearTimeout(handle: unknown): void;
  function queueMicrotask(fn: () => void): void;
  const performance: { now(): number };
  const crypto: { getRandomValues<T extends Uint32Array>(array: T): T };
  class MessageChannel {
    readonly port1: { onmessage: ((event: unknown) => void) | null };
    readonly port2: { postMessage(message: unknown): void };
  }
}

export {};
