/**
 * Large messages: a frame over 16 KiB travels in fragments written one per connection per turn, so a
 * small message on another channel gets through while a large one is still going out, and the large
 * one arrives whole.
 */
import type { Inbox } from "@maquis/core";
import { describe, expect, it } from "vitest";
import { SeededRandom } from "../../src/memory/random.js";
import { FLAG_FRAGMENT, FRAGMENT_BYTES } from "../../src/wire/Fragments.js";
import { dialledConnections, turn, until, useCluster } from "./support.js";

const env = useCluster(3);

const bytesOf = (n: number, seed: number): Uint8Array => {
  const random = new SeededRandom(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(random.next() * 256));
};

/** What `inbox` has received so far, appended to `got` in order (a condition for `until`). */
const received = (inbox: Inbox, got: unknown[], count: number) => (): boolean => {
  for (let m = inbox.tryReceive(); m !== undefined; m = inbox.tryReceive()) got.push(m);
  return got.length >= count;
};

describe("large messages", () => {
  it("a 1 MiB message arrives whole, sent as fragments of at most 16 KiB", async () => {
    const a = await env.start("a");
    const b = await env.start("b");
    await env.connect(a, b);
    const far = b.node.inbox();
    const got: unknown[] = [];
    const big = ["blob", bytesOf(1 << 20, 7)];
    const mark = env.wire.records.length;
    a.node.send(far.pid, big);
    a.node.send(far.pid, "after");
    await until(received(far, got, 2), "the large message and the next one", 20_000);
    expect(got).toEqual([big, "after"]);

    const [connection] = dialledConnections(env.trace, "a", "b", "default");
    const written = env.wire.records.slice(mark).filter((r) => r.connection === connection);
    const fragments = written.filter((r) => (r.bytes[0]! & FLAG_FRAGMENT) !== 0);
    expect(fragments.length).toBeGreaterThanOrEqual((1 << 20) / FRAGMENT_BYTES);
    expect(Math.max(...fragments.map((r) => r.bytes.length))).toBeLessThanOrEqual(FRAGMENT_BYTES + 5);
  });

  it("a small message on another channel overtakes a large one still being sent", async () => {
    const channels = { bulk: {} };
    const a = await env.start("a", { channels });
    const b = await env.start("b", { channels });
    await env.connect(a, b);
    const far = b.node.inbox();
    const got: unknown[] = [];
    const big = bytesOf(1 << 20, 11);
    a.node.send(far.pid, big, { channel: "bulk" });
    a.node.send(far.pid, "small");
    await until(received(far, got, 2), "both messages", 20_000);
    expect(got).toEqual(["small", big]);
  });

  it("keep-alive traffic during a fragmented frame does not break it", async () => {
    const a = await env.start("a", { keepAlive: { idleMs: 1, timeoutMs: 1_000 } });
    const b = await env.start("b", { keepAlive: { idleMs: 1, timeoutMs: 1_000 } });
    await env.connect(a, b);
    const far = b.node.inbox();
    const got: unknown[] = [];
    const big = bytesOf(1 << 19, 13);
    a.node.send(far.pid, big);
    // Pings go out on every connection while the fragments do.
    for (let i = 0; i < 40 && !received(far, got, 1)(); i++) {
      env.clock.advance(5);
      await turn();
    }
    await until(received(far, got, 1), "the large message", 20_000);
    expect(got).toEqual([big]);
    expect(a.cluster.isConnected("b")).toBe(true);
  });
});
