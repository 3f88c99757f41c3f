/**
 * Partitions on the in-memory network: connections across are cut (both ends closed "partitioned",
 * frames in flight lost), connects across refused until heal, and nodes on the same side unaffected.
 */
import { VirtualClock } from "@maquis/core";
import { describe, expect, it } from "vitest";
import type { CloseInfo } from "../src/Connection.js";
import {
  ConnectRefusedError,
  type MemoryConnection,
  MemoryNetwork,
  type MemoryNetworkOptions,
  PARTITIONED,
} from "../src/memory/index.js";

const CUT: CloseInfo = { code: 1006, reason: "partitioned", local: false };

/** Nodes a, b, c each listening on memory://<name>, and every end they accept, by `dialler->listener`. */
const cluster = async (options: MemoryNetworkOptions = {}) => {
  const clock = new VirtualClock();
  const network = new MemoryNetwork({ clock, delivery: "manual", ...options });
  const accepted = new Map<string, MemoryConnection>();
  const closes = new Map<MemoryConnection, CloseInfo[]>();
  const frames = new Map<MemoryConnection, number[]>();
  const watch = (c: MemoryConnection) => {
    closes.set(c, []);
    frames.set(c, []);
    c.onClose = (info) => closes.get(c)!.push(info);
    c.onFrame = (f) => frames.get(c)!.push(f[0]!);
  };
  for (const node of ["a", "b", "c"]) {
    await network.medium(node).listen(`memory://${node}`, (c) => {
      accepted.set(`${c.remoteNode}->${node}`, c);
      watch(c);
    });
  }
  const connect = async (from: string, to: string) => {
    const c = await network.medium(from).connect(`memory://${to}`, { from, to, channel: "default" });
    watch(c);
    return { dialler: c, acceptor: accepted.get(`${from}->${to}`)! };
  };
  return { clock, network, connect, closes, frames };
};

