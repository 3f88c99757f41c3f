/**
 * The distribution measures, on the same work as the Erlang reference (erlang/maquis_bench_dist.erl),
 * written as a user of `@maquis/transport` would write them.
 *
 * Node A (`a@127.0.0.1`) is this process; node B (`b@127.0.0.1`) is a child Node process
 * (distPeer.js), joined over the WebSocket medium on 127.0.0.1 and started once per bench run, as
 * the Erlang side starts its peer VM once. Both declare the `bulk` channel. Each round starts fresh
 * processes on B with `Rpc.call` and `Rpc.spawn` (distRemote.ts), as the Erlang side does with
 * `erpc:call` and `spawn/4`. Measure code runs on A; B serves.
 */
import { randomBytes } from "node:crypto";
import { DownMessage, type Inbox, type Node, type ProcessContext, type Ref } from "@maquis/core";
import { call, cast, type ServerPid, type ServerRef } from "@maquis/gen-server";
import { Cluster, Rpc } from "@maquis/transport";
import { webSocketMedium } from "@maquis/transport/websocket";
import { startChild, stopChildren } from "./children.js";
import { BULK, isAck, remote } from "./distRemote.js";
import type { BenchProtocol } from "./genserver.js";
import { openWsPing, percentile } from "./wsRaw.js";

const SECRET = "bench-secret";
const now = () => performance.now();
const rate = (n: number, t0: number, t1 = now()) => n / ((t1 - t0) / 1000);

interface Session {
  readonly node: Node;
  /** Node B's name. */
  readonly b: string;
  /** The bare-ws echo server in node B's process. */
  readonly echo: string;
}

let session: Promise<Session> | undefined;

async function open(): Promise<Session> {
  const b = await startChild("distPeer", SECRET);
  const { node, cluster } = await Cluster.start({
    name: "a@127.0.0.1",
    medium: webSocketMedium(),
    listen: "ws://127.0.0.1:0",
    secret: SECRET,
    channels: { [BULK]: {} },
  });
  try {
    // Resolves once every channel (default, bulk) is connected, so no measure pays for a connection.
    await cluster.syncJoin(b.address);
    if (typeof b.name !== "string" || typeof b.echo !== "string") {
      throw new Error(`node b's ready line lacks its name or echo address: ${JSON.stringify(b)}`);
    }
    return { node, b: b.name, echo: b.echo };
  } catch (err) {
    await node.stop();
    throw err;
  }
}

/** Node A, connected to node B (started on first use). */
const connected = (): Promise<Session> => (session ??= open());

/** Stops node A and node B's process. Safe to call when none started. */
export async function stopDistribution(): Promise<void> {
  const s = session;
  session = undefined;
  try {
    if (s !== undefined) await (await s).node.stop();
  } catch {
    // a session that failed to open has nothing left to stop
  } finally {
    await stopChildren();
  }
}

/** Runs `body` with an inbox on node A, closed afterwards. */
async function withInbox<T>(body: (inbox: Inbox, s: Session) => Promise<T>): Promise<T> {
  const s = await connected();
  const inbox = s.node.inbox();
  try {
    return await body(inbox, s);
  } finally {
    inbox.close();
  }
}

/**
 * The first message `match` accepts; rejects if a process `self` monitors under one of `watched` ends
 * abnormally first (it crashed, or its node is gone: `noconnection`). Every wait of these measures goes
 * through it, so a failed round fails its measure (main reports it and goes on) instead of waiting
 * forever: for a worker on A that the driver monitors (a pending `receive` of an inbox killed by a link
 * never settles), and for the process on B that a worker sends to. A monitor per round costs nothing
 * measurable; the Erlang side relies on its round timeout instead.
 */
async function receiveUnlessDown<T>(
  self: ProcessContext,
  watched: ReadonlySet<Ref>,
  match: (m: unknown) => m is T,
): Promise<T> {
  const failed = (m: unknown): m is DownMessage =>
    m instanceof DownMessage && watched.has(m.ref) && m.reason !== "normal";
  const m = await self.receive((x): x is T | DownMessage => match(x) || failed(x));
  if (m instanceof DownMessage) {
    const reason = m.reason instanceof Error ? m.reason.message : String(m.reason);
    throw new Error(`${String(m.item)} ended: ${reason}`);
  }
  return m;
}

