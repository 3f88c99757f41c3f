/**
 * The gen-server measures, on the same work as the Erlang reference (erlang/maquis_bench.erl and
 * erlang/maquis_bench_server.erl), written as a user of `@maquis/gen-server` would write them.
 */
import { Node, type Pid, type ReplyTo } from "@maquis/core";
import {
  type Call,
  call,
  cast,
  GenServer,
  noreply,
  ok,
  reply,
  type ServerRef,
  stop,
} from "@maquis/gen-server";

const now = () => performance.now();
const rate = (n: number, t0: number, t1 = now()) => n / ((t1 - t0) / 1000);

/** Runs `body` on a fresh node and stops the node afterwards. */
export const withNode = async <T>(body: (node: Node) => Promise<T>): Promise<T> => {
  const node = Node.start({ name: "bench" });
  try {
    return await body(node);
  } finally {
    await node.stop();
  }
};

export interface BenchProtocol {
  calls: Call<"ping", "pong"> | Call<"count", number>;
  casts: "inc" | "stop" | "crash";
}

/** Who a supervised server tells, from its `init`, that it is up (Erlang's `{notify, Notify}`). */
export interface Notify {
  readonly notify: Pid;
}

/** A message a (re)started server sends to its `notify` pid. */
export class Started {
  readonly pid: Pid;
  constructor(pid: Pid) {
    this.pid = pid;
  }
}

/**
 * maquis_bench_server: replies `pong`, counts casts, stops normally or crashes on demand, and when
 * started with `{ notify }` reports each (re)start.
 */
export class BenchServer extends GenServer<BenchProtocol, number, Notify | undefined> {
  init(args: Notify | undefined) {
    if (args !== undefined) this.self.send(args.notify, new Started(this.self.pid));
    return ok(0);
  }
  override handleCall(request: "ping" | "count", _from: ReplyTo, n: number) {
    return request === "ping" ? reply("pong" as const, n) : reply(n, n);
  }
  override handleCast(request: "inc" | "stop" | "crash", n: number) {
    if (request === "inc") return noreply(n + 1);
    return stop(request === "stop" ? "normal" : "crash", n);
  }
}

/**
 * gen-server-call-N: `clients` processes, linked to the driver, make `n / clients` sequential calls
 * each to one server with the default 5 s timeout; call/s from the first spawn to the last "called".
 */
export const genServerCall = (clients: number, n = 1_000_000): Promise<number> =>
  withNode(async (node) => {
    const server = await BenchServer.start(node);
    const driver = node.inbox();
    const each = n / clients;
    const t0 = now();
    for (let c = 0; c < clients; c++) {
      driver.spawnLink(async (self) => {
        for (let k = 0; k < each; k++) {
          if ((await call(self, server, "ping")) !== "pong") throw new Error("bad reply");
        }
        self.send(driver.pid, "called");
      });
    }
    for (let c = 0; c < clients; c++) await driver.receive((m) => m === "called");
    const t1 = now();
    await GenServer.stop(driver, server);
    driver.close();
    return rate(n, t0, t1);
  });

/**
 * gen-server-cast: `n` casts from one process in a loop, then one call (no timeout) that returns the
 * count, to synchronise; msg/s over both.
 */
export const genServerCast = (n = 5_000_000): Promise<number> =>
  withNode(async (node) => {
    const server = await BenchServer.start(node);
    const client = node.inbox();
    const t0 = now();
    for (let i = 0; i < n; i++) cast(client, server, "inc");
    const count = await call(client, server, "count", Number.POSITIVE_INFINITY);
    const t1 = now();
    if (count !== n) throw new Error(`server counted ${count} casts of ${n}`);
    await GenServer.stop(client, server);
    client.close();
    return rate(n, t0, t1);
  });

/**
 * gen-server-cast-paced: gen-server-cast with the caster written as local-send's sender, 1000 casts
 * per turn, so the server drains as it goes, as a preempted Erlang caster lets it. A JavaScript loop
 * is never preempted: the unpaced measure queues all `n` casts before the server runs once.
 */
export const genServerCastPaced = (n = 5_000_000): Promise<number> =>
  withNode(async (node) => {
    const server = await BenchServer.start(node);
    const driver = node.inbox();
    let t0 = 0;
    let sent = 0;
    node.spawn({
      async receive(_tick: unknown, self) {
        const end = Math.min(n, sent + 1000);
        for (; sent < end; sent++) cast(self, server, "inc");
        if (sent < n) self.send(self.pid, "tick");
        else self.send(driver.pid, await call(self, server, "count", Number.POSITIVE_INFINITY));
      },
      init(self) {
        t0 = now();
        self.send(self.pid, "tick");
      },
    });
    const count = await driver.receive();
    const t1 = now();
    if (count !== n) throw new Error(`server counted ${count} casts of ${n}`);
    await GenServer.stop(driver, server);
    driver.close();
    return rate(n, t0, t1);
  });

/**
 * memory-idle-gen-server: starts `n` idle servers one after another (each `start` waits for `init`)
 * and keeps their refs; the V8 heap delta per server after a full GC, the ref list included (as the
 * Erlang pid list is). Then each is cast `stop`.
 */
export const memoryIdleGenServer = (n = 100_000): Promise<number> =>
  withNode(async (node) => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc === undefined) throw new Error("run node with --expose-gc");
    gc();
    const before = process.memoryUsage().heapUsed;
    const servers: ServerRef<BenchProtocol>[] = [];
    for (let i = 0; i < n; i++) servers.push(await BenchServer.start(node));
    gc();
    const bytes = (process.memoryUsage().heapUsed - before) / n;
    for (const s of servers) cast(node, s, "stop");
    await node.idle();
    return bytes;
  });
