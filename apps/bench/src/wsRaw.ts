/**
 * The bare-ws round trip between two Node processes on 127.0.0.1 (ws-ping-pong-p50): the floor under any
 * remote call over WebSocket. The client is this process; the echo server is a child (wsEcho.js). Both
 * sides use `ws` with permessage-deflate off; the client sends one pre-encoded small binary frame at a
 * time and waits for its echo. No codec, no framing of ours, no processes: transport only.
 *
 * distribution.ts times these round trips interleaved with remote-call's calls, in the same rounds, so
 * that the target "remote-call-p50 at most 1.5x the ws round trip" compares the two under the same load
 * (on this shared box the loopback round trip moves between about 25 and 100 µs within seconds).
 * The Erlang row beside ws-ping-pong-p50 is a raw `!` ping-pong between two distributed VMs.
 */
import { WebSocket } from "ws";
import { type ChildInfo, startChild } from "./children.js";

/** A small frame: 48 bytes, the size of a small message envelope in msgpack. */
const FRAME = new Uint8Array(48).fill(7);

let echo: Promise<ChildInfo> | undefined;

/** Nearest-rank percentile of sorted values (as maquis_bench_dist.erl). */
export const percentile = (sorted: Float64Array, q: number): number =>
  sorted[Math.max(0, Math.min(sorted.length, Math.ceil(q * sorted.length)) - 1)] as number;

/** A bare-ws client connected to the echo server (started on first use). */
export interface WsPing {
  /** One round trip, in µs. */
  roundTrip(): Promise<number>;
  close(): void;
}

/** Connects a fresh client to the echo child. */
export async function openWsPing(): Promise<WsPing> {
  echo ??= startChild("wsEcho");
  const { address } = await echo;
  const ws = new WebSocket(address, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  let waiting: { resolve: () => void; reject: (err: Error) => void } | undefined;
  ws.on("message", () => waiting?.resolve());
  ws.on("close", () => waiting?.reject(new Error("the ws echo connection closed")));
  return {
    async roundTrip() {
      const t0 = performance.now();
      const back = new Promise<void>((resolve, reject) => (waiting = { resolve, reject }));
      ws.send(FRAME);
      await back;
      return (performance.now() - t0) * 1000;
    },
    close: () => ws.terminate(),
  };
}