const is =
  <const V>(value: V) =>
  (m: unknown): m is V =>
    m === value;

/** A fresh BenchServer on node B (Erlang: `erpc:call(B, maquis_bench_server, start, [])`). */
const serverOnB = (caller: ProcessContext, s: Session): Promise<ServerPid<BenchProtocol>> =>
  Rpc.call(caller, s.b, remote.startServer);

/** `n` sequential `ping` calls from `caller`, each timed: µs, sorted. */
async function callTimes(
  caller: ProcessContext,
  server: ServerRef<BenchProtocol>,
  n: number,
): Promise<Float64Array> {
  const us = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = now();
    if ((await call(caller, server, "ping")) !== "pong") throw new Error("bad reply");
    us[i] = (now() - t0) * 1000;
  }
  return us.sort();
}

/** The window of a remote-send measure (the same numbers as the Erlang side's). */
interface SendShape {
  readonly n: number;
  /** The payload after `["msg", i]`, if any. */
  readonly payload?: Uint8Array;
  /** The counter acks every `every` messages; the sender looks for acks after every `every` sends. */
  readonly every: number;
  /** At most this many messages unacknowledged. */
  readonly credit: number;
}

export const SMALL: SendShape = { n: 500_000, every: 1000, credit: 20_000 };
export const ONE_KIB: SendShape = { n: 200_000, payload: randomBytes(1024), every: 100, credit: 2000 };

/**
 * remote-send-small / remote-send-1k: a sender process on A sends `n` messages to a counting process on
 * B, which acks every `every`; the sender keeps at most `credit` unacknowledged (the same window as the
 * Erlang side, which bounds the receiver's mailbox and, here, the sender's outgoing queue: a send never
 * blocks, so an unwindowed loop would queue all `n` before the first went out). msg/s from the first
 * send to the ack of the last message.
 */
export const remoteSend = ({ n, payload, every, credit }: SendShape): Promise<number> =>
  withInbox(async (driver, s) => {
    const [, sender] = driver.spawnMonitor(async (self) => {
      const counter = await Rpc.spawn(self, s.b, remote.counter, [self.pid, n, every]);
      const watched = new Set([self.monitor(counter)]);
      let sent = 0;
      let acked = 0;
      const t0 = now();
      while (sent < n) {
        if (sent - acked >= credit) {
          acked = (await receiveUnlessDown(self, watched, isAck))[1];
          continue;
        }
        // Up to the next multiple of `every`, within the credit.
        const end = Math.min(n, sent + every - (sent % every), acked + credit);
        if (payload === undefined) for (; sent < end; ) self.send(counter, ["msg", ++sent]);
        else for (; sent < end; ) self.send(counter, ["msg", ++sent, payload]);
        if (sent % every === 0) {
          for (let a = self.tryReceive(isAck); a !== undefined; a = self.tryReceive(isAck)) acked = a[1];
        }
      }
      while (acked < n) acked = (await receiveUnlessDown(self, watched, isAck))[1];
      self.send(driver.pid, ["sent", rate(n, t0)]);
    });
    const [, msgPerSec] = await receiveUnlessDown(
      driver,
      new Set([sender]),
      (m): m is readonly ["sent", number] => Array.isArray(m) && m[0] === "sent",
    );
    return msgPerSec;
  });

const CALLS = 10_000;
/** remote-call's calls and the bare-ws round trips alternate in blocks of this many. */
const BLOCK = 500;

/**
 * remote-call-p50 / -p99: one client on A, {@link CALLS} sequential calls to a server on B (µs). In the
 * same round, in alternating blocks of {@link BLOCK}, as many bare-ws round trips to the echo server in
 * node B's process (ws-ping-pong-p50, wsRaw.ts), so that both meet the same load and the same placement
 * of the two processes on this shared box.
 */
