/**
 * Ordering over parallel connections: FIFO per sender–receiver pair whatever the parallelism, and per
 * `partitionKey` across receivers. Seeded delay faults give each frame its own latency, so frames on
 * different connections overtake each other (a connection itself stays in order, as TCP does): a
 * routing that spread one pair's (or one key's) traffic over several connections would reorder it.
 */
import { Pid } from "@maquis/core";
import { describe, expect, it } from "vitest";
import { SeededRandom } from "../../src/memory/random.js";
import { advanceUntil, type Delivered, dialledConnections, drain, turn, useCluster } from "./support.js";

const env = useCluster(7);

/** The messages `b` was handed by its transport that match `keep`, in arrival order. */
const arrived = <T>(delivered: readonly Delivered[], keep: (message: unknown) => message is T): T[] => {
  const out: T[] = [];
  for (const { signal } of delivered)
    if (signal.kind === "send" && keep(signal.message)) out.push(signal.message);
  return out;
};

/** The connections the signals sent to `to` (matching `keep`) travelled on, as written to the wire. */
const connectionsOf = (to: (pid: Pid) => boolean, keep: (message: unknown) => boolean): Set<number> => {
  const out = new Set<number>();
  for (const { connection, signal } of env.wire.signals()) {
    if (signal.kind === "send" && signal.to instanceof Pid && to(signal.to) && keep(signal.message)) {
      out.add(connection);
    }
  }
  return out;
};

type Numbered = readonly [sender: number, seq: number];
const isNumbered = (m: unknown): m is Numbered => Array.isArray(m) && m.length === 2;

describe("FIFO per sender–receiver pair", () => {
  it("with parallelism 4 on both nodes, each receiver sees each sender's 1000 messages in order", async () => {
    const options = { defaultChannel: { parallelism: 4 } };
    const a = await env.start("a", options);
    const b = await env.start("b", options);
    await env.connect(a, b);

    // The parallelism is real: 4 default-channel connections each way (plus one for membership).
    expect(dialledConnections(env.trace, "a", "b", "default")).toHaveLength(4);
    expect(dialledConnections(env.trace, "b", "a", "default")).toHaveLength(4);
    expect(dialledConnections(env.trace, "a", "b", "membership")).toHaveLength(1);
    expect(dialledConnections(env.trace, "a", "b")).toHaveLength(5);

    env.network.faults.add({ from: "a", to: "b", delay: [0, 8] });
    const SENDERS = 3;
    const N = 1000;
    const receivers = Array.from({ length: 6 }, () => b.node.inbox());
    for (let s = 0; s < SENDERS; s++) {
      a.node.spawn(async (self) => {
        for (let i = 0; i < N; i++) {
          for (const r of receivers) self.send(r.pid, [s, i]);
          if (i % 40 === 39) await turn(); // many frames per connection, senders interleaved
        }
      });
    }
    const total = SENDERS * N * receivers.length;
    await advanceUntil(
      env.clock,
      () => arrived(b.delivered, isNumbered).length === total,
      "every message delivered",
      { stepMs: 1 },
    );

    for (const r of receivers) {
      const got = (await drain(r)) as Numbered[];
      expect(got).toHaveLength(SENDERS * N);
      for (let s = 0; s < SENDERS; s++) {
        const seqs = got.filter(([sender]) => sender === s).map(([, seq]) => seq);
        expect(seqs).toEqual(Array.from({ length: N }, (_, i) => i));
      }
    }
    // The traffic was spread: the receivers' messages took more than one of the 4 connections.
    const used = connectionsOf(
      (pid) => receivers.some((r) => r.pid.equals(pid)),
      (m) => isNumbered(m),
    );
    expect(used.size).toBeGreaterThan(1);
    const defaults = dialledConnections(env.trace, "a", "b", "default");
    for (const c of used) expect(defaults).toContain(c);
  });
});

interface Keyed {
  readonly key: number | string;
  readonly seq: number;
}
const isKeyed = (m: unknown): m is Keyed => typeof m === "object" && m !== null && "key" in m && "seq" in m;

describe("partitionKey", () => {
  const options = { channels: { keyed: { parallelism: 4 } } };

  it("messages with one key stay in order across different receivers (and take one connection)", async () => {
    const a = await env.start("a", options);
    const b = await env.start("b", options);
    await env.connect(a, b);
    expect(dialledConnections(env.trace, "a", "b", "keyed")).toHaveLength(4);
    env.network.faults.add({ from: "a", to: "b", delay: [0, 8] });

    const receivers = Array.from({ length: 4 }, () => b.node.inbox());
    const N = 400;
    a.node.spawn(async (self) => {
      for (let seq = 0; seq < N; seq++) {
        self.send(
          receivers[seq % receivers.length]!.pid,
          { key: "k", seq },
          { channel: "keyed", partitionKey: "k" },
        );
        if (seq % 10 === 9) await turn();
      }
    });
    await advanceUntil(env.clock, () => arrived(b.delivered, isKeyed).length === N, "keyed messages", {
      stepMs: 1,
    });

    // The order in which node b received them, whatever the receiver: the order they were sent.
    expect(arrived(b.delivered, isKeyed).map((m) => m.seq)).toEqual(Array.from({ length: N }, (_, i) => i));
    const used = connectionsOf(() => true, isKeyed);
    expect(used.size).toBe(1);
    expect(dialledConnections(env.trace, "a", "b", "keyed")).toContain([...used][0]);
    for (const r of receivers) expect(await drain(r)).toHaveLength(N / receivers.length);
  });

  it("messages with different keys are spread over the connections, each key in order", async () => {
    const a = await env.start("a", options);
    const b = await env.start("b", options);
    await env.connect(a, b);
    env.network.faults.add({ from: "a", to: "b", delay: [0, 8] });

    const receivers = Array.from({ length: 3 }, () => b.node.inbox());
    const KEYS = 8;
    const PER_KEY = 100;
    const random = new SeededRandom(99);
    a.node.spawn(async (self) => {
      for (let seq = 0; seq < PER_KEY; seq++) {
        for (let key = 0; key < KEYS; key++) {
          const to = receivers[random.int(0, receivers.length - 1)]!.pid;
          self.send(to, { key, seq }, { channel: "keyed", partitionKey: key });
        }
        if (seq % 5 === 4) await turn();
      }
    });
    await advanceUntil(
      env.clock,
      () => arrived(b.delivered, isKeyed).length === KEYS * PER_KEY,
      "keyed messages",
      { stepMs: 1 },
    );

    const got = arrived(b.delivered, isKeyed);
    for (let key = 0; key < KEYS; key++) {
      expect(got.filter((m) => m.key === key).map((m) => m.seq)).toEqual(
        Array.from({ length: PER_KEY }, (_, i) => i),
      );
    }
    // Integer keys take connection `key mod 4`: all four carry traffic, each key exactly one.
    expect(connectionsOf(() => true, isKeyed).size).toBe(4);
    for (let key = 0; key < KEYS; key++) {
      expect(
        connectionsOf(
          () => true,
          (m) => isKeyed(m) && m.key === key,
        ).size,
      ).toBe(1);
    }
    expect(
      connectionsOf(
        () => true,
        (m) => isKeyed(m) && (m.key === 1 || m.key === 5),
      ).size,
    ).toBe(1);
  });
});
