/**
 * Named channels: which connection a signal travels on (read from the network's trace and from the
 * frames as written), the fallback to `default` for a peer without the channel, control signals on
 * `default`, monotonic load shedding, and compression.
 */
import { DownMessage, ExitMessage } from "@maquis/core";
import { describe, expect, it } from "vitest";
import { FLAG_COMPRESSED } from "../../src/wire/FrameCodec.js";
import { advanceUntil, dialledConnections, drain, settle, turn, until, useCluster } from "./support.js";

const env = useCluster(3);

/** The channel, per the trace, of the connection that carried the data frame holding `message`. */
const channelCarrying = (message: unknown): string[] => {
  const connections = new Set(
    env.wire
      .signals()
      .filter(({ signal }) => signal.kind === "send" && signal.message === message)
      .map((s) => s.connection),
  );
  const channels = new Set<string>();
  for (const e of env.trace)
    if (connections.has(e.connection) && e.fate === "delivered") channels.add(e.channel);
  return [...channels];
};

describe("named channels", () => {
  it("a send with { channel: 'bulk' } travels on the bulk connection, others on default", async () => {
    const a = await env.start("a", { channels: { bulk: {} } });
    const b = await env.start("b", { channels: { bulk: {} } });
    await env.connect(a, b);
    expect(dialledConnections(env.trace, "a", "b", "bulk")).toHaveLength(1);

    const far = b.node.inbox();
    a.node.send(far.pid, "on bulk", { channel: "bulk" });
    a.node.send(far.pid, "on default");
    expect((await drain(far)).sort()).toEqual(["on bulk", "on default"]);
    expect(channelCarrying("on bulk")).toEqual(["bulk"]);
    expect(channelCarrying("on default")).toEqual(["default"]);
    expect(dialledConnections(env.trace, "a", "b", "bulk")).toEqual(
      env.wire
        .signals()
        .filter((s) => s.signal.kind === "send" && s.signal.message === "on bulk")
        .map((s) => s.connection),
    );
  });

  it("a peer that lacks the channel gets the message on default (fallback)", async () => {
    const a = await env.start("a", { channels: { bulk: { parallelism: 2 } } });
    const b = await env.start("b");
    await env.connect(a, b);
    // Neither node dials a channel the other does not speak.
    expect(dialledConnections(env.trace, "a", "b", "bulk")).toEqual([]);
    expect(dialledConnections(env.trace, "b", "a", "bulk")).toEqual([]);

    const far = b.node.inbox();
    a.node.send(far.pid, "wanted bulk", { channel: "bulk" });
    a.node.send(far.pid, "wanted nothing", { channel: "nonexistent" });
    expect(await drain(far)).toEqual(["wanted bulk", "wanted nothing"]);
    expect(channelCarrying("wanted bulk")).toEqual(["default"]);
    expect(channelCarrying("wanted nothing")).toEqual(["default"]);
  });

  it("links, monitors, exits and DOWNs always travel on default, whatever channel the sends use", async () => {
    const options = { channels: { bulk: { parallelism: 2 } } };
    const a = await env.start("a", options);
    const b = await env.start("b", options);
    await env.connect(a, b);

    const doomed = b.node.spawn(async (self) => {
      await self.receive((m) => m === "die");
      self.exit("done");
    });
    const victim = b.node.spawn(async (self) => {
      await self.receive((m) => m === "never");
    });
    const inbox = a.node.inbox({ trapExit: true });
    inbox.link(doomed);
    const ref = inbox.monitor(doomed);
    inbox.monitor(victim);
    await settle();
    inbox.send(doomed, "die", { channel: "bulk" });
    inbox.exit(victim, "kill");
    await until(() => !b.node.isAlive(doomed) && !b.node.isAlive(victim), "both ended");
    const messages = await drain(inbox);
    expect(messages).toContainEqual(new ExitMessage(doomed, "done"));
    expect(messages).toContainEqual(new DownMessage(ref, doomed, "done"));

    const control = env.wire.signals().filter((s) => s.signal.kind !== "send");
    expect(new Set(control.map((s) => s.signal.kind))).toEqual(new Set(["link", "monitor", "exit", "down"]));
    for (const { channel } of control) expect(channel).toBe("default");
    expect(channelCarrying("die")).toEqual(["bulk"]);
  });
});

describe("monotonic channels", () => {
  it("frames held back are replaced by the newest; a normal channel delivers them all, in order", async () => {
    // A high-water mark of one byte: while a frame is undelivered, the next ones are held back.
    const channels = { state: { monotonic: true }, log: {} };
    const a = await env.start("a", { channels, highWaterMark: 1 });
    const b = await env.start("b", { channels });
    await env.connect(a, b);
    await settle();
    const states = b.node.inbox();
    const logs = b.node.inbox();
    const mark = env.trace.length;

    env.network.delivery = "manual"; // nothing drains: frames pile up behind the first one
    const N = 10;
    for (let i = 0; i < N; i++) {
      a.node.send(states.pid, i, { channel: "state" });
      a.node.send(logs.pid, i, { channel: "log" });
      await turn(); // one frame per tick
    }
    expect(env.network.pending).toBe(2); // the first frame of each channel; the rest are held
    env.network.delivery = "auto";
    await advanceUntil(
      env.clock,
      () => b.delivered.filter((d) => d.signal.kind === "send").length >= N + 2,
      "the held frames",
      { stepMs: 1 },
    );
    await settle();

    expect(await drain(logs)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(await drain(states)).toEqual([0, N - 1]); // the first (already sent) and the latest only
    const frames = (channel: string) =>
      env.trace.slice(mark).filter((e) => e.from === "a" && e.channel === channel && e.fate === "delivered");
    expect(frames("state")).toHaveLength(2);
    expect(frames("log")).toHaveLength(N);
  });
});

describe("compression", () => {
  it("a compressible message travels compressed on a compression channel and arrives intact", async () => {
    const channels = { zip: { compression: true } };
    const a = await env.start("a", { channels });
    const b = await env.start("b", { channels });
    await env.connect(a, b);
    const far = b.node.inbox();
    const big = {
      text: "the quick brown fox jumps over the lazy dog ".repeat(4000),
      rows: Array.from({ length: 2000 }, (_, i) => ({ id: i % 10, label: "row" })),
    };
    const mark = env.trace.length;
    a.node.send(far.pid, big, { channel: "zip" });
    expect(await drain(far)).toEqual([big]);
    a.node.send(far.pid, big); // the same on default, uncompressed
    expect(await drain(far)).toEqual([big]);

    const sent = env.trace.slice(mark).filter((e) => e.from === "a" && e.fate === "delivered");
    const zipped = sent.filter((e) => e.channel === "zip");
    const plain = sent.filter((e) => e.channel === "default");
    expect(zipped).toHaveLength(1);
    // Uncompressed, the frame is over 64 KiB: it travels in fragments.
    expect(plain.length).toBeGreaterThan(1);
    expect(plain.reduce((bytes, e) => bytes + e.size, 0)).toBeGreaterThan(big.text.length);
    expect(zipped[0]!.size).toBeLessThan(big.text.length / 20);
    const onZip = env.wire.records.filter((r) => r.from === "a" && r.connection === zipped[0]!.connection);
    expect(onZip.at(-1)!.bytes[0]! & FLAG_COMPRESSED).toBe(FLAG_COMPRESSED);
  });
});