export const remoteCallLatency = (): Promise<Record<"p50" | "p99" | "ws", number>> =>
  withInbox(async (client, s) => {
    const server = await serverOnB(client, s);
    const ws = await openWsPing(s.echo);
    try {
      const calls = new Float64Array(CALLS);
      const pings = new Float64Array(CALLS);
      for (let i = 0; i < CALLS; i += BLOCK) {
        for (let k = i; k < i + BLOCK; k++) pings[k] = await ws.roundTrip();
        calls.set(await callTimes(client, server, BLOCK), i);
      }
      calls.sort();
      return { p50: percentile(calls, 0.5), p99: percentile(calls, 0.99), ws: percentile(pings.sort(), 0.5) };
    } finally {
      ws.close();
      cast(client, server, "stop");
    }
  });

/**
 * remote-call-100: 100 client processes on A, monitored by the driver, make `n / 100` sequential calls
 * each to one server on B (default 5 s timeout); call/s from the first spawn to the last "called". Calls
 * made in one tick go out together: that is the transport's coalescing, which Erlang's distribution does
 * not do.
 */
export const remoteCall100 = (n = 100_000, clients = 100): Promise<number> =>
  withInbox(async (driver, s) => {
    const server = await serverOnB(driver, s);
    const each = n / clients;
    const monitors = new Set<Ref>();
    const t0 = now();
    for (let c = 0; c < clients; c++) {
      const [, ref] = driver.spawnMonitor(async (self) => {
        for (let k = 0; k < each; k++) {
          if ((await call(self, server, "ping")) !== "pong") throw new Error("bad reply");
        }
        self.send(driver.pid, "called");
      });
      monitors.add(ref);
    }
    for (let c = 0; c < clients; c++) await receiveUnlessDown(driver, monitors, is("called"));
    const t1 = now();
    cast(driver, server, "stop");
    return rate(n, t0, t1);
  });

const ISO_CALLS = 500;
const BULK_SIZE = 1024 * 1024;
const BULK_IN_FLIGHT = 2;

/**
 * channel-isolation: the p50 of {@link ISO_CALLS} small calls on the default channel with no other
 * traffic (`quiet`), then of as many while a process on A sends 1 MiB messages back to back to a sink on
 * B on the `bulk` channel (`busy`; {@link BULK_IN_FLIGHT} unacknowledged at a time, so that channel never
 * idles; the sink acks on `bulk` too). Both in the same round, in µs. The Erlang side does the same on
 * its one connection per node pair.
 */
export const channelIsolation = (): Promise<Record<"quiet" | "busy", number>> =>
  withInbox(async (driver, s) => {
    const server = await serverOnB(driver, s);
    const quiet = percentile(await callTimes(driver, server, ISO_CALLS), 0.5);
    const [bulk, bulkRef] = driver.spawnMonitor(async (self) => {
      const sink = await Rpc.spawn(self, s.b, remote.sink, [self.pid]);
      const watched = new Set([self.monitor(sink)]);
      const ack = is("bulk-ack");
      const payload = randomBytes(BULK_SIZE);
      const send = () => self.send(sink, ["bulk", payload], { channel: BULK });
      for (let i = 0; i < BULK_IN_FLIGHT; i++) send();
      await receiveUnlessDown(self, watched, ack);
      self.send(driver.pid, "bulk-flowing");
      // One more per ack until told to stop; then wait for the ones in flight.
      const ackOrStop = (m: unknown): m is "bulk-ack" | "bulk-stop" => m === "bulk-ack" || m === "bulk-stop";
      for (let done = 1; ; done++) {
        send();
        if ((await receiveUnlessDown(self, watched, ackOrStop)) === "bulk-stop") {
          for (let i = 0; i < BULK_IN_FLIGHT; i++) await receiveUnlessDown(self, watched, ack);
          self.send(sink, "stop", { channel: BULK });
          self.send(driver.pid, ["bulk-done", done]);
          return;
        }
      }
    });
    const bulkWorker = new Set([bulkRef]);
    await receiveUnlessDown(driver, bulkWorker, is("bulk-flowing"));
    const busy = percentile(await callTimes(driver, server, ISO_CALLS), 0.5);
    driver.send(bulk, "bulk-stop");
    const [, transfers] = await receiveUnlessDown(
      driver,
      bulkWorker,
      (m): m is readonly ["bulk-done", number] => Array.isArray(m) && m[0] === "bulk-done",
    );
    cast(driver, server, "stop");
    if (transfers < 1) throw new Error("no bulk transfer completed");
    return { quiet, busy };
  });
