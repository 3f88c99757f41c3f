/**
 * Node B's side of the distribution measures (the Erlang counterparts are in
 * erlang/maquis_bench_dist.erl): what node A may start there, served by `@maquis/transport`'s `Rpc`, so
 * a round starts its processes on B as the Erlang side does (`Rpc.call` for `erpc:call`, `Rpc.spawn`
 * for `spawn(B, M, F, A)`).
 */
import type { Node, Pid, ProcessContext } from "@maquis/core";
import type { ServerPid } from "@maquis/gen-server";
import { Rpc } from "@maquis/transport";
import { type BenchProtocol, BenchServer } from "./genserver.js";

/** The named channel of the bulk transfers in channel-isolation (declared on both nodes). */
export const BULK = "bulk";

/** remote-send's counter → sender: `count` messages have arrived. */
export type Ack = readonly ["ack", number];
export const isAck = (m: unknown): m is Ack => Array.isArray(m) && m[0] === "ack";

/** What node B serves, by name; the argument lists are what node A passes. */
export const remote = {
  /** A {@link BenchServer}, not linked (`gen_server:start`): it outlives the RPC's process. */
  startServer: "startServer",
  /** remote-send's receiver: `[to: Pid, n: number, every: number]`. */
  counter: "counter",
  /** channel-isolation's receiver of bulk messages: `[to: Pid]`. */
  sink: "sink",
} as const;

/**
 * The counter: counts `n` messages (`["msg", i]` or `["msg", i, payload]`), sends `["ack", count]` to
 * `to` every `every` messages and after the last, then ends.
 */
const counter = async (self: ProcessContext, to: Pid, n: number, every: number) => {
  for (let count = 1; count <= n; count++) {
    const m = self.tryReceive() ?? (await self.receive());
    if (!Array.isArray(m) || m[0] !== "msg") throw new Error(`counter: unexpected ${String(m)}`);
    if (count % every === 0 || count === n) self.send(to, ["ack", count] satisfies Ack);
  }
};

/** The sink: answers each bulk message with `"bulk-ack"` to `to`, on the bulk channel; ends on `"stop"`. */
const sink = async (self: ProcessContext, to: Pid) => {
  while ((await self.receive()) !== "stop") self.send(to, "bulk-ack", { channel: BULK });
};

/** Starts node B's RPC server with the functions and spawnables above. */
export const serveBench = (node: Node): void => {
  Rpc.start(node, {
    functions: {
      [remote.startServer]: async (): Promise<ServerPid<BenchProtocol>> => BenchServer.start(node),
    },
    spawnables: { [remote.counter]: counter, [remote.sink]: sink },
  });
};