describe("partition", () => {
  it("cuts the connections across at once and tells both ends, asynchronously", async () => {
    const { network, connect, closes, frames } = await cluster();
    const ab = await connect("a", "b");
    const ca = await connect("c", "a");
    const bc = await connect("b", "c");
    network.partition(["a"], ["b", "c"]);
    for (const end of [ab.dialler, ab.acceptor, ca.dialler, ca.acceptor]) expect(end.open).toBe(false);
    expect(closes.get(ab.dialler)).toEqual([]);
    network.runUntilIdle();
    for (const end of [ab.dialler, ab.acceptor, ca.dialler, ca.acceptor])
      expect(closes.get(end)).toEqual([CUT]);
    expect(PARTITIONED).toEqual({ code: CUT.code, reason: CUT.reason });
    // b and c are on the same side
    expect(bc.dialler.open && bc.acceptor.open).toBe(true);
    bc.dialler.send(new Uint8Array([1]));
    network.runUntilIdle();
    expect(frames.get(bc.acceptor)).toEqual([1]);
    expect(closes.get(bc.acceptor)).toEqual([]);
  });

  it("loses the frames in flight across, delayed ones included", async () => {
    const { clock, network, connect, frames } = await cluster();
    const ab = await connect("a", "b");
    const events: string[] = [];
    network.onFrame = (e) => events.push(`${e.id} ${e.fate}${e.cause ? ` ${e.cause}` : ""}`);
    ab.dialler.send(new Uint8Array([1]));
    const slow = network.faults.add({ from: "b", delay: 50 });
    ab.acceptor.send(new Uint8Array([2, 2]));
    slow.remove();
    ab.dialler.send(new Uint8Array([3]));
    expect([ab.dialler.bufferedAmount, ab.acceptor.bufferedAmount]).toEqual([2, 2]);
    network.partition(["b"], ["a"]);
    expect([network.pending, network.delayed]).toEqual([2, 0]); // the two close notices
    expect([ab.dialler.bufferedAmount, ab.acceptor.bufferedAmount]).toEqual([0, 0]);
    clock.advance(100);
    network.runUntilIdle();
    expect([frames.get(ab.dialler), frames.get(ab.acceptor)]).toEqual([[], []]);
    expect(events).toEqual([
      "2 delayed",
      "1 dropped partition",
      "3 dropped partition",
      "2 dropped partition",
    ]);
  });

  it("refuses connects across until healed; cut connections stay closed", async () => {
    const { network, connect } = await cluster();
    const ab = await connect("a", "b");
    network.partition(["a"], ["b", "c"]);
    for (const [from, to] of [
      ["a", "b"],
      ["b", "a"],
      ["a", "c"],
    ] as const) {
      const attempt = connect(from, to);
      await expect(attempt).rejects.toBeInstanceOf(ConnectRefusedError);
      await expect(attempt).rejects.toMatchObject({ address: `memory://${to}`, reason: "partitioned" });
    }
    await connect("b", "c"); // same side
    await connect("a", "a"); // a node reaches itself
    network.heal();
    expect(network.partitions).toEqual([]);
    const again = await connect("a", "b");
    expect(again.dialler.open).toBe(true);
    expect(ab.dialler.open).toBe(false);
  });

  it("with one side, separates it from every other node", async () => {
    const { network, connect } = await cluster();
    const bc = await connect("b", "c");
    network.partition(["a"]);
    await expect(connect("b", "a")).rejects.toMatchObject({ reason: "partitioned" });
    await expect(connect("a", "c")).rejects.toMatchObject({ reason: "partitioned" });
    expect(bc.dialler.open).toBe(true);
  });

  it("heals one partition through its handle, all with heal(), and with every rule by clearFaults()", async () => {
    const { network, connect } = await cluster();
    const ab = network.partition(["a"], ["b"]);
    const ac = network.partition(["a"], ["c"]);
    expect(network.partitions).toEqual([ab, ac]);
    ab.heal();
    ab.heal();
    expect([ab.active, ac.active]).toEqual([false, true]);
    await connect("a", "b");
    await expect(connect("a", "c")).rejects.toMatchObject({ reason: "partitioned" });
    network.heal();
    await connect("a", "c");
    network.partition(["b"], ["c"]);
    network.faults.add({ drop: 1 });
    network.clearFaults();
    expect([network.partitions, network.faults.rules]).toEqual([[], []]);
    await connect("b", "c");
  });

  it("drops what a cut end sends afterwards", async () => {
    const { network, connect, frames } = await cluster();
    const ab = await connect("a", "b");
    network.partition(["a"], ["b"]);
    network.heal();
    ab.dialler.send(new Uint8Array([1]));
    network.runUntilIdle();
    expect(frames.get(ab.acceptor)).toEqual([]);
    expect(ab.dialler.bufferedAmount).toBe(0);
  });

  it("tells an end whose own close is still on its way that it was cut, not closed", async () => {
    const { network, connect, closes } = await cluster();
    const ab = await connect("a", "b");
    ab.dialler.close(4000, "leaving");
    network.partition(["a"], ["b"]);
    network.runUntilIdle();
    expect(closes.get(ab.dialler)).toEqual([{ code: 4000, reason: "leaving", local: true }]);
    expect(closes.get(ab.acceptor)).toEqual([CUT]);
  });

  it("delivers the close notices on a microtask in automatic mode", async () => {
    const { network, connect, closes } = await cluster({ delivery: "auto" });
    const ab = await connect("a", "b");
    network.partition(["a"], ["b"]);
    expect(closes.get(ab.acceptor)).toEqual([]);
    await Promise.resolve();
    expect([closes.get(ab.dialler), closes.get(ab.acceptor)]).toEqual([[CUT], [CUT]]);
  });

  it("is validated", () => {
    const network = new MemoryNetwork();
    expect(() => network.partition([], ["a"])).toThrow(RangeError);
    expect(() => network.partition(["a", "b"], ["b"])).toThrow(/both sides/);
    expect(network.partitions).toEqual([]);
  });
});
